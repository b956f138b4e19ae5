import type { InboxItem } from "@flotilla/client";

/** The permission request the modal shows: the oldest one not closed without a decision. */
export function nextPermission(
  items: readonly InboxItem[] | undefined,
  dismissed: ReadonlySet<string>,
): InboxItem | undefined {
  return items?.find((i) => i.kind === "permission" && !dismissed.has(i.id));
}

const PATH_KEYS = ["path", "file_path", "filePath", "file", "filename", "notebook_path", "cwd", "directory"];
const COMMAND_KEYS = ["command", "cmd", "script"];

export interface PermissionSummary {
  tool: string;
  /** The file or directory it touches, when its input names one. */
  path?: string;
  /** The command it runs, when its input is one. */
  command?: string;
}

/** What a permission request is about, picked out of the tool's input for the modal's headline. */
export function summarizePermission(item: InboxItem): PermissionSummary {
  const out: PermissionSummary = { tool: item.tool ?? "a tool" };
  const input = item.input;
  if (typeof input === "string") return { ...out, command: input };
  if (input === null || typeof input !== "object") return out;
  const rec = input as Record<string, unknown>;
  const path = PATH_KEYS.map((k) => rec[k]).find((v): v is string => typeof v === "string");
  const raw = COMMAND_KEYS.map((k) => rec[k]).find((v) => typeof v === "string" || Array.isArray(v));
  const command = Array.isArray(raw) ? raw.map(String).join(" ") : typeof raw === "string" ? raw : undefined;
  return { ...out, ...(path !== undefined ? { path } : {}), ...(command !== undefined ? { command } : {}) };
}

export const KIND_LABELS: Record<InboxItem["kind"], string> = {
  question: "question",
  permission: "permission",
  conflict: "conflict",
  failure: "failure",
  approval: "approval",
};

/** The inbox, the oldest first (what has waited longest comes first). */
export function sortInbox(items: readonly InboxItem[]): InboxItem[] {
  return [...items].sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
}
