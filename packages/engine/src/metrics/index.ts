export { collectMetrics, type MetricsFilter, type MetricsReport } from "./collect-metrics.js";
export { taskMetrics, METRIC_EVENT_TYPES, type TaskMetrics, type StageDurations } from "./task-metrics.js";
export { planMetrics, type PlanMetrics } from "./plan-metrics.js";
export { toCsv, formatTable, formatPlans, formatDuration } from "./format-metrics.js";
