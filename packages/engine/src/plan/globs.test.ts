import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { expandBraces, globMayOverlap, globsMayOverlap, overlappingGlobs, validateGlob } from "./globs.js";

describe("validateGlob", () => {
  it("accepts relative globs", () => {
    for (const g of ["src/**", "package.json", "src/**/*.{ts,tsx}", "docs/[ab]*.md", "a/@(x|y).ts", "[[:alpha:]]"])
      expect(validateGlob(g), g).toBeUndefined();
  });

  it("says what is wrong with a bad glob", () => {
    expect(validateGlob("")).toBe("must not be empty");
    expect(validateGlob("  ")).toBe("must not be empty");
    expect(validateGlob(" src/**")).toBe("must not start or end with spaces");
    expect(validateGlob("/etc/passwd")).toBe("must be relative to the repository root (no leading '/')");
    expect(validateGlob("C:/x")).toBe("must be relative to the repository root (no leading '/')");
    expect(validateGlob("!src/**")).toMatch(/negated/);
    expect(validateGlob("src/../x")).toBe("must not contain '..' segments");
    expect(validateGlob("..")).toBe("must not contain '..' segments");
    expect(validateGlob("src/")).toMatch(/must not end with '\/'/);
    expect(validateGlob("src//a")).toMatch(/empty segments/);
    expect(validateGlob("./src")).toMatch(/'\.' segments/);
    expect(validateGlob("src/[ab")).toBe("has unbalanced brackets: '[' without its ']'");
    expect(validateGlob("src/{a,b")).toBe("has unbalanced brackets: '{' without its '}'");
    expect(validateGlob("src/a}")).toBe("has unbalanced brackets: '}' without its opening");
    expect(validateGlob("src/(a")).toBe("has unbalanced brackets: '(' without its ')'");
    expect(validateGlob("src/{a)")).toMatch(/unbalanced/);
  });

  it("allows a '..' inside a name and escaped brackets", () => {
    expect(validateGlob("a..b/x")).toBeUndefined();
    expect(validateGlob("src/\\[literal")).toBeUndefined();
  });
});

describe("globsMayOverlap", () => {
  const cases: [string, string, boolean][] = [
    ["src/**/*.ts", "src/**/*.css", false],
    ["src/a/**", "src/b/**", false],
    ["**", "anything/at/all.txt", true],
    ["src/*.ts", "src/index.ts", true],
    ["src/*.ts", "src/a/index.ts", false],
    ["src/**", "src", true],
    ["package.json", "package.json", true],
    ["package.json", "README.md", false],
    ["src/{a,b}/*.ts", "src/b/x.ts", true],
    ["src/{a,b}/*.ts", "src/c/x.ts", false],
    ["src/**/*.{ts,tsx}", "src/**/*.css", false],
    ["src/x*", "src/y*", false],
    ["src/*x", "src/*y", false],
    ["src/a*", "src/*b", true],
    ["docs/**", "src/**", false],
    ["**/*.md", "docs/guide.md", true],
    ["**/*.md", "src/**/*.ts", false],
    ["src/[ab].ts", "src/c.ts", false],
    ["src/@(a|b).ts", "src/c.ts", true], // extglobs are not analysed: assumed to overlap
    ["../x", "y", true], // an invalid glob overlaps everything
  ];
  it.each(cases)("%s vs %s → %s", (a, b, expected) => {
    expect(globsMayOverlap([a], [b])).toBe(expected);
    expect(globsMayOverlap([b], [a])).toBe(expected);
  });

  it("treats an empty write-set as unknown: it overlaps everything", () => {
    expect(globsMayOverlap([], ["README.md"])).toBe(true);
    expect(globsMayOverlap(["README.md"], [])).toBe(true);
    expect(globsMayOverlap([], [])).toBe(true);
  });

  it("compares every glob of one set with every glob of the other", () => {
    expect(globsMayOverlap(["docs/**", "src/a.ts"], ["lib/**", "src/*.ts"])).toBe(true);
    expect(globsMayOverlap(["docs/**", "src/a.ts"], ["lib/**", "src/*.css"])).toBe(false);
    expect(overlappingGlobs(["docs/**", "src/a.ts", "src/b.ts"], ["src/a*"])).toEqual(["src/a.ts"]);
  });

  it("expands brace lists but leaves ranges, classes and nesting alone", () => {
    expect(expandBraces("src/{a,b}/*.{ts,css}")).toEqual(["src/a/*.ts", "src/a/*.css", "src/b/*.ts", "src/b/*.css"]);
    expect(expandBraces("{a/x,b}")).toEqual(["a/x", "b"]);
    expect(expandBraces("f{1..3}")).toEqual(["f{1..3}"]);
    expect(expandBraces("{a,[bc]}")).toEqual(["{a,[bc]}"]);
    expect(expandBraces("{a}")).toEqual(["{a}"]);
    expect(globMayOverlap("{a/x,b}/y", "a/x/y")).toBe(true);
  });
});

const SEGMENTS = ["src", "a", "b", "**", "*", "*.ts", "x.ts", "[ab]", "{a,b}", "x*", "*.{ts,css}", "?.ts", ".x", "a?"];
const SEGMENTS2 = ["{a,b/x.ts}", "{src,a}*", "*{.ts,s}", "[!a]", "a{1..3}", "@(a|x.ts)", "\\*", "b*s", "*s"];
const NAMES = ["src", "a", "b", "x.ts", "y.css", "ab.ts", ".x", "c", "a.ts", "a1", "bs", "*", "{a,b}", "x", "s"];

const segmentsArb = fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.constantFrom(...SEGMENTS2)), {
  minLength: 1,
  maxLength: 4,
});
/** Two globs; half the time the second is the first with some segments changed, so they often overlap. */
const globPairArb = fc
  .tuple(segmentsArb, segmentsArb, fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }), fc.boolean())
  .map(([a, b, ops, related]) => {
    if (!related) return [a.join("/"), b.join("/")] as const;
    const mutated = a.map((seg, i) => [seg, "*", "**", b[i] ?? seg][ops[i] ?? 0] ?? seg);
    return [a.join("/"), mutated.join("/")] as const;
  });
const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));

/** A path shaped like `glob`: its literal segments kept, wildcards replaced by names, `**` by 0–2 names. */
function instance(glob: string, picks: readonly number[]): string {
  return glob
    .split("/")
    .flatMap((seg, i) => {
      const n = picks[i] ?? 0;
      const name = (k: number) => NAMES[(n + k) % NAMES.length] ?? "a";
      if (seg === "**") return [0, 1].slice(0, n % 3).map(name);
      return [/[*?[{@\\]/.test(seg) ? name(0) : seg];
    })
    .join("/");
}

describe("globsMayOverlap is conservative", () => {
  it("never answers false when some path matches both (picomatch, dot: true)", () => {
    const picks = fc.array(fc.nat(), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        globPairArb,
        fc.array(pathArb, { maxLength: 40 }),
        fc.array(picks, { minLength: 1, maxLength: 8 }),
        ([g1, g2], random, pickLists) => {
          const paths = [...random, ...pickLists.flatMap((p) => [instance(g1, p), instance(g2, p)])];
          const m1 = picomatch(g1, { dot: true });
          const m2 = picomatch(g2, { dot: true });
          const both = paths.find((p) => p !== "" && m1(p) && m2(p));
          if (both !== undefined) expect(globsMayOverlap([g1], [g2]), `${g1} / ${g2} both match ${both}`).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
