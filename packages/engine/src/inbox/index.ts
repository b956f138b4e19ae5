export { listInbox, inboxId, type InboxItem, type InboxKind, type InboxAction } from "./list-inbox.js";
export { answerItem, approveItem, denyItem, findItem, type ApproveOptions } from "./inbox-actions.js";
