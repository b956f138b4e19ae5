import { z } from "zod";

/** A one-time login link for the web UI (POST /login-codes): open `url` within 5 minutes, once. */
export const LoginLinkSchema = z.object({
  url: z.string(),
  expiresAt: z.string(),
});
export type LoginLink = z.infer<typeof LoginLinkSchema>;
