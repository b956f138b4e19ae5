import { Text } from "ink";
import { describeIssue, editorRows, isDirty, type ConfigEditorState } from "../config-editor-state.js";
import { windowAround } from "../selectors.js";
import { Panel, innerRows } from "./panel.js";

export interface ConfigEditorProps {
  editor: ConfigEditorState;
  width: number;
  height: number;
}

/**
 * A config file in an editor: line numbers, the cursor, and each problem the server's check
 * found right under the line it is on (key path, line:column, what is wrong). ctrl-s saves
 * (only a valid text is saved), esc leaves without saving.
 */
export function ConfigEditor({ editor, width, height }: ConfigEditorProps) {
  const { buffer, check } = editor;
  const rows = editorRows(buffer.lines.length, check);
  const cursorRow = rows.findIndex((r) => r.kind === "line" && r.line === buffer.row);
  // One row for the status line under the text.
  const { start, end } = windowAround(rows.length, Math.max(0, cursorRow), Math.max(1, innerRows(height) - 1));
  const gutter = String(buffer.lines.length).length;
  const textWidth = Math.max(10, width - gutter - 6);
  const shift = buffer.col >= textWidth ? buffer.col - textWidth + 1 : 0;
  const errorLines = new Set(
    check.state === "invalid" ? check.errors.flatMap((e) => (e.line ? [e.line - 1] : [])) : [],
  );
  const title =
    `Edit ${editor.label} config: ${editor.path}${editor.exists ? "" : " (new)"}${isDirty(editor) ? " *" : ""}` +
    " (ctrl-s save · esc back)";
  return (
    <Panel title={title} focused width={width} height={height}>
      {rows.slice(start, end).map((row, i) => {
        if (row.kind === "issue") {
          return (
            <Text key={`i${start + i}`} color="red" wrap="truncate">
              {" ".repeat(gutter + 1)}↳ {describeIssue(row.issue)}
            </Text>
          );
        }
        const line = buffer.lines[row.line] ?? "";
        const number = String(row.line + 1).padStart(gutter);
        const mark = errorLines.has(row.line) ? "●" : " ";
        if (row.line !== buffer.row) {
          return (
            <Text key={`l${row.line}`} wrap="truncate">
              <Text color={errorLines.has(row.line) ? "red" : "gray"}>
                {number}
                {mark}
              </Text>{" "}
              {line.slice(shift, shift + textWidth)}
            </Text>
          );
        }
        const visible = line.slice(shift);
        const at = buffer.col - shift;
        return (
          <Text key={`l${row.line}`} wrap="truncate">
            <Text color={errorLines.has(row.line) ? "red" : "cyan"}>
              {number}
              {mark}
            </Text>{" "}
            {visible.slice(0, at)}
            <Text inverse>{visible[at] ?? " "}</Text>
            {visible.slice(at + 1, textWidth)}
          </Text>
        );
      })}
      <CheckLine editor={editor} />
    </Panel>
  );
}

function CheckLine({ editor }: { editor: ConfigEditorState }) {
  const { check } = editor;
  if (editor.saving) return <Text color="gray">saving…</Text>;
  switch (check.state) {
    case "checking":
      return <Text color="gray">checking…</Text>;
    case "valid":
      return <Text color="green">✓ valid{isDirty(editor) ? " — ctrl-s saves" : ""}</Text>;
    case "invalid":
      return (
        <Text color="red" wrap="truncate">
          ✗ {check.errors.length} problem(s); not saved until fixed
        </Text>
      );
    case "failed":
      return (
        <Text color="red" wrap="truncate">
          ✗ cannot check: {check.message}
        </Text>
      );
  }
}
