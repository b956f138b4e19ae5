import { readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isProcessAlive } from "@flotilla/engine";

/** `$FLOTILLA_HOME/server.json`: how a CLI finds a running daemon. */
export const ServerInfoSchema = z.object({ pid: z.number().int(), url: z.string(), startedAt: z.string() });
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const SERVER_FILE = "server.json";
export const TOKEN_FILE = "server-token";

export function serverFilePath(home: string): string {
  return join(home, SERVER_FILE);
}

/** Writes the file (0600) atomically. */
export function writeServerInfo(home: string, info: ServerInfo): void {
  const file = serverFilePath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes the file if it is still ours (another server may have started since). */
export function removeServerInfo(home: string, pid = process.pid): void {
  const info = readServerFile(home);
  if (info && info.pid === pid) rmSync(serverFilePath(home), { force: true });
}

/** The running daemon, if the file names a live process; a stale file is ignored. */
export function findRunningServer(home: string): ServerInfo | undefined {
  const info = readServerFile(home);
  return info && isProcessAlive(info.pid) ? info : undefined;
}

function readServerFile(home: string): ServerInfo | undefined {
  try {
    const parsed = ServerInfoSchema.safeParse(JSON.parse(readFileSync(serverFilePath(home), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
