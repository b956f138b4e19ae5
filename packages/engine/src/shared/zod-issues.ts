import type { z } from "zod";

/** One schema problem, flattened: where it is (a key path) and what is wrong, in plain words. */
export interface PathIssue {
  path: PropertyKey[];
  message: string;
  /** The problem is the key itself (an unknown key), not its value: point at the key. */
  atKey?: boolean;
}

type Issue = z.core.$ZodIssue;

/**
 * Turns zod issues into one problem per key path. Unknown keys become one issue each, a union
 * reports the branch the value was evidently meant for (or what it expected), and messages
 * lose zod's "Invalid input:" prefix.
 */
export function flattenZodIssues(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): PathIssue[] {
  return issues.flatMap((issue) => flattenOne(issue, prefix));
}

function flattenOne(issue: Issue, prefix: readonly PropertyKey[]): PathIssue[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"`, atKey: true }));
    case "invalid_union": {
      const fitting = issue.errors.filter((branch) => !isMismatch(branch));
      const best = fitting.sort((a, b) => a.length - b.length)[0];
      if (best) return flattenZodIssues(best, path);
      return [{ path, message: describeNoMatch(issue) }];
    }
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) {
        return [{ path, message: `${path.length === 0 ? "empty" : "missing"} (expected ${issue.expected})` }];
      }
      return [{ path, message: clean(issue.message) }];
    default:
      return [{ path, message: clean(issue.message) }];
  }
}

function clean(message: string): string {
  return message.replace(/^Invalid input: /, "");
}

/** A branch that failed on the value's very shape: the value was not meant for it. */
function isMismatch(branch: readonly Issue[]): boolean {
  return branch.some(
    (i) =>
      (i.path.length === 0 && (i.code === "invalid_type" || i.code === "unrecognized_keys")) ||
      (i.path.length === 0 && i.code === "invalid_union" && i.errors.every(isMismatch)) ||
      isMissingKey(i),
  );
}

/** A required key that is not there at all (directly under the union's value). */
function isMissingKey(i: Issue): boolean {
  if (i.path.length !== 1) return false;
  if (i.code === "invalid_type") return /received undefined$/.test(i.message);
  if (i.code === "invalid_union")
    return i.errors.every((b) => b.some((x) => x.path.length === 0 && /received undefined$/.test(x.message)));
  return false;
}

/** "expected string or array, received number", or "expected one of the keys: write, append, …". */
function describeNoMatch(issue: Extract<Issue, { code: "invalid_union" }>): string {
  const types = new Set<string>();
  const keys = new Set<string>();
  const unknown = new Set<string>();
  let received: string | undefined;
  const visit = (branches: readonly (readonly Issue[])[]) => {
    for (const branch of branches) {
      for (const i of branch) {
        if (i.path.length === 0 && i.code === "invalid_type") {
          types.add(i.expected);
          received ??= /received (\w+)$/.exec(i.message)?.[1];
        } else if (i.path.length === 0 && i.code === "invalid_union") {
          visit(i.errors);
        } else if (i.path.length === 0 && i.code === "unrecognized_keys") {
          i.keys.forEach((k) => unknown.add(k));
        } else if (isMissingKey(i)) {
          keys.add(String(i.path[0]));
        }
      }
    }
  };
  visit(issue.errors);
  const parts: string[] = [];
  if (keys.size > 0) {
    parts.push(`expected one of the keys: ${[...keys].join(", ")}`);
    if (unknown.size > 0) parts.push(`got ${[...unknown].map((k) => `"${k}"`).join(", ")}`);
  } else if (types.size > 0) {
    parts.push(`expected ${[...types].join(" or ")}${received ? `, received ${received}` : ""}`);
  } else {
    parts.push("matches none of the allowed forms");
  }
  return parts.join("; ");
}

/** `defaults.concurrency`, `tasks[2].prompt`, `providers["a.b"].args`; the root is `(root)`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === "" ? "(root)" : out;
}
