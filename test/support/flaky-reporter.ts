import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Reporter, TestCase } from "vitest/node";

interface FlakyTest {
  file: string;
  name: string;
  retries: number;
  /** What the attempts that failed said (vitest keeps their errors on the result that passed). */
  errors: string[];
}

/**
 * Names every test that passed only on a retry (CI retries a failed test once: vitest.config.ts),
 * with what its failed attempt said, at the end of the run and in `test-output/flaky.json`, so a
 * flaky test is seen and fixed rather than hidden by the retry. A test that fails on every
 * attempt still fails the run.
 */
export default class FlakyReporter implements Reporter {
  private readonly flaky: FlakyTest[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const diagnostic = testCase.diagnostic();
    if (!diagnostic?.flaky) return;
    this.flaky.push({
      file: relative(process.cwd(), testCase.module.moduleId),
      name: testCase.fullName,
      retries: diagnostic.retryCount,
      errors: (testCase.result().errors ?? []).map((e) => e.message),
    });
  }

  onTestRunEnd(): void {
    const out = join(process.cwd(), "test-output");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "flaky.json"), `${JSON.stringify(this.flaky, null, 2)}\n`);
    if (this.flaky.length === 0) return;
    const lines = this.flaky.map((t) =>
      [
        `  ${t.file} > ${t.name} (passed after ${t.retries} retry)`,
        ...t.errors.map((e) => `    first failed with: ${e.split("\n").slice(0, 6).join("\n      ")}`),
      ].join("\n"),
    );
    process.stdout.write(`\nPassed only on a retry — flaky, to be fixed:\n${lines.join("\n")}\n`);
  }
}
