import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "@flotilla/protocol";
import { parseTicketText, readTicketFile, ticketToSpec } from "./read-ticket.js";

const config = ConfigSchema.parse({ defaults: { agent: "claude" }, roles: { reviewer: { agent: "codex" } } });

describe("tickets", () => {
  it("reads a ticket with every field and maps it to a task spec", () => {
    const ticket = parseTicketText(
      [
        "id: avatar",
        "title: Avatars",
        "prompt: Add avatars to profiles",
        "role: reviewer",
        "dependsOn: [users]",
        "writes: [src/avatar/**]",
        "priority: 3",
        "verify: npm test",
        "review: { rounds: 1 }",
        "script: [{ say: { text: hi } }]",
      ].join("\n"),
      "avatar.yaml",
    );
    expect(ticketToSpec(ticket, config)).toEqual({
      id: "avatar",
      title: "Avatars",
      prompt: "Add avatars to profiles",
      agent: "codex",
      dependsOn: ["users"],
      writes: ["src/avatar/**"],
      priority: 3,
      verify: "npm test",
      script: { steps: [{ say: { text: "hi" } }], followUps: [] },
      review: { rounds: 1 },
    });
  });

  it("fills in the defaults: the default agent, the id as title, the default review", () => {
    const spec = ticketToSpec(parseTicketText("id: t1\nprompt: do it\n", "t1.yaml"), config);
    expect(spec).toEqual({
      id: "t1",
      title: "t1",
      prompt: "do it",
      agent: "claude",
      dependsOn: [],
      writes: [],
      priority: 0,
    });
    expect(ticketToSpec(parseTicketText("id: t2\nprompt: p\nreview: false\n", "t2.yaml"), config).review).toBe(false);
    expect(ticketToSpec(parseTicketText("id: t3\nprompt: p\nreview: true\n", "t3.yaml"), config)).not.toHaveProperty(
      "review",
    );
  });

  it("reports every problem with file, line and column", () => {
    expect(() => parseTicketText("id: x\nprompt: p\nwrites: [/abs]\ndependsOn: [x]\n", "x.yaml")).toThrow(
      /x\.yaml:3:10: writes\[0\]: writes glob "\/abs" must be relative[^\n]*\nx\.yaml:4:13: dependsOn\[0\]: ticket "x" depends on itself/,
    );
    expect(() => parseTicketText("id: x\nprompt: p\nbogus: 1\n", "x.yaml")).toThrow(/x\.yaml:3:1: bogus/);
    expect(() => parseTicketText("prompt: [unclosed\n", "x.yaml")).toThrow(/x\.yaml:\d+:\d+/);
    expect(() => parseTicketText('{"id": "j", "prompt": }', "x.json")).toThrow(/x\.json:1:\d+/);
  });

  it("reads files, naming a missing one", () => {
    const dir = mkdtempSync(join(tmpdir(), "flotilla-ticket-"));
    try {
      writeFileSync(join(dir, "t.json"), JSON.stringify({ id: "j", prompt: "from json" }));
      expect(readTicketFile(join(dir, "t.json")).prompt).toBe("from json");
      expect(() => readTicketFile(join(dir, "nope.yaml"))).toThrow(/no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
