import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Git } from "@flotilla/engine";

/** The demo's small sample project: a few modules and their tests, run by `node --test`. */
const FILES: Record<string, string> = {
  "package.json":
    JSON.stringify(
      { name: "flotilla-sample", version: "1.0.0", private: true, scripts: { test: "node --test" } },
      null,
      2,
    ) + "\n",
  "README.md": "# flotilla-sample\n\nA tiny project that Flotilla's demo works on.\n",
  "CHANGELOG.md": "# Changelog\n\n## 1.0.0\n- add()\n",
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
