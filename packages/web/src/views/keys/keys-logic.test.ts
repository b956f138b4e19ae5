import { describe, expect, it } from "vitest";
import {
  isRotation,
  providerChoices,
  secretProblem,
  sortedKeys,
  usualEnvVar,
  validateKeyFields,
} from "./keys-logic.js";

const key = (provider: string) => ({
  provider,
  envVar: "X_KEY",
  masked: "sk-…abcd",
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
});

describe("provider keys form", () => {
  it("checks the provider and the optional variable name", () => {
    expect(validateKeyFields({ provider: "anthropic", envVar: "" })).toEqual({});
    expect(validateKeyFields({ provider: "", envVar: "" }).provider).toMatch(/Name the provider/);
    expect(validateKeyFields({ provider: "bad name!", envVar: "" }).provider).toMatch(/provider name/);
    expect(validateKeyFields({ provider: "openai", envVar: "lower_case" }).envVar).toMatch(/environment variable/);
    expect(validateKeyFields({ provider: "openai", envVar: "OPENAI_API_KEY" })).toEqual({});
  });

  it("checks a secret by its length only", () => {
    expect(secretProblem(0)).toMatch(/Paste/);
    expect(secretProblem(5)).toMatch(/too short/);
    expect(secretProblem(40)).toBeUndefined();
    expect(secretProblem(5000)).toMatch(/too long/);
  });

  it("knows usual variables, rotation and order", () => {
    expect(usualEnvVar("claude-code")).toBe("ANTHROPIC_API_KEY");
    expect(usualEnvVar("someone")).toBeUndefined();
    const choices = providerChoices({ work: { adapter: "codex" }, scripted: { adapter: "scripted" } });
    expect(choices.map((c) => c.name)).toEqual(["scripted", "work"]);
    expect(usualEnvVar(" work ", choices)).toBe("OPENAI_API_KEY");
    expect(usualEnvVar("scripted", choices)).toBeUndefined();
    expect(providerChoices(undefined)).toEqual([]);
    expect(isRotation([key("openai")], " openai ")).toBe(true);
    expect(isRotation([key("openai")], "anthropic")).toBe(false);
    expect(sortedKeys([key("openai"), key("anthropic")]).map((k) => k.provider)).toEqual(["anthropic", "openai"]);
  });
});
