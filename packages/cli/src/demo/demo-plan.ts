import type { PlanInput } from "@flotilla/protocol";

const header = '"use strict";\nconst test = require("node:test");\nconst assert = require("node:assert");\n';
const IDENTITY = "-c user.name=Scripted -c user.email=scripted@flotilla.local";
const WAIT_FOR_RELEASE =
  'for i in $(seq 600); do git show main:package.json | grep -q \'"version": "1.1.0"\' && exit 0; sleep 0.1; done; exit 1';

/**
 * The demo's plan: seven tasks on the sample project, with everything Flotilla does on show —
 * dependencies, two tasks whose writes overlap (multiply and subtract: never at once), a reviewer
 * that asks for changes once (strings), a merge conflict its agent resolves (greet edits the
 * changelog that version also edits), three at a time, all landed on main with its tests green.
 */
export const DEMO_PLAN: PlanInput = {
  name: "demo",
  concurrency: 3,
  tasks: [
    {
      id: "version",
      title: "Release 1.1.0",
      prompt: "Bump the version to 1.1.0 and add a 1.1.0 section to the changelog.",
      writes: ["package.json", "CHANGELOG.md"],
      priority: 10,
      script: [
        { replace: { path: "package.json", find: '"version": "1.0.0"', with: '"version": "1.1.0"' } },
        { append: { path: "CHANGELOG.md", content: "\n## 1.1.0\n- multiply(), subtract(), capitalize(), greet()\n" } },
        { say: { text: "Version 1.1.0, changelog started." } },
      ],
    },
    {
      id: "greet",
      title: "Add greet()",
      prompt:
        "Add src/greet.js exporting greet(name) that returns 'Hello, <name>!', with a test, and note it in the changelog.",
      writes: ["src/greet.js", "test/greet.test.js"],
      priority: 8,
      script: {
        steps: [
          { say: { text: "Waiting for the 1.1.0 release to land before touching the changelog." } },
          { run: { cmd: WAIT_FOR_RELEASE } },
          {
            write: {
              path: "src/greet.js",
              content: '"use strict";\nmodule.exports = { greet: (name) => `Hello, ${name}!` };\n',
            },
          },
          {
            write: {
              path: "test/greet.test.js",
              content: `${header}const { greet } = require("../src/greet.js");\ntest("greet", () => assert.strictEqual(greet("Ada"), "Hello, Ada!"));\n`,
            },
          },
          { append: { path: "CHANGELOG.md", content: "\n## Unreleased\n- greet()\n" } },
        ],
        followUps: [
          [
            { say: { text: "Resolving the changelog conflict: keeping both sections." } },
            { run: { cmd: `git ${IDENTITY} rebase main`, allowFailure: true } },
            {
              write: {
                path: "CHANGELOG.md",
                content:
                  "# Changelog\n\n## 1.0.0\n- add()\n\n## 1.1.0\n- multiply(), subtract(), capitalize(), greet()\n\n## Unreleased\n- greet()\n",
              },
            },
            { run: { cmd: `git add CHANGELOG.md && GIT_EDITOR=true git ${IDENTITY} rebase --continue` } },
          ],
        ],
      },
    },
    {
      id: "multiply",
      title: "Add multiply()",
      prompt: "Add multiply(a, b) to src/math.js with a test.",
      writes: ["src/math.js", "test/math.test.js"],
      priority: 5,
      script: [
        {
          replace: {
            path: "src/math.js",
            find: "module.exports = { add",
            with: "function multiply(a, b) {\n  return a * b;\n}\n\nmodule.exports = { multiply, add",
          },
        },
        {
          append: {
            path: "test/math.test.js",
            content: '\ntest("multiply", () => {\n  assert.strictEqual(math.multiply(4, 5), 20);\n});\n',
          },
        },
        { usage: { inputTokens: 1200, outputTokens: 340, costUsd: 0.0042 } },
      ],
    },
    {
      id: "subtract",
      title: "Add subtract()",
      prompt: "Add subtract(a, b) to src/math.js with a test.",
      writes: ["src/math.js", "test/math.test.js"],
      script: [
        {
          replace: {
            path: "src/math.js",
            find: "module.exports = { ",
            with: "function subtract(a, b) {\n  return a - b;\n}\n\nmodule.exports = { subtract, ",
          },
        },
        {
          append: {
            path: "test/math.test.js",
            content: '\ntest("subtract", () => {\n  assert.strictEqual(math.subtract(9, 4), 5);\n});\n',
          },
        },
        { usage: { inputTokens: 900, outputTokens: 280, costUsd: 0.0031 } },
      ],
    },
    {
      id: "strings",
      title: "Add capitalize()",
      prompt: "Add src/strings.js exporting capitalize(s), with a test.",
      writes: ["src/strings.js", "test/strings.test.js"],
      script: {
        steps: [
          {
            write: {
              path: "src/strings.js",
              content: '"use strict";\nmodule.exports = { capitalize: (s) => s[0].toUpperCase() + s.slice(1) };\n',
            },
          },
          {
            write: {
              path: "test/strings.test.js",
              content: `${header}const { capitalize } = require("../src/strings.js");\ntest("capitalize", () => assert.strictEqual(capitalize("flotilla"), "Flotilla"));\n`,
            },
          },
        ],
        followUps: [
          [
            { say: { text: "Handling the empty string, as the reviewer asked." } },
            { replace: { path: "src/strings.js", find: "(s) => s[0]", with: '(s) => s === "" ? s : s[0]' } },
            {
              append: {
                path: "test/strings.test.js",
                content: 'test("capitalize empty", () => assert.strictEqual(capitalize(""), ""));\n',
              },
            },
          ],
        ],
      },
      review: {
        rounds: 2,
        script: {
          steps: [
            {
              review: {
                verdict: "request_changes",
                comments: ["capitalize('') throws a TypeError: handle the empty string"],
              },
            },
          ],
          followUps: [[{ review: { verdict: "approve", comments: [] } }]],
        },
      },
    },
    {
      id: "docs",
      title: "Document the API",
      prompt: "Document every exported function in the README.",
      dependsOn: ["multiply", "subtract", "strings", "greet"],
      writes: ["README.md"],
      script: [
        {
          append: {
            path: "README.md",
            content:
              "\n## API\n\n- `add`, `multiply`, `subtract` (src/math.js)\n- `capitalize` (src/strings.js)\n- `greet` (src/greet.js)\n",
          },
        },
      ],
    },
    {
      id: "index",
      title: "One entry point",
      prompt: "Add src/index.js re-exporting every module, with a test.",
      dependsOn: ["multiply", "subtract", "strings", "greet"],
      writes: ["src/index.js", "test/index.test.js"],
      script: [
        {
          write: {
            path: "src/index.js",
            content:
              '"use strict";\nmodule.exports = { ...require("./math.js"), ...require("./strings.js"), ...require("./greet.js") };\n',
          },
        },
        {
          write: {
            path: "test/index.test.js",
            content: `${header}const api = require("../src/index.js");\ntest("index", () => {\n  assert.strictEqual(api.multiply(api.subtract(5, 2), api.add(1, 1)), 6);\n  assert.strictEqual(api.greet(api.capitalize("ada")), "Hello, Ada!");\n});\n`,
          },
        },
      ],
    },
  ],
};
