import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "test-output/**",
      ".flotilla-test/**",
      "coverage/**",
      "**/*.js",
      "!eslint.config.js",
      "!bench/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "node:child_process", message: "Start processes only through engine/src/process." },
            { name: "child_process", message: "Start processes only through engine/src/process." },
            { name: "node-pty", message: "Start processes (terminals too) only through engine/src/process." },
            { name: "better-sqlite3", message: "Touch SQLite only in engine/src/store." },
          ],
        },
      ],
    },
  },
  {
    files: [
      "packages/engine/src/process/**",
      "packages/engine/src/agents/scripted/agent-main.ts",
      "**/*.test.ts",
      "test/**",
      "bench/**",
    ],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["packages/engine/src/store/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "node:child_process", message: "Start processes only through engine/src/process." },
            { name: "node-pty", message: "Start processes (terminals too) only through engine/src/process." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // Benchmarks are plain ESM scripts over the built engine: linted, but without type information.
    files: ["bench/**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, program: null } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, "no-restricted-imports": "off", "no-undef": "off" },
  },
);
