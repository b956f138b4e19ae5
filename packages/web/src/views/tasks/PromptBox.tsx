import { useState, type RefObject } from "react";
import { useClient } from "../../state/flotilla.js";
import { messageOf } from "../../state/live-store.js";

/** A follow-up into the task's agent session (Ctrl/⌘+Enter sends). */
export function PromptBox({
  taskId,
  blocked,
  inputRef,
}: {
  taskId: string;
  /** Why a follow-up cannot go in now (the box is disabled and says so). */
  blocked: string | undefined;
  inputRef?: RefObject<HTMLTextAreaElement | null>;
}) {
  const client = useClient();
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  async function send(): Promise<void> {
    const message = text.trim();
    if (!message || sending || blocked) return;
    setSending(true);
    setError(undefined);
    try {
      await client.followUp(taskId, message);
      setText("");
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setSending(false);
    }
  }

  return (
    <form
      className="prompt-box"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div style={{ flex: 1 }}>
        <textarea
          ref={inputRef}
          aria-label="follow-up message"
          placeholder={blocked ?? "Ask the agent for a change (Ctrl+Enter to send)"}
          disabled={blocked !== undefined || sending}
          value={text}
          rows={2}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void send();
            }
          }}
        />
        {error && (
          <div className="tone-failed" role="alert">
            {error}
          </div>
        )}
      </div>
      <button type="submit" className="primary" disabled={blocked !== undefined || sending || text.trim() === ""}>
        {sending ? "Sending…" : "Send"}
      </button>
    </form>
  );
}
