import { Modal } from "../ui/Modal.js";
import type { ViewRoute } from "../routes.js";

/** Extra shortcuts, beyond the views' own `g x`: shown by `?`. */
export const GLOBAL_KEYS: readonly { keys: string; what: string }[] = [
  { keys: "j / k", what: "next / previous item in a list" },
  { keys: "Enter", what: "open the selected item" },
  { keys: "d", what: "on a session: its diff" },
  { keys: "t", what: "on a session: its terminal" },
  { keys: "r", what: "on a session: write a follow-up (Ctrl+Enter sends)" },
  { keys: "?", what: "this help" },
  { keys: "Esc", what: "close a dialog" },
];

export function HelpOverlay({ routes, onClose }: { routes: readonly ViewRoute[]; onClose: () => void }) {
  const rows = [
    ...routes.filter((r) => r.shortcut).map((r) => ({ keys: r.shortcut ?? "", what: `go to ${r.title}` })),
    ...GLOBAL_KEYS,
  ];
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="keys-table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.keys}>
              <td>{r.keys.split(" ").map((k, i) => (k === "/" ? " / " : <kbd key={i}>{k}</kbd>))}</td>
              <td>{r.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
