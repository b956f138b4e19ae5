import { Box, Text } from "ink";

export interface HeaderProps {
  projectLabel: string;
  projectCount: number;
  progress: { total: number; done: number; running: number; waiting: number; failed: number };
  width: number;
  source: string;
}

/** The project, the counts and the DAG progress bar. */
export function Header({ projectLabel, projectCount, progress, width, source }: HeaderProps) {
  const barWidth = Math.max(10, Math.min(40, width - 80));
  const filled = progress.total === 0 ? 0 : Math.round((progress.done / progress.total) * barWidth);
  const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold color="cyan">
          flotilla
        </Text>{" "}
        project: <Text bold>{projectLabel}</Text>
        <Text color="gray">
          {" "}
          ({projectCount} project{projectCount === 1 ? "" : "s"}, p to switch) · {source}
        </Text>
      </Text>
      <Text wrap="truncate">
        <Text color="green">✓ {progress.done} done</Text> · <Text color="cyan">● {progress.running} running</Text> ·{" "}
        <Text color="yellow">○ {progress.waiting} waiting</Text> · <Text color="red">✗ {progress.failed} failed</Text>{" "}
        {bar} {progress.done}/{progress.total}
      </Text>
    </Box>
  );
}
