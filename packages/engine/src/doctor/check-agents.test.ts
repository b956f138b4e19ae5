import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigSchema } from "@flotilla/protocol";
import { checkAgents, compareVersions } from "./check-agents.js";

describe("doctor's agent checks", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "flotilla-doctor-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeCli(name: string, version: string): void {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${version}"\n`);
    chmodSync(file, 0o755);
  }

  it("compares versions numerically", () => {
    expect(compareVersions("2.1.197", "2.1.0")).toBeGreaterThan(0);
    expect(compareVersions("0.99.0", "0.160.0")).toBeLessThan(0);
    expect(compareVersions("1.18", "1.18.0")).toBe(0);
  });

  it("names a CLI that is too old and how to upgrade it", async () => {
    fakeCli("claude", "1.0.3 (Claude Code)");
    fakeCli("codex", "codex-cli 0.169.0");
    const config = ConfigSchema.parse({
      providers: {
        "claude-code": { adapter: "claude-code", command: "claude" },
        codex: { adapter: "codex", command: "codex" },
      },
    });
    const checks = await checkAgents(config, { PATH: dir, HOME: dir });
    const claude = checks.find((c) => c.provider === "claude-code");
    expect(claude?.ok).toBe(false);
    expect(claude?.problems.join(" ")).toMatch(/1\.0\.3 is older than 2\.1\.0/);
    expect(claude?.fixes.join(" ")).toMatch(/upgrade it: npm install -g @anthropic-ai\/claude-code/);
    expect(checks.find((c) => c.provider === "codex")?.ok).toBe(true);
  });
});
