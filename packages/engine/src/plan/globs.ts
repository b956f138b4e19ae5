import picomatch from "picomatch";

/**
 * Write-set globs: which files a task says it will change. Globs are relative to the repository
 * root and are matched like picomatch with `dot: true` (`*` and `**` match dotfiles too).
 *
 * `globsMayOverlap` is CONSERVATIVE: it may answer true for two globs no path matches both of,
 * but never false when some path could match both. An empty write-set means "unknown" and
 * overlaps everything, so a task that declares no writes runs alone.
 */

/** Why a glob is not a usable write glob, or undefined when it is. */
export function validateGlob(glob: string): string | undefined {
  if (glob.trim() === "") return "must not be empty";
  if (glob !== glob.trim()) return "must not start or end with spaces";
  if (glob.startsWith("/") || glob.startsWith("~") || /^[A-Za-z]:[\\/]/.test(glob))
    return "must be relative to the repository root (no leading '/')";
  if (glob.startsWith("!")) return "must not be negated (list the files the task writes)";
  const segments = glob.split("/");
  if (segments.includes("..")) return "must not contain '..' segments";
  if (glob.endsWith("/")) return "must not end with '/' (write 'dir/**' for a directory)";
  if (segments.includes("")) return "must not contain empty segments ('//')";
  if (segments.includes(".")) return "must not contain '.' segments";
  const unbalanced = findUnbalanced(glob);
  if (unbalanced !== undefined) return unbalanced;
  try {
    picomatch.makeRe(glob, { strictBrackets: true, dot: true });
  } catch (e) {
    return `is not a valid glob: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

/** Whether some path could match a glob of `a` and a glob of `b`. Empty means unknown: true. */
export function globsMayOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => globMayOverlap(x, y)));
}

/** The globs of `mine` that may overlap `theirs` (all of `mine` when either is empty). */
export function overlappingGlobs(mine: readonly string[], theirs: readonly string[]): string[] {
  if (mine.length === 0 || theirs.length === 0) return [...mine];
  return mine.filter((g) => theirs.some((t) => globMayOverlap(g, t)));
}

/** Whether some path could match both globs. Invalid globs overlap everything. */
export function globMayOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const left = compile(a);
  const right = compile(b);
  return left.some((x) => right.some((y) => segmentsMayOverlap(x, y)));
}

type Segment =
  | { kind: "globstar" }
  | { kind: "literal"; text: string }
  | { kind: "pattern"; text: string; prefix: string; suffix: string; opaque: boolean };

const SPECIAL = new Set(["*", "?", "[", "]", "{", "}", "(", ")", "!", "\\"]);
const MAX_EXPANSIONS = 64;
const cache = new Map<string, Segment[][]>();

/** A glob as one or more segment lists (one per brace alternative). */
function compile(glob: string): Segment[][] {
  const hit = cache.get(glob);
  if (hit) return hit;
  const expanded = validateGlob(glob) === undefined ? expandBraces(glob) : [];
  const usable = expanded.length > 0 && expanded.every((g) => validateGlob(g) === undefined);
  const compiled = usable ? expanded.map(toSegments) : [[{ kind: "globstar" } as const]];
  if (cache.size > 2000) cache.clear();
  cache.set(glob, compiled);
  return compiled;
}

function toSegments(glob: string): Segment[] {
  const parts = glob.split("/");
  if (groupSpansSlash(glob)) {
    // A group such as `{a/b,c}` left unexpanded: keep the literal prefix, the rest may be anything.
    const literal = parts.slice(0, parts.findIndex(hasSpecial));
    return [...literal.map((text) => ({ kind: "literal" as const, text })), { kind: "globstar" }];
  }
  const segments: Segment[] = [];
  for (const text of parts) {
    if (text === "**") {
      if (segments.at(-1)?.kind !== "globstar") segments.push({ kind: "globstar" });
    } else if (!hasSpecial(text)) {
      segments.push({ kind: "literal", text });
    } else {
      const chars = [...text];
      const first = chars.findIndex((c) => SPECIAL.has(c));
      const last = chars.length - 1 - [...chars].reverse().findIndex((c) => SPECIAL.has(c));
      const opaque = text.startsWith("!") || /[()\\]/.test(text);
      segments.push({ kind: "pattern", text, prefix: text.slice(0, first), suffix: text.slice(last + 1), opaque });
    }
  }
  return segments;
}

function segmentsMayOverlap(a: Segment[], b: Segment[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i];
    const y = b[j];
    let result: boolean;
    if (x === undefined && y === undefined) result = true;
    else if (x?.kind === "globstar" && (go(i + 1, j) || (y !== undefined && go(i, j + 1)))) result = true;
    else if (y?.kind === "globstar" && (go(i, j + 1) || (x !== undefined && go(i + 1, j)))) result = true;
    else if (x === undefined || y === undefined || x.kind === "globstar" || y.kind === "globstar") result = false;
    else result = segmentMayMatch(x, y) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

type Single = Exclude<Segment, { kind: "globstar" }>;

/** Whether one path segment (a file or directory name) could match both. */
function segmentMayMatch(x: Single, y: Single): boolean {
  if (x.kind === "literal" && y.kind === "literal") return x.text === y.text;
  if (x.kind === "literal" && y.kind === "pattern") return y.opaque || matcher(y.text)(x.text);
  if (x.kind === "pattern" && y.kind === "literal") return x.opaque || matcher(x.text)(y.text);
  if (x.kind !== "pattern" || y.kind !== "pattern" || x.opaque || y.opaque) return true;
  const prefixes = x.prefix.startsWith(y.prefix) || y.prefix.startsWith(x.prefix);
  const suffixes = x.suffix.endsWith(y.suffix) || y.suffix.endsWith(x.suffix);
  return prefixes && suffixes;
}

const matchers = new Map<string, (name: string) => boolean>();
function matcher(pattern: string): (name: string) => boolean {
  let m = matchers.get(pattern);
  if (!m) {
    const compiled = picomatch(pattern, { dot: true });
    m = (name: string) => compiled(name);
    if (matchers.size > 2000) matchers.clear();
    matchers.set(pattern, m);
  }
  return m;
}

function hasSpecial(segment: string): boolean {
  return [...segment].some((c) => SPECIAL.has(c));
}

/** `src/{a,b}/*.{ts,css}` → four globs. Groups with ranges, classes, escapes or nested braces stay. */
export function expandBraces(glob: string): string[] {
  let done: string[] = [];
  let todo = [glob];
  while (todo.length > 0) {
    const next: string[] = [];
    for (const g of todo) {
      const group = firstExpandableGroup(g);
      if (!group) done.push(g);
      else next.push(...group.alternatives.map((alt) => g.slice(0, group.start) + alt + g.slice(group.end + 1)));
    }
    if (done.length + next.length > MAX_EXPANSIONS) return [glob];
    todo = next;
  }
  done = [...new Set(done)];
  return done;
}

function firstExpandableGroup(g: string): { start: number; end: number; alternatives: string[] } | undefined {
  for (let i = 0; i < g.length; i++) {
    if (g[i] === "\\") return undefined; // escapes: leave the glob as it is
    if (g[i] !== "{") continue;
    const end = g.indexOf("}", i);
    if (end < 0) return undefined;
    const body = g.slice(i + 1, end);
    if (/[{[()\\]/.test(body) || body.includes("..") || !body.includes(",")) {
      i = end;
      continue;
    }
    return { start: i, end, alternatives: body.split(",") };
  }
  return undefined;
}

/** Whether a `{…}`, `[…]` or `(…)` group holds a '/' (then segments cannot be compared one by one). */
function groupSpansSlash(glob: string): boolean {
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (c === "{" || c === "[" || c === "(") depth++;
    else if ((c === "}" || c === "]" || c === ")") && depth > 0) depth--;
    else if (c === "/" && depth > 0) return true;
  }
  return false;
}

const CLOSER: Record<string, string> = { "{": "}", "(": ")" };

/** An unbalanced `[`, `{` or `(` (escapes and POSIX classes such as `[[:alpha:]]` allowed). */
function findUnbalanced(glob: string): string | undefined {
  const stack: string[] = [];
  let inClass = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "[" && glob[i + 1] === ":") {
        const close = glob.indexOf(":]", i + 2);
        if (close > 0) i = close + 1;
      } else if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "{" || c === "(") stack.push(c);
    else if (c === "}" || c === ")" || c === "]") {
      const open = stack.pop();
      if (open === undefined || CLOSER[open] !== c) return `has unbalanced brackets: '${c}' without its opening`;
    }
  }
  if (inClass) return "has unbalanced brackets: '[' without its ']'";
  const open = stack.pop();
  if (open !== undefined) return `has unbalanced brackets: '${open}' without its '${CLOSER[open] ?? ""}'`;
  return undefined;
}
