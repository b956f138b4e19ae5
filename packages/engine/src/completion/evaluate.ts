import picomatch from "picomatch";

export interface CompletionRules {
  /** At least one changed file must match `writes` (when the task declares any). */
  expectChanges: boolean;
  /** What a file changed outside `writes` is. */
  stray: "ignore" | "warn" | "fail";
}

export interface CompletionFindings {
  /** Problems that fail the check (sent back to the agent, then fail the task). */
  problems: string[];
  /** Things a person should know that do not fail the check. */
  warnings: string[];
  /** Changed files outside the declared writes. */
  stray: string[];
}

/**
 * The completion check (seed 003 VER), pure: given the task's declared `writes` globs and the
 * files its branch changed, did it change what it said it would, and nothing else? A task that
 * declares no writes declares no expectation (and an empty write-set covers every path).
 */
export function evaluateCompletion(
  writes: readonly string[],
  changed: readonly string[],
  rules: CompletionRules,
): CompletionFindings {
  const findings: CompletionFindings = { problems: [], warnings: [], stray: [] };
  if (writes.length === 0) return findings;
  const matches = picomatch([...writes], { dot: true });
  const inside = changed.filter((f) => matches(f));
  findings.stray = changed.filter((f) => !matches(f));
  if (rules.expectChanges && inside.length === 0) {
    findings.problems.push(
      `none of the files you changed matches the task's declared writes (${writes.join(", ")})` +
        (changed.length > 0 ? `; you changed: ${list(changed)}` : ""),
    );
  }
  if (findings.stray.length > 0 && rules.stray !== "ignore") {
    const text = `files changed outside the task's declared writes (${writes.join(", ")}): ${list(findings.stray)}`;
    (rules.stray === "fail" ? findings.problems : findings.warnings).push(text);
  }
  return findings;
}

function list(files: readonly string[], max = 20): string {
  const shown = files.slice(0, max).join(", ");
  return files.length > max ? `${shown} and ${files.length - max} more` : shown;
}
