import { z } from "zod";

export const ProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Absolute path to the top of the git work tree. */
  path: z.string().refine((p) => p.startsWith("/"), "must be an absolute path"),
  createdAt: z.string(),
});
export type Project = z.infer<typeof ProjectSchema>;

/** What the API accepts: only absolute paths; the CLI resolves relative ones first. */
export const AddProjectInputSchema = z.object({
  path: z
    .string()
    .min(1)
    .refine((p) => p.startsWith("/"), "must be an absolute path"),
  name: z.string().min(1).max(100).optional(),
});
export type AddProjectInput = z.infer<typeof AddProjectInputSchema>;
