export {
  RUN_CREDENTIAL_ARG,
  SHARED_MCP_PATH,
  runCredential,
  sharedUrl,
  startMcpServer,
  type FlotillaMcpServer,
} from "./server.js";
export {
  MCP_QUESTION_PREFIX,
  QUEUED_ANSWER,
  ask,
  claimFiles,
  queuedQuestions,
  reportProgress,
  type AnswerOutcome,
  type Answerer,
  type ClaimResult,
  type McpDeps,
  type RunRef,
} from "./tools.js";
