import { monotonicFactory } from "ulid";
import { z } from "zod";

/** Prefixes of the ids Flotilla makes itself. A prefixed ULID sorts by creation time. */
export const ID_PREFIXES = ["proj", "task", "run", "evt", "plan", "ibx", "resume"] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

const nextUlid = monotonicFactory();

/** A new id such as `task_01JD3...`: the prefix says what it names, the ULID sorts by time. */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${nextUlid(now).toLowerCase()}`;
}

/**
 * A user-chosen or generated id that is safe to use in branch names, paths and argv:
 * it starts with a letter or digit and holds only letters, digits, `.`, `_` and `-`.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

export const SafeIdSchema = z
  .string()
  .regex(
    SAFE_ID_PATTERN,
    "must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 80 characters)",
  )
  .refine((s) => !s.includes(".."), "must not contain '..'")
  .refine((s) => !s.endsWith(".lock") && !s.endsWith("."), "must not end with '.lock' or '.'");

export const TaskIdSchema = SafeIdSchema;
export const RunIdSchema = z.string().regex(/^run_[0-9a-z]{26}$/, "must be a run id (run_…)");
export const ProjectIdSchema = z.string().regex(/^proj_[0-9a-z]{26}$/, "must be a project id (proj_…)");
