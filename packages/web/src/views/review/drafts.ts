import type { ReviewCommentsRequest } from "@flotilla/client";
import { anchorKey, formatAnchor, sameAnchor, type LineAnchor, type Side } from "./diff-model.js";

/**
 * A review in progress: the pending inline comments and the summary, kept per task and head
 * commit in localStorage so that nothing typed is lost (a reload, a refused send, a closed tab).
 */

export interface DraftComment extends LineAnchor {
  /** Local id (stable while editing). */
  id: string;
  body: string;
  /** Why the server refused it (a line that no longer exists at the task's head). */
  error?: string;
}

export interface ReviewDraft {
  comments: DraftComment[];
  summary: string;
}

export const emptyDraft = (): ReviewDraft => ({ comments: [], summary: "" });

/** The part of `Storage` used here (so tests pass a Map-backed one). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

const PREFIX = "flotilla.review.";

export function draftKey(taskId: string, head: string): string {
  return `${PREFIX}${taskId}.${head}`;
}

export function loadDraft(store: KeyValueStore | undefined, taskId: string, head: string): ReviewDraft {
  const raw = safeGet(store, draftKey(taskId, head));
  if (raw === null) return emptyDraft();
  return parseDraft(raw) ?? emptyDraft();
}

/** Saves the draft; an empty one removes the entry. */
export function saveDraft(store: KeyValueStore | undefined, taskId: string, head: string, draft: ReviewDraft): void {
  if (!store) return;
  const key = draftKey(taskId, head);
  try {
    if (draft.comments.length === 0 && draft.summary.trim() === "") store.removeItem(key);
    else store.setItem(key, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft still lives in the page.
  }
}

export function clearDraft(store: KeyValueStore | undefined, taskId: string, head: string): void {
  try {
    store?.removeItem(draftKey(taskId, head));
  } catch {
    // ignore
  }
}

/** Drafts of this task kept for other head commits (the agent pushed since they were written). */
export function otherHeadDrafts(
  store: KeyValueStore | undefined,
  taskId: string,
  head: string,
): { head: string; draft: ReviewDraft }[] {
  if (!store) return [];
  const prefix = `${PREFIX}${taskId}.`;
  const out: { head: string; draft: ReviewDraft }[] = [];
  try {
    for (let i = 0; i < store.length; i++) {
      const key = store.key(i);
      if (!key || !key.startsWith(prefix)) continue;
      const other = key.slice(prefix.length);
      if (other === head || !/^[0-9a-f]{4,64}$/.test(other)) continue;
      const draft = parseDraft(store.getItem(key) ?? "");
      if (draft && (draft.comments.length > 0 || draft.summary.trim() !== "")) out.push({ head: other, draft });
    }
  } catch {
    return [];
  }
  return out;
}

function safeGet(store: KeyValueStore | undefined, key: string): string | null {
  try {
    return store ? store.getItem(key) : null;
  } catch {
    return null;
  }
}

function parseDraft(raw: string): ReviewDraft | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { comments?: unknown; summary?: unknown };
  const comments: DraftComment[] = [];
  if (Array.isArray(v.comments)) {
    for (const c of v.comments as unknown[]) {
      const d = toDraftComment(c);
      if (d) comments.push(d);
    }
  }
  return { comments, summary: typeof v.summary === "string" ? v.summary : "" };
}

function toDraftComment(c: unknown): DraftComment | undefined {
  if (typeof c !== "object" || c === null) return undefined;
  const o = c as Record<string, unknown>;
  if (typeof o.path !== "string" || typeof o.body !== "string") return undefined;
  if (typeof o.line !== "number" || !Number.isInteger(o.line) || o.line < 1) return undefined;
  const side: Side = o.side === "old" ? "old" : "new";
  return {
    id: typeof o.id === "string" ? o.id : newDraftId(),
    path: o.path,
    side,
    line: o.line,
    body: o.body,
    ...(typeof o.error === "string" ? { error: o.error } : {}),
  };
}

let counter = 0;
export function newDraftId(): string {
  counter++;
  return `c${Date.now().toString(36)}${counter.toString(36)}`;
}

// ── editing ─────────────────────────────────────────────────────────────────────────────────

/** Adds a comment on a line (a second one on the same line is its own comment). */
export function addComment(draft: ReviewDraft, anchor: LineAnchor, body: string, id = newDraftId()): ReviewDraft {
  return { ...draft, comments: [...draft.comments, { id, ...anchor, body }] };
}

/** Changes a comment's text (and forgets an old refusal: the person is fixing it). */
export function editComment(draft: ReviewDraft, id: string, body: string): ReviewDraft {
  return {
    ...draft,
    comments: draft.comments.map((c) => (c.id === id ? withoutError({ ...c, body }) : c)),
  };
}

export function removeComment(draft: ReviewDraft, id: string): ReviewDraft {
  return { ...draft, comments: draft.comments.filter((c) => c.id !== id) };
}

