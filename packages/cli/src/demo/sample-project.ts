import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Git } from "@flotilla/engine";
import type { Script } from "@flotilla/protocol";

/** The demo's small sample project: a math module and its tests, run by `node --test`. */
const FILES: Record<string, string> = {
  "package.json":
    JSON.stringify(
      { name: "flotilla-sample", version: "1.0.0", private: true, scripts: { test: "node --test" } },
      null,
      2,
    ) + "\n",
  "README.md": "# flotilla-sample\n\nA tiny project that Flotilla's demo works on.\n",
  ".gitignore": "node_modules/\n",
  "src/math.js": [
    '"use strict";',
    "",
    "function add(a, b) {",
    "  return a + b;",
    "}",
    "",
    "module.exports = { add };",
    "",
  ].join("\n"),
  "test/math.test.js": [
    '"use strict";',
    'const test = require("node:test");',
    'const assert = require("node:assert");',
    'const math = require("../src/math.js");',
    "",
    'test("add", () => {',
    "  assert.strictEqual(math.add(2, 3), 5);",
    "});",
    "",
  ].join("\n"),
};

export async function createSampleProject(git: Git, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  await git.init(dir, { initialBranch: "main" });
  await git.commitAll(dir, { message: "Sample project", trailers: {} });
}

/** The scripted agent's work in the demo: add multiply() and its test, run the tests. */
export const MULTIPLY_SCRIPT: Script = {
  steps: [
    { say: { text: "Adding multiply() to src/math.js, with a test." } },
    {
      replace: {
        path: "src/math.js",
        find: "module.exports = { add };",
        with: "function multiply(a, b) {\n  return a * b;\n}\n\nmodule.exports = { add, multiply };",
      },
    },
    {
      append: {
        path: "test/math.test.js",
        content: '\ntest("multiply", () => {\n  assert.strictEqual(math.multiply(4, 5), 20);\n});\n',
      },
    },
    { run: { cmd: "npm test --silent" } },
    { usage: { inputTokens: 1200, outputTokens: 340, costUsd: 0.0042 } },
    { say: { text: "multiply() is in and the tests pass." } },
  ],
  followUps: [],
};
