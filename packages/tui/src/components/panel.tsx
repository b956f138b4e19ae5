import type { ReactNode } from "react";
import { Box, Text } from "ink";

export interface PanelProps {
  title: string;
  focused: boolean;
  width?: number | string;
  height: number;
  children?: ReactNode;
}

/** A bordered pane with a title; the focused one is drawn in cyan. */
export function Panel({ title, focused, width, height, children }: PanelProps) {
  return (
    <Box
      flexDirection="column"
      borderStyle={focused ? "double" : "single"}
      borderColor={focused ? "cyan" : "gray"}
      height={height}
      overflow="hidden"
      {...(width !== undefined ? { width } : {})}
    >
      <Text bold color={focused ? "cyan" : "white"} wrap="truncate">
        {title}
      </Text>
      {children}
    </Box>
  );
}

/** Rows inside a panel of `height`: minus the border and the title. */
export function innerRows(height: number): number {
  return Math.max(0, height - 3);
}
