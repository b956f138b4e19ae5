import { describe, expect, it } from "vitest";
import { checkBudget, hasLimits, type BudgetUsage } from "./budget.js";

const USAGE: BudgetUsage = { turns: 1, tokens: 100, costUsd: 0.1, wallMs: 1000, planTokens: 100, planCostUsd: 0.1 };

describe("checkBudget", () => {
  it("says nothing without limits or under them", () => {
    expect(checkBudget({}, {}, USAGE)).toBeUndefined();
    expect(hasLimits({}, {})).toBe(false);
    expect(
      checkBudget({ maxTurns: 1, maxCostUsd: 0.5, maxTokens: 1000, maxWallMs: 5000 }, { maxCostUsd: 1 }, USAGE),
    ).toBeUndefined();
  });
  it("names the limit, the maximum and the value", () => {
    const over = checkBudget({ maxCostUsd: 0.5 }, {}, { ...USAGE, costUsd: 0.52 });
    expect(over).toMatchObject({ scope: "task", limit: "maxCostUsd", max: 0.5, value: 0.52 });
    expect(over?.reason).toBe("budget: maxCostUsd 0.50 reached (0.52)");
    expect(checkBudget({ maxTokens: 100 }, {}, USAGE)?.reason).toBe("budget: maxTokens 100 reached (100)");
    expect(checkBudget({ maxWallMs: 900 }, {}, USAGE)?.reason).toBe("budget: maxWallMs 900 reached (1000)");
    expect(checkBudget({}, { maxTokens: 50 }, USAGE)?.reason).toBe("budget: plan maxTokens 50 reached (100)");
  });
  it("counts turns over the limit: the maxTurns-th turn may run", () => {
    expect(checkBudget({ maxTurns: 2 }, {}, { ...USAGE, turns: 2 })).toBeUndefined();
    expect(checkBudget({ maxTurns: 2 }, {}, { ...USAGE, turns: 3 })?.reason).toBe("budget: maxTurns 2 reached (3)");
  });
});
