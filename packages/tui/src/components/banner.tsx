import { Text } from "ink";
import type { Banner } from "../ui-state.js";
import { KEY_HELP } from "../keymap.js";

/** The status line: the last action's result (errors in red), else the key help. */
export function StatusLine({ banner, width }: { banner: Banner | undefined; width: number }) {
  if (banner) {
    return (
      <Text color={banner.tone === "error" ? "red" : "green"} wrap="truncate">
        {banner.tone === "error" ? "✗ " : "✓ "}
        {banner.text.slice(0, width)}
      </Text>
    );
  }
  return (
    <Text color="gray" wrap="truncate">
      {KEY_HELP.map(([k, what]) => `${k} ${what}`).join(" · ")}
    </Text>
  );
}
