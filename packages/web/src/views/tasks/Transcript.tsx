import type { TranscriptEntry } from "@flotilla/client";
import { formatInput } from "../../ui/format.js";
import { Markdown } from "../../ui/Markdown.js";

/** A task's conversation: prompts and agent messages as markdown, tool calls collapsible. */
export function TranscriptView({ entries, working }: { entries: readonly TranscriptEntry[]; working: boolean }) {
  const lastRun = entries.findLast((e) => e.kind === "run")?.runId;
  return (
    <div className="chat" aria-live="polite">
      {entries.map((e, i) => (
        <Entry key={`${e.seq}:${i}`} entry={e} live={working && e.runId === lastRun} />
      ))}
      {working && (
        <div className="msg msg-notice">
          <span className="spinner" aria-hidden="true" /> the agent is working…
        </div>
      )}
    </div>
  );
}

function Entry({ entry: e, live }: { entry: TranscriptEntry; live: boolean }) {
  switch (e.kind) {
    case "run":
      return (
        <div className="msg-run">
          {e.role === "reviewer" ? "review" : `attempt ${e.attempt}`} · {e.agent} · {time(e.at)}
        </div>
      );
    case "user":
      return (
        <div className="msg msg-user">
          <div className="msg-head">you → agent · {time(e.at)}</div>
          <Markdown text={e.text} />
        </div>
      );
    case "agent":
      return (
        <div className="msg msg-agent">
          <div className="msg-head">agent · {time(e.at)}</div>
          <Markdown text={e.text} />
        </div>
      );
    case "tool":
      return <ToolCall entry={e} live={live} />;
    case "notice":
      return (
        <div className={`notice topic-${e.topic}`}>
          <span className="notice-topic">{e.topic}</span> <span className="notice-text">{e.text}</span>
        </div>
      );
  }
}

function ToolCall({ entry: e, live }: { entry: Extract<TranscriptEntry, { kind: "tool" }>; live: boolean }) {
  const input = formatInput(e.input);
  const noOutput = e.output === undefined;
  // A call without a result is still running only while its run is.
  const pending = noOutput && live;
  return (
    <details className={e.isError ? "tool error" : "tool"}>
      <summary>
        {e.isError ? "✗ " : pending ? "… " : ""}
        {e.name}
        {input && <span className="muted"> {oneLine(input)}</span>}
      </summary>
      {input && (
        <>
          <div className="msg-head">input</div>
          <pre>{input}</pre>
        </>
      )}
      <div className="msg-head">{pending ? "running…" : e.isError ? "error" : "result"}</div>
      {!pending && <pre>{noOutput ? "(no result recorded)" : e.output === "" ? "(no output)" : e.output}</pre>}
    </details>
  );
}

function oneLine(text: string, max = 80): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function time(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString();
}
