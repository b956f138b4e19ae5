import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Task } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, runCli, tempDir } from "../support/fixtures.js";
import {
  ensureWebBuilt,
  eventually,
  filesContaining,
  freshLoginLink,
  launchBrowser,
  newPage,
  requireBuiltCli,
  requireChromium,
  SCREENSHOTS,
  shoot,
  startServe,
  type PageLog,
  type Serve,
} from "./web-harness.js";

/**
 * The web UI end to end, in a real Chromium against a real `flotilla serve` (the built CLI, an
 * isolated FLOTILLA_HOME) running a plan with the scripted agent. The steps share one server and
 * one logged-in browser context and run in order.
 */

const GREET_V1 = [
  "const name = 'world';",
  "function greet() {",
  "  return 'hello ' + name;",
  "}",
  "module.exports = { greet };",
  "",
].join("\n");
const GREET_V2 = ["function greet() { return 'hello, world'; }", "module.exports = { greet };", ""].join("\n");

const PLAN = {
  name: "web-e2e",
  tasks: [
    {
      id: "greet",
      title: "Add a greeting",
      prompt: "Add src/greet.js with a greet() function.",
      writes: ["src/greet.js"],
      script: {
        steps: [{ say: { text: "writing the greeting" } }, { write: { path: "src/greet.js", content: GREET_V1 } }],
        // After the review it asks a question: the task rests at needs_input on a new head (never merged),
        // so the page's older diff has a line that is gone.
        followUps: [
          [
            { write: { path: "src/greet.js", content: GREET_V2 } },
            { commit: { message: "Apply the review" } },
            { say: { text: "applied the review" } },
            { ask: { question: "Is the comma right now?" } },
          ],
        ],
      },
    },
    {
      id: "docs",
      title: "Write the docs",
      prompt: "Write docs/notes.md.",
      writes: ["docs/notes.md"],
      script: [{ write: { path: "docs/notes.md", content: "# notes\n" } }],
    },
  ],
};

/** A task that asks for a permission first (created later, on its own, for the modal). */
const PERM_TASK = {
  id: "perm",
  title: "Clean the build folder",
  prompt: "Remove build/ and write notes/perm.txt.",
  writes: ["notes/perm.txt"],
  autoMerge: false,
  script: {
    steps: [{ permission: { tool: "bash", input: { command: "rm -rf build" } } }],
    followUps: [
      [{ write: { path: "notes/perm.txt", content: "cleaned\n" } }, { say: { text: "used the permission" } }],
    ],
  },
};

