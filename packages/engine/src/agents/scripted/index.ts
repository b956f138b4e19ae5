export { createScriptedAdapter, NEEDS_SCRIPT_REASON, type ScriptedAdapterOptions } from "./scripted-adapter.js";
export { scriptedAgentMainPath, requireScriptedAgentMain } from "./agent-path.js";
export {
  ScriptedSessionSchema,
  type ScriptedSession,
  sessionFilePath,
  readSessionFile,
  writeSessionFile,
} from "./session-file.js";
