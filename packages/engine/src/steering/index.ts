export { taskDiff, type TaskDiffResult } from "./task-diff.js";
export {
  commentedLine,
  composeReview,
  reviewMessage,
  type ReviewComment,
  type ReviewInput,
} from "./review-comments.js";
