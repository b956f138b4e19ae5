import { describe, expect, it } from "vitest";
import { toArgv } from "./command-line.js";

describe("toArgv", () => {
  it("splits words and respects quotes", () => {
    expect(toArgv("npm test", "verify")).toEqual(["npm", "test"]);
    expect(toArgv(`node -e "console.log('a b')"`, "verify")).toEqual(["node", "-e", "console.log('a b')"]);
  });
  it("takes argv arrays as they are", () => {
    expect(toArgv(["echo", "a && b"], "verify")).toEqual(["echo", "a && b"]);
  });
  it.each(["npm test && rm -rf /", "a | b", "a; b", "a > f", "echo $(whoami)", "echo $HOME", "ls *.js"])(
    "refuses shell syntax in %s",
    (cmd) => {
      expect(() => toArgv(cmd, "verify")).toThrow(/verify: .*without a shell/);
    },
  );
  it("refuses an empty command", () => {
    expect(() => toArgv("   ", "verify")).toThrow(/empty/);
  });
});
