import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@flotilla/protocol": src("protocol"),
      "@flotilla/engine": src("engine"),
      "@flotilla/client": src("client"),
      "@flotilla/server": src("server"),
      "@flotilla/mock-llm": src("mock-llm"),
      "@flotilla/tui": src("tui"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/src/**/*.test.tsx", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    // On CI (a loaded 2-core machine running real agents, git, tmux and Chromium) a failed test is
    // run once more; one that passes only then is named by the flaky reporter, never hidden.
    retry: process.env.CI ? 1 : 0,
    reporters: ["default", "./test/support/flaky-reporter.ts"],
  },
});
