export { startMcpServer, type FlotillaMcpServer } from "./server.js";
export {
  QUEUED_ANSWER,
  ask,
  claimFiles,
  reportProgress,
  type Answerer,
  type ClaimResult,
  type RunRef,
} from "./tools.js";
