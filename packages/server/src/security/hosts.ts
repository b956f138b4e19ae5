import { isIP } from "node:net";

/** Whether a bind address (or name) stays on this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** `host:port` as it appears in a Host header (IPv6 in brackets), lower case. */
export function hostHeaderOf(host: string, port: number): string {
  const h = host.toLowerCase();
  return isIP(h.replace(/^\[|\]$/g, "")) === 6 ? `[${h.replace(/^\[|\]$/g, "")}]:${port}` : `${h}:${port}`;
}

/**
 * The Host header values a server on `bindHost:port` answers to: the loopback names, the bound
 * address, and the configured names (a name without a port gets the server's port).
 */
export function allowedHostsFor(bindHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set(["127.0.0.1", "localhost", "::1"].map((h) => hostHeaderOf(h, port)));
  if (bindHost !== "0.0.0.0" && bindHost !== "::") hosts.add(hostHeaderOf(bindHost, port));
  for (const name of extra) hosts.add(/:\d+$/.test(name) ? name.toLowerCase() : hostHeaderOf(name, port));
  return hosts;
}

/** The name in a Host header value, without its port (`[::1]:7600` → `::1`). */
export function hostNameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1]!;
  return hostHeader.replace(/:\d+$/, "");
}
