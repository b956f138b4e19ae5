/**
 * Imported first by agent-main, so the agent answers SIGINT/SIGTERM with 130/143 as early as
 * possible (ES modules evaluate in import order, before the heavier ones like zod).
 */
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));
// The reader went away: nobody is listening, stop.
process.stdout.on("error", () => process.exit(141));
