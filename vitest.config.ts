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
    reporters: ["default"],
  },
});