export function commentsAt(draft: ReviewDraft, anchor: LineAnchor): DraftComment[] {
  return draft.comments.filter((c) => sameAnchor(c, anchor));
}

/** The pending comments in reading order: by path, then line, old side first. */
export function sortedComments(comments: readonly DraftComment[]): DraftComment[] {
  return [...comments].sort((a, b) =>
    a.path !== b.path
      ? a.path < b.path
        ? -1
        : 1
      : a.line !== b.line
        ? a.line - b.line
        : a.side === b.side
          ? 0
          : a.side === "old"
            ? -1
            : 1,
  );
}

function withoutError(c: DraftComment): DraftComment {
  const { error: _error, ...rest } = c;
  return rest;
}

// ── sending ─────────────────────────────────────────────────────────────────────────────────

/** The request for `client.reviewComments`: comments with text, trimmed; the summary when given. */
export function toRequest(head: string, draft: ReviewDraft): ReviewCommentsRequest {
  const comments = draft.comments
    .filter((c) => c.body.trim() !== "")
    .map((c) => ({ path: c.path, line: c.line, side: c.side, body: c.body.trim() }));
  const summary = draft.summary.trim();
  return { head, comments, ...(summary !== "" ? { summary } : {}) };
}

/** Why the draft cannot be sent yet, or undefined when it can. */
export function cannotSend(draft: ReviewDraft): string | undefined {
  if (!draft.comments.some((c) => c.body.trim() !== "")) return "Write at least one inline comment first.";
  if (draft.comments.length > 500) return "At most 500 comments can be sent at once.";
  return undefined;
}

/** What a refused send says (a ClientError, or anything thrown). */
export interface Refusal {
  status?: number;
  code?: string;
  message: string;
  data?: Record<string, unknown>;
}

/**
 * Marks the comments a refusal names (stale lines) with the server's message, and clears the
 * mark on the others. The server names them in its error data (an array of `{ path, line, side? }`
 * under any key) or in its message (`path:line`); when the refusal names none of the drafts, every
 * comment is kept unmarked and `named` is 0 (the caller shows the message above the list).
 */
export function markRefused(draft: ReviewDraft, refusal: Refusal): { draft: ReviewDraft; named: number } {
  const refs = refusedRefs(refusal.data);
  let named = 0;
  const comments = draft.comments.map((c) => {
    const hit =
      refs.some((r) => r.path === c.path && r.line === c.line && (r.side === undefined || r.side === c.side)) ||
      (refs.length === 0 && mentions(refusal.message, c));
    const clean = withoutError(c);
    if (!hit) return clean;
    named++;
    const own = refs.find((r) => r.path === c.path && r.line === c.line && r.message !== undefined)?.message;
    return { ...clean, error: own ?? refusal.message };
  });
  return { draft: { ...draft, comments }, named };
}

interface RefusedRef {
  path: string;
  line: number;
  side?: Side;
  message?: string;
}

/** Every `{ path, line }` object found in the error's data (any depth, any key). */
function refusedRefs(data: unknown, depth = 0): RefusedRef[] {
  if (depth > 4 || data === null || typeof data !== "object") return [];
  if (Array.isArray(data)) return data.flatMap((d) => refusedRefs(d, depth + 1));
  const o = data as Record<string, unknown>;
  if (typeof o.path === "string" && typeof o.line === "number") {
    return [
      {
        path: o.path,
        line: o.line,
        ...(o.side === "old" || o.side === "new" ? { side: o.side } : {}),
        ...(typeof o.message === "string" ? { message: o.message } : {}),
      },
    ];
  }
  return Object.values(o).flatMap((v) => refusedRefs(v, depth + 1));
}

function mentions(message: string, c: LineAnchor): boolean {
  const needle = `${c.path}:${c.line}`;
  let at = message.indexOf(needle);
  while (at >= 0) {
    const next = message[at + needle.length];
    if (next === undefined || !/[0-9]/.test(next)) return true;
    at = message.indexOf(needle, at + 1);
  }
  return false;
}

/** Comments whose line the current diff does not show (kept, flagged in the list). */
export function offDiff(draft: ReviewDraft, anchors: ReadonlySet<string>): Set<string> {
  return new Set(draft.comments.filter((c) => !anchors.has(anchorKey(c))).map((c) => c.id));
}

/** `src/a.ts:12`, for the pending list. */
export const commentLabel = (c: DraftComment): string => formatAnchor(c);

// ── the view's remembered layout ────────────────────────────────────────────────────────────

export type DiffMode = "split" | "unified";
const MODE_KEY = "flotilla.review.mode";

/** The layout last chosen; without one, side by side on a wide screen and unified on a narrow one. */
export function loadMode(store: KeyValueStore | undefined, narrow: boolean): DiffMode {
  const saved = safeGet(store, MODE_KEY);
  if (saved === "split" || saved === "unified") return saved;
  return narrow ? "unified" : "split";
}

export function saveMode(store: KeyValueStore | undefined, mode: DiffMode): void {
  try {
    store?.setItem(MODE_KEY, mode);
  } catch {
    // ignore
  }
}
