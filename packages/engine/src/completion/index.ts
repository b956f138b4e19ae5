export { checkCompletion, completionRoundsUsed, type CompletionVerdict } from "./check-completion.js";
export { evaluateCompletion, type CompletionFindings, type CompletionRules } from "./evaluate.js";
