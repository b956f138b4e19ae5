import { readFile } from "node:fs/promises";
import { isNode, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ScriptSchema, type MockScript } from "./script.js";

/** An invalid script: `issues` are lines like `script.yaml:4:9: rules[0].turns[1].write.path: …`. */
export class MockScriptError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid mock-llm script:\n  ${issues.join("\n  ")}`);
    this.name = "MockScriptError";
  }
}

/** `rules[0].turns[1].write.path` */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `${out ? "." : ""}${String(key)}`;
  return out || "(top level)";
}

type Locate = (path: readonly PropertyKey[]) => string;

function report(issues: z.core.$ZodIssue[], source: string, locate: Locate): MockScriptError {
  return new MockScriptError(issues.map((i) => `${source}${locate(i.path)}: ${formatKeyPath(i.path)}: ${i.message}`));
}

/** Validates a script given as a value (already parsed YAML/JSON, or written in code). */
export function compileScript(input: unknown, source = "script"): MockScript {
  const result = ScriptSchema.safeParse(input);
  if (!result.success) throw report(result.error.issues, source, () => "");
  return result.data;
}

/** Parses and validates a script's text (YAML or JSON); errors carry line:column and the key path. */
export function parseScript(text: string, source = "script"): MockScript {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const at = lineCounter.linePos(first.pos[0]);
    throw new MockScriptError([`${source}:${at.line}:${at.col}: ${first.message}`]);
  }
  const result = ScriptSchema.safeParse(doc.toJS());
  if (!result.success) throw report(result.error.issues, source, (path) => locate(doc, lineCounter, path));
  return result.data;
}

/** Reads and validates a script file. */
export async function loadScript(file: string): Promise<MockScript> {
  return parseScript(await readFile(file, "utf8"), file);
}

/** `:line:col` of the deepest node of `path` that exists in the document, or "". */
function locate(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): string {
  // A top-level list is shorthand for `rules:`; the schema's paths then start with a `rules` the document lacks.
  const keys = isSeq(doc.contents) && path[0] === "rules" ? path.slice(1) : [...path];
  for (let n = keys.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `:${line}:${col}`;
    }
  }
  return "";
}
