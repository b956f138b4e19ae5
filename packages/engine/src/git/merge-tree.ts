import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlotillaError } from "@flotilla/protocol";
import { identityConfigArgs, outputTail, UNATTENDED_COMMIT_CONFIG, type GitRunner } from "./git-runner.js";
import { parsePathLines, QUOTE_PATHS_CONFIG } from "./quoted-paths.js";
import { revParse } from "./repo-queries.js";
import type { ReplayCommitResult } from "./types.js";
import { assertAbsoluteDir, assertSafeRef } from "./validate.js";

/**
 * Replaying commits without a worktree: `merge-tree --write-tree` computes the cherry-picked
 * tree and a new commit object is written with the original author line and message bytes
 * (trailers included) and a new parent and committer. Nothing is checked out, no ref moves:
 * a conflict leaves only unreachable objects behind.
 */

/** The best common ancestor of `a` and `b`, or undefined when they share no history. */
export async function mergeBase(git: GitRunner, dir: string, a: string, b: string): Promise<string | undefined> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("commit", a);
  assertSafeRef("commit", b);
  const result = await git.run(dir, ["merge-base", "--end-of-options", a, b], { allowExitCodes: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The commits of `from..to` along first parents, oldest first (a merge commit stands for its side). */
export async function firstParentCommits(git: GitRunner, dir: string, from: string, to: string): Promise<string[]> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("from", from);
  assertSafeRef("to", to);
  const result = await git.run(dir, ["rev-list", "--first-parent", "--reverse", "--end-of-options", `${from}..${to}`]);
  return result.stdout.split("\n").filter((line) => line.length > 0);
}

/**
 * `commit` replayed onto `onto` as a cherry-pick would (its first parent as the merge base):
 * a new commit with the merged tree, parent `onto`, the same author line and message, and the
 * current identity as committer. A commit whose parent already is `onto` is returned as it is;
 * one whose change `onto` already holds is dropped (`empty`, and `commit` is `onto`).
 */
export async function replayCommit(
  git: GitRunner,
  dir: string,
  commit: string,
  onto: string,
): Promise<ReplayCommitResult> {
  assertAbsoluteDir("directory", dir);
  const sha = await revParse(git, dir, commit);
  const ontoSha = await revParse(git, dir, onto);
  const scratch = await mkdtemp(join(tmpdir(), "flotilla-replay-"));
  try {
    const header = await readHeader(git, dir, sha, scratch);
    const base = header.parents[0];
    if (base === undefined) {
      throw new FlotillaError("invalid_input", `cannot replay ${sha}: it is a root commit`, { commit: sha });
    }
    if (base === ontoSha) return { ok: true, commit: sha, empty: false };
    const ontoTree = (await git.run(dir, ["rev-parse", "--verify", `${ontoSha}^{tree}`])).stdout.trim();
    const identity = await identityConfigArgs(git, dir);
    // git 2.39's merge-tree has no --merge-base: a throwaway commit holding onto's tree on the
    // replayed commit's parent makes that parent the (only) merge base, as in a cherry-pick.
    const scaffold = await git.run(dir, [
      ...identity,
      ...UNATTENDED_COMMIT_CONFIG,
      "commit-tree",
      ontoTree,
      "-p",
      base,
      "-m",
      "flotilla: replay scaffold",
    ]);
    const merged = await git.run(
      dir,
      [
        ...QUOTE_PATHS_CONFIG,
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        scaffold.stdout.trim(),
        sha,
      ],
      { allowExitCodes: [1] },
    );
    const [tree = "", ...files] = merged.stdout.split("\n");
    if (merged.exitCode === 1) {
      const conflicts = [...new Set(parsePathLines(files.join("\n")))];
      return {
        ok: false,
        conflicts,
        message: `replaying ${sha} onto ${ontoSha} conflicts in: ${conflicts.join(", ")}`,
      };
    }
    if (tree.trim() === ontoTree) return { ok: true, commit: ontoSha, empty: true };
    const created = await writeCommit(git, dir, scratch, { tree: tree.trim(), parent: ontoSha, sha, header, identity });
    return { ok: true, commit: created, empty: false };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface CommitHeader {
  parents: string[];
  /** The raw `author` header line, byte for byte (latin1-decoded, so it round-trips). */
  authorLine: string;
  encoding?: string;
}

async function readHeader(git: GitRunner, dir: string, sha: string, scratch: string): Promise<CommitHeader> {
  // Written to a file, not read from stdout: the author line keeps its exact bytes.
  const file = join(scratch, "raw");
  await git.run(dir, ["-c", "log.showSignature=false", "log", "-1", "--pretty=raw", `--output=${file}`, sha, "--"]);
  const raw = (await readFile(file)).toString("latin1");
  const header: CommitHeader = { parents: [], authorLine: "" };
  for (const line of raw.split("\n")) {
    if (line === "") break;
    if (line.startsWith("parent ")) header.parents.push(line.slice(7).trim());
    else if (line.startsWith("author ")) header.authorLine = line;
    else if (line.startsWith("encoding ")) header.encoding = line.slice(9).trim();
  }
  if (header.authorLine === "") throw new FlotillaError("git_failed", `commit ${sha} has no author line`);
  if (header.encoding !== undefined && !/^[A-Za-z0-9._:-]+$/.test(header.encoding)) {
    throw new FlotillaError("invalid_input", `commit ${sha} names an unusable encoding`, { commit: sha });
  }
  return header;
}

async function writeCommit(
  git: GitRunner,
  dir: string,
  scratch: string,
  c: { tree: string; parent: string; sha: string; header: CommitHeader; identity: string[] },
): Promise<string> {
  const messageFile = join(scratch, "message");
  // In the commit's own encoding, git prints the message verbatim.
  await git.run(dir, [
    "-c",
    "log.showSignature=false",
    "log",
    "-1",
    `--encoding=${c.header.encoding ?? "UTF-8"}`,
    "--pretty=format:%B",
    `--output=${messageFile}`,
    c.sha,
    "--",
  ]);
  const committer = (await git.run(dir, [...c.identity, "var", "GIT_COMMITTER_IDENT"])).stdout.trim();
  const head =
    `tree ${c.tree}\nparent ${c.parent}\n` +
    `${c.header.authorLine}\n` +
    `committer ${committer}\n` +
    (c.header.encoding !== undefined ? `encoding ${c.header.encoding}\n` : "") +
    "\n";
  const objectFile = join(scratch, "commit");
  await writeFile(objectFile, Buffer.concat([Buffer.from(head, "latin1"), await readFile(messageFile)]));
  const written = await git.run(dir, ["hash-object", "-t", "commit", "-w", "--no-filters", "--", objectFile]);
  const created = written.stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(created)) {
    throw new FlotillaError(
      "git_failed",
      `writing the replayed commit of ${c.sha} failed: ${outputTail(written.stderr)}`,
    );
  }
  return created;
}

/**
 * When every commit of `head` that `target` lacks has an equivalent (same patch-id) on
 * `target`, the newest such equivalent on `target`: the change has landed already, as a
 * replay. Otherwise undefined. With `hint` (e.g. `Flotilla-Task: task_1`), a target holding
 * no commit whose message contains it since the common base is answered at once (no diffs).
 */
export async function findLandedEquivalent(
  git: GitRunner,
  dir: string,
  head: string,
  target: string,
  hint?: string,
): Promise<string | undefined> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("head", head);
  assertSafeRef("target", target);
  if (hint !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (hint.trim() === "" || /[\x00-\x1f\x7f]/.test(hint)) throw new FlotillaError("invalid_input", "bad search hint");
    const base = await mergeBase(git, dir, head, target);
    const range = base === undefined ? target : `${base}..${target}`;
    const found = await git.run(dir, [
      "log",
      "-1",
      "--format=%H",
      "--fixed-strings",
      `--grep=${hint}`,
      "--end-of-options",
      range,
      "--",
    ]);
    if (found.stdout.trim() === "") return undefined;
  }
  const side = async (which: "--left-only" | "--right-only") =>
    (
      await git.run(dir, ["rev-list", "--cherry-mark", "--no-merges", which, "--end-of-options", `${target}...${head}`])
    ).stdout
      .split("\n")
      .filter((line) => line.length > 0);
  const ours = await side("--right-only");
  if (ours.length === 0 || ours.some((line) => !line.startsWith("="))) return undefined;
  const theirs = await side("--left-only");
  return theirs.find((line) => line.startsWith("="))?.slice(1);
}
