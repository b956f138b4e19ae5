import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigSchema, FlotillaError } from "@flotilla/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "./load.js";
import { flotillaHome, globalConfigDir, projectConfigDir } from "./paths.js";
import { CONFIG_SCHEMA_ID, configJsonSchema } from "./schema.js";
import { writeProjectConfig } from "./write.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flotilla-write-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("configJsonSchema", () => {
  it("describes the input side of the config, with an id and a title", () => {
    const schema = configJsonSchema();
    expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
    expect(schema.title).toBe("Flotilla configuration");
    expect(schema.$schema).toMatch(/json-schema\.org/);
    const props = schema.properties as Record<string, { properties?: Record<string, unknown> }>;
    expect(props.defaults?.properties).toHaveProperty("concurrency");
    expect(props).toHaveProperty("providers");
    expect(schema.required ?? []).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe("writeProjectConfig", () => {
  it("writes .flotilla/config.yaml that loads back", () => {
    const file = writeProjectConfig(root, { defaults: { agent: "claude", verify: ["npm", "test"] } });
    expect(file).toBe(join(root, ".flotilla", "config.yaml"));
    expect(readFileSync(file, "utf8")).toContain("agent: claude");
    const { config } = loadConfig({ globalDir: join(root, "none"), projectDir: root, env: {} });
    expect(config.defaults.verify).toEqual(["npm", "test"]);
  });

  it("refuses invalid input without writing", () => {
    let err: unknown;
    try {
      writeProjectConfig(root, { defaults: { concurrency: -1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe("config_invalid");
    expect((err as FlotillaError).message).toContain("defaults.concurrency");
    expect(existsSync(join(root, ".flotilla"))).toBe(false);
  });

  it("does not replace an existing config unless told", () => {
    writeProjectConfig(root, {});
    expect(() => writeProjectConfig(root, { defaults: { agent: "codex" } })).toThrow(/already exists/);
    writeProjectConfig(root, { defaults: { agent: "codex" } }, { overwrite: true });
    expect(ConfigSchema.parse(loadConfig({ globalDir: root, projectDir: root, env: {} }).config).defaults.agent).toBe(
      "codex",
    );
    mkdirSync(join(root, "p2", ".flotilla"), { recursive: true });
    writeFileSync(join(root, "p2", ".flotilla", "config.json"), "{}");
    expect(() => writeProjectConfig(join(root, "p2"), {}, { overwrite: true })).toThrow(/config\.json/);
  });
});

describe("paths", () => {
  it("puts the data dir at FLOTILLA_HOME, XDG_DATA_HOME/flotilla or ~/.local/share/flotilla", () => {
    expect(flotillaHome({ FLOTILLA_HOME: "/data/f", XDG_DATA_HOME: "/x" })).toBe("/data/f");
    expect(flotillaHome({ XDG_DATA_HOME: "/x" })).toBe("/x/flotilla");
    expect(flotillaHome({ HOME: "/home/u" })).toBe("/home/u/.local/share/flotilla");
    expect(flotillaHome({ XDG_DATA_HOME: "relative", HOME: "/h" })).toBe("/h/.local/share/flotilla");
    expect(flotillaHome({})).toBe(join(homedir(), ".local", "share", "flotilla"));
  });

  it("puts the global config at XDG_CONFIG_HOME/flotilla or ~/.config/flotilla", () => {
    expect(globalConfigDir({ XDG_CONFIG_HOME: "/c" })).toBe("/c/flotilla");
    expect(globalConfigDir({ HOME: "/home/u" })).toBe("/home/u/.config/flotilla");
    expect(projectConfigDir("/p")).toBe("/p/.flotilla");
  });
});
