import { useEffect, useRef, useState } from "react";
import type { ConfigScope, FlotillaClient } from "@flotilla/client";
import { isDirty, openEditor, type ConfigCheck, type ConfigEditorState } from "./config-editor-state.js";
import { editKey, textOf, type EditKey } from "./text-edit.js";
import type { Banner } from "./ui-state.js";
import { messageOf } from "./use-view-state.js";

export interface ConfigEditing {
  editor: ConfigEditorState | undefined;
  /** Loads the scope's config file into the editor. */
  open(scope: ConfigScope, label: string): void;
  /** A key while the editor is open; false when it is closed. */
  handleKey(input: string, key: EditKey): boolean;
}

/**
 * The settings panel's editor: the text is checked with `client.validateConfig` a moment after
 * each change (every problem shown at its line), and ctrl-s saves with `client.saveConfig` only
 * once the check says it is valid. `onSaved` reloads what the panel shows.
 */
export function useConfigEditor(
  client: FlotillaClient,
  banner: (b: Banner) => void,
  onSaved: () => void,
  checkDelayMs = 250,
): ConfigEditing {
  const [editor, setEditor] = useState<ConfigEditorState | undefined>(undefined);
  // The truth between renders: keys arrive faster than React re-renders.
  const ref = useRef<ConfigEditorState | undefined>(undefined);
  const update = (next: ConfigEditorState | undefined) => {
    ref.current = next;
    setEditor(next);
  };
  /** Applies a check's answer if the text is still the one that was checked. */
  const settle = (text: string, check: ConfigCheck) => {
    const e = ref.current;
    if (e && textOf(e.buffer) === text) update({ ...e, check });
  };
  const checkText = async (scope: ConfigScope, text: string): Promise<Exclude<ConfigCheck, { state: "checking" }>> => {
    try {
      const v = await client.validateConfig({ ...scope, text });
      return v.valid ? { state: "valid" } : { state: "invalid", errors: v.errors };
    } catch (err) {
      return { state: "failed", message: messageOf(err) };
    }
  };

  const text = editor ? textOf(editor.buffer) : undefined;
  const scope = editor?.scope;
  useEffect(() => {
    if (text === undefined || scope === undefined) return;
    const timer = setTimeout(() => void checkText(scope, text).then((c) => settle(text, c)), checkDelayMs);
    return () => clearTimeout(timer);
    // Re-checked only when the text (or the file) changes.
  }, [text, scope, checkDelayMs]);

  const save = async (e: ConfigEditorState) => {
    const text = textOf(e.buffer);
    update({ ...e, saving: true, check: { state: "checking" } });
    const check = await checkText(e.scope, text);
    if (check.state !== "valid") {
      const now = ref.current;
      if (now) update({ ...now, saving: false, check });
      const why = check.state === "invalid" ? `${check.errors.length} problem(s)` : check.message;
      return banner({ tone: "error", text: `not saved: ${why}` });
    }
    try {
      const saved = await client.saveConfig({ ...e.scope, text });
      if (!saved.valid) {
        const now = ref.current;
        if (now) update({ ...now, saving: false, check: { state: "invalid", errors: saved.errors } });
        return banner({ tone: "error", text: `not saved: ${saved.errors.length} problem(s)` });
      }
      update(undefined);
      banner({ tone: "info", text: `saved ${saved.path}` });
      onSaved();
    } catch (err) {
      const now = ref.current;
      if (now) update({ ...now, saving: false });
      banner({ tone: "error", text: `not saved: ${messageOf(err)}` });
    }
  };

  return {
    editor,
    open(scope, label) {
      client.configFile(scope).then(
        (file) => update(openEditor(scope, label, file)),
        (err: unknown) => banner({ tone: "error", text: `cannot open the ${label} config: ${messageOf(err)}` }),
      );
    },
    handleKey(input, key) {
      const e = ref.current;
      if (!e) return false;
      if (e.saving) return true;
      const [buffer, outcome] = editKey(e.buffer, input, key);
      if (outcome === "cancel") {
        update(undefined);
        banner({ tone: "info", text: isDirty(e) ? "left the editor; changes not saved" : "left the editor" });
      } else if (outcome === "save") void save(e);
      else if (outcome === "changed") update({ ...e, buffer, check: { state: "checking" } });
      else if (outcome === "moved") update({ ...e, buffer });
      return true;
    },
  };
}