describe("the web UI in Chromium against flotilla serve", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let env: Record<string, string | undefined>;
  let serve: Serve;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: PageLog;
  /** The plan's task ids by plan key. */
  const ids: Record<string, string> = {};
  /** Output of earlier server processes (the stream test restarts it). */
  const pastOutput: string[] = [];

  const home = () => env.FLOTILLA_HOME!;
  const task = (key: string): Promise<Task> => serve.client.getTask(ids[key]!);
  const statusOf = async (key: string) => (await task(key)).state.status;
  const go = async (hash: string) => {
    await page.goto(`${serve.url}/ui/${hash}`);
  };
  /** The first visible element with this text (the plan graph also has hidden SVG titles). */
  const visible = (p: Page, text: string | RegExp) => p.getByText(text).filter({ visible: true }).first();
  const serverOutput = () => [...pastOutput, serve.output().stdout, serve.output().stderr].join("\n");

  beforeAll(async () => {
    requireChromium();
    requireBuiltCli();
    for (const f of existsSync(SCREENSHOTS) ? readdirSync(SCREENSHOTS) : []) {
      if (f.startsWith("FAILED-")) rmSync(join(SCREENSHOTS, f));
    }
    await ensureWebBuilt();
    root = tempDir("flotilla-web-");
    repo = makeRepo(join(root.path, "repo"));
    env = isolatedEnv(root.path, { FLOTILLA_VERIFY: "npm test --silent" });
    serve = await startServe(env, { cwd: repo });
    await serve.client.addProject({ path: repo });
    browser = await launchBrowser();
    ({ context, page, log } = await newPage(browser));
  }, 240_000);

  // A failed step leaves a screenshot of where the page was, and says what the page said.
  afterEach(async (ctx) => {
    if (ctx.task.fails || ctx.task.result?.state !== "fail" || !page || page.isClosed()) return;
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
    await shoot(page, `FAILED-${name}`).catch(() => undefined);
    const notices = await page
      .locator("[role=alert], [role=status]")
      .allTextContents()
      .catch(() => []);
    console.error(`[${ctx.task.name}] page at ${page.url()}; alerts/status: ${JSON.stringify(notices)}`);
    console.error(`page errors: ${JSON.stringify(log.errors.slice(-10))}`);
    if (serve) {
      for (const [key, id] of Object.entries(ids)) {
        const t = await serve.client.getTask(id).catch(() => undefined);
        console.error(`task ${key}: ${JSON.stringify(t?.state)}`);
      }
    }
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await serve?.stop().catch(() => undefined);
    // FLOTILLA_WEB_KEEP=1 keeps the repo and FLOTILLA_HOME for a look after a failure.
    if (process.env.FLOTILLA_WEB_KEEP === "1") console.error(`kept: ${root?.path}`);
    else root?.cleanup();
  }, 60_000);

  it("logs in with the one-time link (HttpOnly cookie) and watches the plan progress live on the dashboard", async () => {
    await page.goto(serve.loginLink);
    await page.waitForURL(/\/ui\/#?\/?/);
    const cookies = await context.cookies();
    const cookie = cookies.find((c) => c.name === "flotilla_token");
    expect(cookie, JSON.stringify(cookies)).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe("Strict");
    expect(await page.evaluate("document.cookie")).not.toContain(serve.token);
    await page.waitForURL(/#\/dashboard/);

    // The plan starts after the page is open: everything it shows comes over the live stream.
    // Meanwhile, note every status the page shows for "Add a greeting" (graph node or row).
    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      const re =
        /Add a greeting\s+(queued|preparing|running|verifying|reviewing|awaiting merge|merging|merged|needs input)/g;
      while (watching) {
        const text = await page
          .evaluate(
            "document.body.innerText + '\\n' + [...document.querySelectorAll('title')].map((t) => t.textContent).join('\\n')",
          )
          .catch(() => "");
        for (const m of String(text).matchAll(re)) seen.add(m[1]!);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const detail = await serve.client.runPlan({ text: JSON.stringify(PLAN), file: "plan.json", autoMerge: false });
    for (const t of detail.tasks) ids[t.planKey ?? t.id] = t.id;
    expect(Object.keys(ids).sort()).toEqual(["docs", "greet"]);

    await visible(page, "Add a greeting").waitFor();
    await visible(page, "Write the docs").waitFor();
    await eventually("greet to await merge", async () => (await statusOf("greet")) === "awaiting_merge", 60_000);
    await eventually("docs to await merge", async () => (await statusOf("docs")) === "awaiting_merge", 60_000);
    await eventually("the page to show greet awaiting merge", async () => seen.has("awaiting merge"));
    watching = false;
    await watcher;
    // It moved on the page without a reload: at least one working status before awaiting merge.
    expect(
      [...seen].some((s) => ["preparing", "running", "verifying", "reviewing"].includes(s)),
      [...seen].join(),
    ).toBe(true);
    await shoot(page, "dashboard-1280");
  }, 120_000);

  it("without the cookie: the login page and no data", async () => {
    const stranger = await newPage(browser);
    try {
      await stranger.page.goto(`${serve.url}/ui/#/dashboard`);
      await stranger.page.getByText("not logged in").waitFor();
      const html = await stranger.page.content();
      for (const t of PLAN.tasks) expect(html).not.toContain(t.title);
      for (const id of Object.values(ids)) expect(html).not.toContain(id);
      for (const path of ["/snapshot", "/tasks", "/keys", `/tasks/${ids.greet}/diff`]) {
        const res = await stranger.context.request.get(`${serve.url}${path}`);
        expect(res.status(), path).toBe(401);
        expect(await res.text()).not.toContain("Add a greeting");
      }
      // A used login link does not log a second browser in.
      const reused = await stranger.context.request.get(serve.loginLink, { maxRedirects: 0 });
      expect(reused.status()).toBe(403);
      expect((await stranger.context.cookies()).some((c) => c.name === "flotilla_token")).toBe(false);
      await shoot(stranger.page, "login-1280");
    } finally {
      await stranger.context.close();
    }
  }, 60_000);

  it("types in the task's terminal and sees the output; resizes follow the window", async () => {
    const greet = await task("greet");
    expect(greet.worktreePath).toBeDefined();
    const terminal = await context.newPage();
    await terminal.goto(`${serve.url}/ui/#/tasks/${greet.id}/terminal`);
    await terminal.locator("[data-phase='open']").waitFor();
    await terminal.locator(".term-pane").click();
    await terminal.keyboard.type("echo flotilla-$((6*7)) && pwd");
    await terminal.keyboard.press("Enter");
    const rows = terminal.locator(".xterm-rows");
    await eventually("the shell's answer", async () => (await rows.textContent())?.includes("flotilla-42"), 20_000);
    expect((await rows.textContent())?.replace(/\s/g, "")).toContain(greet.worktreePath!.replace(/\s/g, ""));
    await shoot(terminal, "terminal-1280");

    const size = async (): Promise<number> => {
      await terminal.keyboard.type("clear; stty size");
      await terminal.keyboard.press("Enter");
      const text = await eventually("stty size", async () => {
        const m = /(\d+) (\d+)\s*$/m.exec((await rows.innerText()).replace(/\u00a0/g, " ").trim());
        return m ? Number(m[2]) : undefined;
      });
      return text;
    };
    const wide = await size();
    await terminal.setViewportSize({ width: 640, height: 600 });
    const narrow = await eventually("the pty to be resized", async () => {
      const cols = await size();
      return cols < wide ? cols : undefined;
    });
    expect(narrow).toBeLessThan(wide);
    await terminal.close();
  }, 90_000);

  it("reviews the diff: layouts, inline comments (click and `c`), drafts kept, ONE follow-up reaches the agent", async () => {
    const greet = ids.greet!;
    const headBefore = (await serve.client.diff(greet)).head;
    await go(`#/tasks/${greet}/diff`);
    const file = page.locator(".rv-file", { hasText: "src/greet.js" });
    await file.waitFor();
    await expect(page.locator(".rv-filelist").textContent()).resolves.toContain("+5");
    await page.getByRole("button", { name: "Side by side" }).click();
    await page.locator(".rv-split").first().waitFor();
    await shoot(page, "diff-split-1280");

    // The layout is remembered across a reload.
    await page.getByRole("button", { name: "Unified" }).click();
    await page.locator(".rv-unified").first().waitFor();
    await page.reload();
    await page.locator(".rv-unified").first().waitFor();
    expect(await page.getByRole("button", { name: "Unified" }).getAttribute("aria-pressed")).toBe("true");

    // Collapse and expand a file.
    await file.getByRole("button", { name: /collapse/ }).click();
    expect(await file.locator("table").count()).toBe(0);
    await file.getByRole("button", { name: /expand/ }).click();
    await file.locator("table").waitFor();

    // Click a line, write a comment.
    await file.locator("[data-anchor='new:3:src/greet.js']").click();
    await page.locator(".rv-composer textarea").fill("Put a comma after hello.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await page.locator(".rv-inline-comment", { hasText: "Put a comma after hello." }).waitFor();

    // The draft survives a reload (localStorage, per task and head).
    await page.reload();
    await page.locator(".rv-pending-item", { hasText: "Put a comma after hello." }).waitFor();

    // Keyboard: focus a line, `c`, type, Ctrl+Enter.
    await page.locator("[data-anchor='new:1:src/greet.js']").focus();
    await page.keyboard.press("c");
    await page.locator(".rv-composer textarea").waitFor();
    await page.keyboard.type("Inline the name.");
    await page.keyboard.press("Control+Enter");
    await page.locator(".rv-pending-item", { hasText: "src/greet.js:1" }).waitFor();

    // Pending comments are editable in the list.
    await page.getByRole("textbox", { name: "comment on src/greet.js:1" }).fill("Inline the name constant.");
    await page.locator("#rv-summary").fill("Two small things.");
    await shoot(page, "diff-comments-1280");
    await page.getByRole("button", { name: "Send comments (2)" }).click();
    await page.getByText("Sent 2 comments to the agent as one follow-up.").waitFor();
    expect(await page.locator(".rv-pending-item").count()).toBe(0);

    // ONE follow-up, with both comments and the summary, reaches the agent's session.
    const transcript = await eventually(
      "the agent to answer the review",
      async () => {
        const t = await serve.client.transcript(greet);
        return t.entries.some((e) => e.kind === "agent" && e.text.includes("applied the review")) && t;
      },
      60_000,
    );
    const asks = transcript.entries.filter((e) => e.kind === "user");
    const review = asks.filter((e) => e.kind === "user" && e.text.includes("Put a comma after hello."));
    expect(review, JSON.stringify(asks)).toHaveLength(1);
    expect(review[0]!.kind === "user" && review[0]!.text).toContain("Inline the name constant.");
    expect(review[0]!.kind === "user" && review[0]!.text).toContain("Two small things.");
    await eventually("greet to rest on a new head", async () => {
      const t = await task("greet");
      return t.state.status === "needs_input" && (await serve.client.diff(greet)).head !== headBefore;
    });

    // This page still shows the old head: a comment on a line the agent has since removed is
    // refused by the server, shown at the comment, and kept.
    await file.locator("[data-anchor='new:5:src/greet.js']").click();
    await page.locator(".rv-composer textarea").fill("Export it as default.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await page.getByRole("button", { name: "Send comments (1)" }).click();
    const refused = page.locator(".rv-pending-item.rv-refused", { hasText: "src/greet.js:5" });
    await refused.locator(".rv-comment-error").waitFor();
    await page.locator(".rv-notice-error").waitFor();
    expect(await page.locator(".rv-pending-item textarea").inputValue()).toBe("Export it as default.");
    const stored = await page.evaluate("JSON.stringify(localStorage)");
    expect(stored).toContain("Export it as default.");
    await page.locator(".rv-banner", { hasText: "moved the task on" }).waitFor();
    await shoot(page, "diff-stale-1280");

    // The new version: the comment comes along, flagged as not in this diff; removed by hand.
    await page.getByRole("button", { name: "Load the new version" }).click();
    await page.locator(".rv-pending-item", { hasText: "not in this diff" }).waitFor();
    await page.getByRole("button", { name: "remove the comment on src/greet.js:5" }).click();
    expect(await page.locator(".rv-pending-item").count()).toBe(0);
  }, 180_000);

  it("downloads the task's export zip from the export link", async () => {
    await go(`#/tasks/${ids.greet}/diff`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a.rv-export").click()]);
    const path = join(root.path, "export.zip");
    await download.saveAs(path);
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
  }, 60_000);

  it("approves a permission request in the modal; the agent goes on", async () => {
    await go("#/dashboard");
    ids.perm = (await serve.client.createTask(PERM_TASK)).id;
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toMatch(/bash/);
    await shoot(page, "permission-modal-1280");
    await dialog
      .getByRole("button", { name: /^(allow once|approve)/i })
      .first()
      .click();
    await eventually(
      "perm to run on after the approval",
      async () => !["needs_input"].includes(await statusOf("perm")),
      30_000,
    );
    const transcript = await eventually(
      "the agent to use the permission",
      async () => {
        const t = await serve.client.transcript(ids.perm!);
        return t.entries.some((e) => e.kind === "agent" && e.text.includes("used the permission")) && t;
      },
      60_000,
    );
    await eventually("the modal to go", async () => (await page.getByRole("dialog").count()) === 0);
    expect(transcript.entries.some((e) => e.kind === "user" && /approved/i.test(e.text))).toBe(true);
    expect(transcript.entries.some((e) => e.kind === "agent" && e.text.includes("used the permission"))).toBe(true);
  }, 120_000);

  it("adds, rotates and removes a provider key; the secret is never in the page, the server's output or the database", async () => {
    const secret1 = `sk-e2e-${Math.random().toString(36).slice(2)}-first-A1b2`;
    const secret2 = `sk-e2e-${Math.random().toString(36).slice(2)}-second-Z9y8`;
    await go("#/keys");
    await page.getByText("No provider keys yet.").waitFor();

    // A built-in provider: the server knows its variable (claude-code → ANTHROPIC_API_KEY).
    await page.getByLabel("Provider", { exact: true }).fill("claude-code");
    await page.getByText("Given to its agents as ANTHROPIC_API_KEY.").waitFor();
    await page.getByLabel("Secret", { exact: true }).fill(secret1);
    await page.getByRole("button", { name: "Add key" }).click();
    await page.getByText(/Added the key for claude-code/).waitFor();
    const row = page.locator("tr[data-provider='claude-code']");
    await row.waitFor();
    expect(await row.textContent()).toContain("A1b2");
    expect(await page.getByLabel("Secret", { exact: true }).inputValue()).toBe("");
    await shoot(page, "keys-1280");

    expect(await row.textContent()).toContain("ANTHROPIC_API_KEY");
    await page.getByLabel("Provider", { exact: true }).fill("claude-code");
    await page.getByLabel("Secret", { exact: true }).fill(secret2);
    await page.getByRole("button", { name: "Rotate key" }).click();
    await page.getByText(/Rotated the key for claude-code/).waitFor();
    await page.locator("tr[data-provider='claude-code']", { hasText: "Z9y8" }).waitFor();

    for (const secret of [secret1, secret2]) {
      expect(await page.content()).not.toContain(secret);
      expect(page.url()).not.toContain(secret);
      expect(await page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")).not.toContain(
        secret,
      );
      expect((await serve.client.listKeys()).map((k) => JSON.stringify(k)).join()).not.toContain(secret);
      expect(serverOutput()).not.toContain(secret);
      expect(filesContaining(home(), secret)).toEqual([]);
    }

    await row.getByRole("button", { name: "remove the key for claude-code" }).click();
    await row.getByRole("button", { name: "Yes, remove" }).click();
    await page.getByText(/Removed the key for claude-code/).waitFor();
    await page.getByText("No provider keys yet.").waitFor();
    expect(await serve.client.listKeys()).toEqual([]);
  }, 90_000);

  it("shows the stream dropping and catches up after the server comes back on the same port", async () => {
    await go("#/tasks");
    await visible(page, "Write the docs").waitFor();
    const port = serve.port;
    pastOutput.push(serve.output().stdout, serve.output().stderr);
    await serve.stop();
    await page.getByText(/connection lost/i).waitFor({ timeout: 20_000 });
    await shoot(page, "stream-lost-1280");

    // While the daemon is down, a CLI run in process writes events the page has not seen.
    const script = join(root.path, "offline.json");
    writeFileSync(script, JSON.stringify([{ write: { path: "offline.txt", content: "offline\n" } }]));
    const offline = runCli(
      [
        "run",
        "write offline.txt",
        "--script",
        script,
        "--id",
        "offline",
        "--title",
        "Done while offline",
        "--no-merge",
      ],
      { env, cwd: repo, timeoutMs: 60_000 },
    );
    expect(offline.status, offline.stdout + offline.stderr).toBe(0);

    serve = await startServe(env, { port, cwd: repo });
    await visible(page, "Done while offline").waitFor({ timeout: 30_000 });
    await eventually("the banner to go", async () => (await page.getByText(/connection lost/i).count()) === 0);
    // And live events after the reconnect reach it too.
    await serve.client.createTask({
      id: "after",
      title: "Made after the restart",
      prompt: "write after.txt",
      script: [{ write: { path: "after.txt", content: "after\n" } }],
      autoMerge: false,
    });
    await visible(page, "Made after the restart").waitFor({ timeout: 30_000 });
  }, 120_000);

  it("takes narrow (420px) screenshots with a fresh login from `flotilla web`", async () => {
    await eventually("the task made after the restart to await merge", async () => {
      return (await serve.client.getTask("after")).state.status === "awaiting_merge";
    });
    const link = freshLoginLink(env, repo);
    const narrow = await newPage(browser, { width: 420, height: 860 });
    try {
      await narrow.page.goto(link);
      await narrow.page.waitForURL(/#\/dashboard/);
      await visible(narrow.page, "Write the docs").waitFor();
      await shoot(narrow.page, "dashboard-420");
      await narrow.page.goto(`${serve.url}/ui/#/tasks/after/diff`);
      await narrow.page.locator(".rv-file").first().waitFor();
      await shoot(narrow.page, "diff-420");
      await narrow.page.goto(`${serve.url}/ui/#/keys`);
      await narrow.page.getByText("Add a key").waitFor();
      await shoot(narrow.page, "keys-420");
      await narrow.page.goto(`${serve.url}/ui/#/tasks/after/terminal`);
      await narrow.page.locator("[data-phase='open']").waitFor();
      await shoot(narrow.page, "terminal-420");
      expect(narrow.log.errors.filter((e) => e.startsWith("page error"))).toEqual([]);
    } finally {
      await narrow.context.close();
    }
    expect(log.errors.filter((e) => e.startsWith("page error"))).toEqual([]);
  }, 90_000);

  it("a task run with autoMerge: false waits for its approval (another task's merge does not land it)", async () => {
    // docs was never approved; since then other tasks were driven (greet's follow-up, the permission task).
    expect(await task("docs")).toMatchObject({
      holdForApproval: true,
      state: { status: "awaiting_merge", reason: expect.stringMatching(/^held for approval/) },
    });
  });

  it("approves a task from its diff: it goes through the merge queue, and its open terminal says why it closed", async () => {
    const terminal = await context.newPage();
    await terminal.goto(`${serve.url}/ui/#/tasks/after/terminal`);
    await terminal.locator("[data-phase='open']").waitFor();
    await go("#/tasks/after/diff");
    await page.locator(".rv-file").first().waitFor();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved: the task is in the merge queue.").waitFor();
    await eventually(
      "the task to be merged",
      async () => (await serve.client.getTask("after")).state.status === "merged",
      60_000,
    );
    await terminal.locator(".term-message").waitFor({ timeout: 20_000 });
    expect(await terminal.locator(".term-message").textContent()).toMatch(/merged|worktree/i);
    await shoot(terminal, "terminal-closed-1280");
    await terminal.close();
    await go("#/tasks");
    await page.locator("tr", { hasText: "Made after the restart" }).locator(".badge", { hasText: "merged" }).waitFor();
  }, 120_000);

  // A task run with autoMerge: false / --no-merge is held for approval in the store: the merge
  // queue never takes it, so approving ONE task lands that one only.
  it("approving one task lands only that one (docs and offline were never approved)", async () => {
    expect(await statusOf("docs")).toBe("awaiting_merge");
    expect((await serve.client.getTask("offline")).state.status).toBe("awaiting_merge");
    // Both still wait for a person: approval items in the inbox.
    const approvals = (await serve.client.inbox()).filter((i) => i.kind === "approval").map((i) => i.taskId);
    expect(approvals).toEqual(expect.arrayContaining([ids.docs, "offline"]));
  });

  it("requests changes from the diff view: the summary goes to the agent as a follow-up", async () => {
    await go(`#/tasks/${ids.greet}/diff`);
    await page.locator(".rv-file").first().waitFor();
    await page.locator("#rv-summary").fill("Also add a test for greet().");
    await page.getByRole("button", { name: "Request changes" }).click();
    await page.getByText("Sent the requested changes to the agent.").waitFor();
    expect(await page.locator("#rv-summary").inputValue()).toBe("");
    await eventually("the follow-up in the transcript", async () =>
      (await serve.client.transcript(ids.greet!)).entries.some(
        (e) => e.kind === "user" && e.text.includes("Also add a test for greet()."),
      ),
    );
  }, 60_000);
});
