import { useEffect, useRef, useState } from "react";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import { isClientError } from "@flotilla/client";
import { links } from "../../router.js";
import { useClient, useView } from "../../state/flotilla.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { closeMessage, resizeMessage, terminalUrl, type CloseInfo, type TerminalPhase } from "./terminal-logic.js";
import "./terminal.css";

/**
 * `#/tasks/:id/terminal`: a shell in the task's worktree, over the server's WebSocket
 * (`/tasks/:id/terminal`, same origin: the login cookie goes along). Keystrokes go out as text
 * frames, the size as `{"type":"resize"}` whenever the pane changes, and the pty's output is
 * written to xterm.js. When the server refuses or closes it, the page says why.
 */
export function TerminalView({ taskId }: { taskId: string }) {
  const client = useClient();
  const view = useView();
  const task = view?.tasks[taskId];
  const paneRef = useRef<HTMLDivElement>(null);
  const [phase, setPhase] = useState<TerminalPhase>("connecting");
  const [message, setMessage] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const pane = paneRef.current;
    if (!pane) return;
    let disposed = false;
    setPhase("connecting");
    setMessage(undefined);

    const term = new Terminal({
      cursorBlink: true,
      fontSize: 13,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      scrollback: 5000,
      theme: { background: "#111418", foreground: "#e6e6e6" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(pane);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // not laid out yet
      }
    };
    refit();

    const ws = new WebSocket(terminalUrl(window.location, taskId, { cols: term.cols, rows: term.rows }));
    ws.binaryType = "arraybuffer";
    let opened = false;
    const sendSize = (cols: number, rows: number) => {
      const msg = resizeMessage(cols, rows);
      if (msg && ws.readyState === WebSocket.OPEN) ws.send(msg);
    };

    ws.onopen = () => {
      if (disposed) return;
      opened = true;
      setPhase("open");
      refit();
      sendSize(term.cols, term.rows);
      term.focus();
    };
    ws.onmessage = (e: MessageEvent<string | ArrayBuffer>) => {
      if (typeof e.data === "string") term.write(e.data);
      else term.write(new Uint8Array(e.data));
    };
    ws.onclose = (e: CloseEvent) => {
      if (disposed) return;
      setPhase("closed");
      const info: CloseInfo = { code: e.code, reason: e.reason, opened };
      const show = (i: CloseInfo) => {
        if (disposed) return;
        const text = closeMessage(i);
        setMessage(text);
        term.write(`\r\n\x1b[2m[${text}]\x1b[0m\r\n`);
      };
      // Ask the API about the task: the WebSocket cannot say why an upgrade was refused.
      client.getTask(taskId).then(
        (t) => show({ ...info, task: { exists: true, status: t.state.status, worktreePath: t.worktreePath } }),
        (err: unknown) =>
          show(isClientError(err) && err.code === "not_found" ? { ...info, task: { exists: false } } : info),
      );
    };

    const typed = term.onData((data) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    });
    const resized = term.onResize(({ cols, rows }) => sendSize(cols, rows));
    const observer = new ResizeObserver(() => refit());
    observer.observe(pane);

    return () => {
      disposed = true;
      observer.disconnect();
      typed.dispose();
      resized.dispose();
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000, "page left");
      term.dispose();
    };
  }, [client, taskId, attempt]);

  return (
    <section className="term" aria-label="terminal">
      <header className="term-head">
        <h1 className="term-title">
          Terminal · <a href={links.task(taskId)}>{task?.title ?? taskId}</a>
        </h1>
        {task && <StatusBadge status={task.state.status} />}
        <span className={`term-phase term-${phase}`} role="status" data-phase={phase}>
          {phase === "connecting" ? "connecting…" : phase === "open" ? "connected" : "closed"}
        </span>
        <span className="term-spacer" />
        <a className="button" href={links.diff(taskId)}>
          Diff
        </a>
        {phase === "closed" && (
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Reconnect
          </button>
        )}
      </header>
      {message !== undefined && (
        <p className="term-message" role="alert">
          {message}
        </p>
      )}
      <div className="term-pane" ref={paneRef} data-testid="terminal-pane" />
    </section>
  );
}
