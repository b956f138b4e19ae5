import { createContext, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import type { InboxItem } from "@flotilla/client";
import { useClient, useFlotillaEvents, useView } from "./flotilla.js";
import { useOnChange, useRemote, type Remote } from "./use-remote.js";

interface InboxContextValue extends Remote<InboxItem[]> {
  /** Permission requests the person closed without deciding (the modal does not pop them again). */
  dismissed: ReadonlySet<string>;
  dismiss: (itemId: string) => void;
}

const InboxContext = createContext<InboxContextValue | undefined>(undefined);

/**
 * The needs-you inbox, fetched from the client (`client.inbox()`; it is the server's, derived
 * from the store) once for the nav badge, the inbox page and the permissions modal. Refetched when
 * the view's needs-you items move, or an agent asks a question or for a permission.
 */
export function InboxProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const view = useView();
  const remote = useRemote(() => client.inbox(), "inbox");
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const reloadRef = useRef(remote.reload);
  reloadRef.current = remote.reload;
  useOnChange(view?.needsYou, remote.reload, 300);
  useFlotillaEvents((e) => {
    const p = e.payload;
    if (p.type === "run.agent-event" && (p.event.type === "permission_request" || p.event.type === "question")) {
      reloadRef.current();
    }
  });
  const value = useMemo<InboxContextValue>(
    () => ({ ...remote, dismissed, dismiss: (id) => setDismissed((s) => new Set([...s, id])) }),
    [remote, dismissed],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}

export function useInbox(): InboxContextValue {
  const v = useContext(InboxContext);
  if (!v) throw new Error("useInbox outside <InboxProvider>");
  return v;
}
