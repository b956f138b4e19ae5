import type { FlotillaClient, MergeBatch } from "@flotilla/client";
import { CommitRefSchema, MetricsQuerySchema } from "@flotilla/client";
import { collectMetrics } from "@flotilla/engine";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type QueueApi = Pick<FlotillaClient, "mergeQueue" | "metrics" | "config" | "ci">;

const RECENT_BATCHES = 20;

/** The merge queue, metrics, the merged config and CI records: read-only views of the store. */
export function createQueueApi({ engine }: ApiDeps): QueueApi {
  const { store } = engine;
  return {
    async mergeQueue(ref) {
      const projects = ref !== undefined ? [projectOf(engine, ref)] : engine.projects.list();
      const tasks = projects
        .flatMap((p) => store.read.tasks.list({ projectId: p.id, statuses: ["awaiting_merge", "merging"] }))
        .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
      const batches: MergeBatch[] = [];
      for (const p of projects) {
        const targets = new Set(store.read.tasks.list({ projectId: p.id }).map((t) => t.targetBranch));
        for (const target of targets)
          batches.push(...store.read.mergeBatches.recent(p.id, target, { limit: RECENT_BATCHES, batchesOnly: true }));
      }
      batches.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      return { tasks, batches: batches.slice(0, RECENT_BATCHES) };
    },
    async metrics(query = {}) {
      const q = MetricsQuerySchema.parse(query);
      return collectMetrics(store, {
        ...(q.project !== undefined ? { projectId: projectOf(engine, q.project).id } : {}),
        ...(q.plan !== undefined ? { planId: q.plan } : {}),
      });
    },
    config: async (ref) => (ref !== undefined ? engine.configFor(projectOf(engine, ref)) : engine.globalConfig),
    ci: async (commit) => engine.ci(CommitRefSchema.parse(commit)),
  };
}
