import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
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

/**
 * A task for the session view: markdown with raw HTML in it, a tool call with its result, a cost;
 * the prompt box's follow-up writes a second file.
 */
const CHAT_TASK = {
  id: "chat",
  title: "Chat in markdown",
  prompt: "Tell me what you do, in markdown.",
  writes: ["notes/chat/**"],
  autoMerge: false,
  script: {
    steps: [
      {
        say: {
          text: 'Here is **bold news** and a list:\n\n- first point\n- second point\n\nRaw HTML stays text: <img src=x onerror="window.__flotillaXss=1">',
        },
      },
      { run: { cmd: "echo tool-output-$((40+2))" } },
      { write: { path: "notes/chat/first.txt", content: "first\n" } },
      { usage: { inputTokens: 1200, outputTokens: 300, costUsd: 0.0123 } },
      { say: { text: "first turn over" } },
    ],
    followUps: [
      [
        { write: { path: "notes/chat/followup.txt", content: "from the prompt box\n" } },
        { say: { text: "followed up: _wrote_ notes/chat/followup.txt" } },
      ],
    ],
  },
};

/** A task that asks a question first: answered from the inbox page. */
const ASK_TASK = {
  id: "ask",
  title: "Ask which greeting",
  prompt: "Ask which greeting to write into notes/ask/answer.txt, then write it.",
  writes: ["notes/ask/**"],
  autoMerge: false,
  script: {
    steps: [{ ask: { question: "Which greeting goes into notes/ask/answer.txt?" } }],
    followUps: [
      [
        { write: { path: "notes/ask/answer.txt", content: "hola\n" } },
        { say: { text: "wrote the greeting you chose" } },
      ],
    ],
  },
};

/** Two tasks changing the same line of README.md: the second to land conflicts. */
const clashTask = (key: "a" | "b") => ({
  id: `clash-${key}`,
  title: `Clash ${key.toUpperCase()} on the README`,
  prompt: `Reword README.md's second line (${key}).`,
  // Writes that do not overlap, so both run from the same main (README.md is a stray: a warning).
  writes: [`clash/${key}.txt`],
  autoMerge: false,
  script: [
    { write: { path: `clash/${key}.txt`, content: `${key}\n` } },
    { replace: { path: "README.md", find: "line two", with: `line two, as ${key} wants it` } },
  ],
});

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
        console.error(`task ${key}: ${JSON.stringify(t?.state)}${t?.waitingFor ? ` (${t.waitingFor})` : ""}`);
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

  it("the session view: agent messages as markdown (raw HTML as text), collapsible tool calls, a follow-up from the prompt box arriving live", async () => {
    ids.chat = (await serve.client.createTask(CHAT_TASK)).id;
    await eventually("chat to await merge", async () => (await statusOf("chat")) === "awaiting_merge", 60_000);
    await go(`#/tasks/${ids.chat}`);
    await page.getByRole("heading", { name: "Chat in markdown" }).waitFor();
    const said = page.locator(".msg-agent", { hasText: "bold news" });
    await said.waitFor();

    // Markdown: bold and a list are elements.
    expect(await said.locator("strong").allTextContents()).toEqual(["bold news"]);
    expect(await said.locator("ul > li").allTextContents()).toEqual(["first point", "second point"]);
    // Raw HTML in the agent's text is shown as the characters it wrote, never an element.
    expect(await said.textContent()).toContain('<img src=x onerror="window.__flotillaXss=1">');
    expect(await page.locator(".chat img").count()).toBe(0);
    expect(await page.evaluate("window.__flotillaXss")).toBeUndefined();

    // The `run` step's tool call: collapsed, its result shown only when opened.
    const tool = page.locator("details.tool").filter({ has: page.locator("summary", { hasText: "bash" }) });
    expect(await tool.count()).toBe(1);
    expect(await tool.locator("summary").textContent()).toContain("echo tool-output-$((40+2))");
    const result = tool.locator("pre", { hasText: "tool-output-42" });
    expect(await tool.getAttribute("open")).toBeNull();
    expect(await result.isVisible()).toBe(false);
    await tool.locator("summary").click();
    await result.waitFor({ state: "visible" });
    expect(await tool.getAttribute("open")).not.toBeNull();
    await tool.locator("summary").click();
    await result.waitFor({ state: "hidden" });
    await tool.locator("summary").click();
    await result.waitFor({ state: "visible" });

    // A follow-up from the prompt box. What comes back arrives on this open page: no reload.
    await page.evaluate("window.__flotillaSamePage = true");
    const box = page.getByRole("textbox", { name: "follow-up message" });
    expect(await box.isEnabled()).toBe(true);
    const ask = "Please also write notes/chat/followup.txt.";
    await box.fill(ask);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await eventually("the prompt box to clear", async () => (await box.inputValue()) === "");
    await page.locator(".msg-user", { hasText: ask }).waitFor();
    const answer = page.locator(".msg-agent", { hasText: "followed up:" });
    await answer.waitFor({ timeout: 30_000 });
    expect(await answer.locator("em").allTextContents()).toEqual(["wrote"]);
    expect(await page.evaluate("window.__flotillaSamePage")).toBe(true);

    // It reached the agent's session: a `user` entry, and the follow-up turn ran (its file is in the diff).
    const transcript = await serve.client.transcript(ids.chat);
    expect(transcript.entries.filter((e) => e.kind === "user" && e.text === ask)).toHaveLength(1);
    await eventually("chat to rest again", async () => (await statusOf("chat")) === "awaiting_merge", 60_000);
    const files = (await serve.client.diff(ids.chat)).files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["notes/chat/first.txt", "notes/chat/followup.txt"]));
    await page.locator(".page-head .badge", { hasText: "awaiting merge" }).waitFor();
    // The screenshot shows the markdown message and the open tool call (below the sticky header).
    await page.evaluate(
      "document.querySelector('.msg-agent').scrollIntoView({ block: 'start' }); window.scrollBy(0, -60)",
    );
    await shoot(page, "session-1280");
  }, 120_000);

  it("the inbox page lists what waits with its actions, its count is the header's; a question is answered from it", async () => {
    ids.ask = (await serve.client.createTask(ASK_TASK)).id;
    await eventually("ask to need input", async () => (await statusOf("ask")) === "needs_input", 60_000);
    await go("#/inbox");
    const items = page.locator("[data-inbox-item]");
    const question = items.filter({ hasText: "Which greeting goes into notes/ask/answer.txt?" });
    await question.waitFor();
    expect(await question.locator(".badge").first().textContent()).toBe("question");
    await question.getByRole("textbox", { name: "your answer" }).waitFor();
    await question.getByRole("button", { name: "Answer" }).waitFor();
    // Held tasks wait for an approval, with approve and deny.
    const held = items.filter({ has: page.getByRole("link", { name: "Write the docs", exact: true }) });
    expect(await held.locator(".badge").first().textContent()).toBe("approval");
    expect(await held.getByRole("button", { name: "Approve" }).isVisible()).toBe(true);
    expect(await held.getByRole("button", { name: "Deny" }).isVisible()).toBe(true);

    // As many items as the server's inbox, and as the header's needs-you badge says.
    const count = await eventually("the page, the server and the header to agree", async () => {
      const onPage = await items.count();
      const server = (await serve.client.inbox()).length;
      const badge = (await page.locator(".nav .count-badge").textContent())?.trim();
      const pill = (await page.locator(".needs-you").textContent())?.trim();
      return (
        onPage === server &&
        badge === String(onPage) &&
        pill === `${onPage} need${onPage === 1 ? "s" : ""} you` &&
        onPage
      );
    });
    expect(count).toBeGreaterThanOrEqual(3); // greet's question, docs' and chat's approvals, ask's question
    await shoot(page, "inbox-1280");

    await question.getByRole("textbox", { name: "your answer" }).fill("Hola, please.");
    await question.getByRole("button", { name: "Answer" }).click();
    await eventually("the question to leave the page", async () => (await question.count()) === 0);
    const transcript = await eventually(
      "the agent to act on the answer",
      async () => {
        const t = await serve.client.transcript(ids.ask!);
        return t.entries.some((e) => e.kind === "agent" && e.text.includes("wrote the greeting you chose")) && t;
      },
      60_000,
    );
    expect(transcript.entries.some((e) => e.kind === "user" && e.text.includes("Hola, please."))).toBe(true);
    // It rests (held for approval) before the next steps restart the server.
    await eventually("ask to await merge", async () => (await statusOf("ask")) === "awaiting_merge", 60_000);
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
      await narrow.page.goto(`${serve.url}/ui/#/tasks/${ids.chat}`);
      await narrow.page.locator(".msg-agent strong", { hasText: "bold news" }).waitFor();
      // The chat fits the narrow window: nothing scrolls sideways.
      expect(await narrow.page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(420);
      await shoot(narrow.page, "session-420");
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

  it("the merge queue page: the landed batches with CI pass and their tasks; a conflicted task with its files", async () => {
    // Two tasks change README.md's second line from the same main: A lands first, then B conflicts.
    for (const key of ["a", "b"] as const) ids[`clash-${key}`] = (await serve.client.createTask(clashTask(key))).id;
    await eventually(
      "both clash tasks to be held for approval",
      async () => (await Promise.all([statusOf("clash-a"), statusOf("clash-b")])).every((s) => s === "awaiting_merge"),
      90_000,
    );
    await serve.client.mergeTask(ids["clash-a"]!);
    await eventually("clash A to land", async () => (await statusOf("clash-a")) === "merged", 60_000);
    await serve.client.mergeTask(ids["clash-b"]!);
    // Its agent is given the conflict (its script does nothing about it); then it waits for a person.
    await eventually(
      "clash B to rest conflicted",
      async () =>
        (await serve.client.inbox()).some((i) => i.taskId === ids["clash-b"] && i.kind === "conflict") &&
        (await statusOf("clash-b")) === "conflicted",
      90_000,
    );

    await go("#/queue");
    const panel = (name: string) =>
      page.locator("section.panel", { has: page.getByRole("heading", { name, exact: true }) });
    for (const title of ["Made after the restart", "Clash A on the README"]) {
      const row = panel("Batches").locator("tbody tr", { has: page.getByRole("link", { name: title, exact: true }) });
      await row.waitFor();
      expect(await row.locator(".badge").textContent()).toBe("CI pass");
    }
    // Tasks held for approval are not in the queue: they wait for a person (listed as blocked).
    const waiting = panel("Waiting to land");
    for (const title of ["Write the docs", "Chat in markdown"]) {
      expect(await waiting.getByRole("link", { name: title, exact: true }).count(), title).toBe(0);
      await panel("Blocked").getByRole("link", { name: title, exact: true }).waitFor();
    }
    await waiting.getByText("The queue is empty.").waitFor();
    const conflicts = panel("Conflicts");
    const clash = conflicts.locator("li", { has: page.getByRole("link", { name: "Clash B on the README" }) });
    await clash.waitFor();
    expect(await clash.locator("ul.files li").allTextContents()).toEqual(["README.md"]);
    expect(await conflicts.getByRole("link", { name: "Clash A on the README" }).count()).toBe(0);
    await shoot(page, "queue-1280");
  }, 240_000);

  it("the metrics page charts the finished tasks: time per stage, throughput, cost, a row per task", async () => {
    const m = await serve.client.metrics();
    const merged = m.tasks.filter((t) => t.mergedAt !== undefined);
    expect(merged.map((t) => t.taskId).sort()).toEqual(["after", ids["clash-a"]!].sort());
    await go("#/metrics");
    const chart = (name: string) => page.getByRole("img", { name, exact: true });
    const numbers = async (rects: Locator, attr: "width" | "height") =>
      Promise.all((await rects.all()).map(async (r) => Number(await r.getAttribute(attr))));

    // Average time per stage: a bar per stage; the coding, verify and merge stages took time.
    const stages = chart("average time per stage");
    await stages.waitFor();
    expect(await stages.locator("css=text").allTextContents()).toEqual(
      expect.arrayContaining(["queue", "agent", "verify", "review", "merge"]),
    );
    const stageBars = await numbers(stages.locator("rect.bar"), "width");
    expect(stageBars).toHaveLength(5);
    for (const i of [1, 2, 4]) expect(stageBars[i], JSON.stringify(stageBars)).toBeGreaterThan(0);

    // Throughput: columns counting the merged tasks.
    const through = chart("tasks merged over time");
    const counted = (await through.locator("css=title").allTextContents()).map((t) =>
      Number(/: (\d+) merged$/.exec(t)?.[1]),
    );
    expect(counted.reduce((a, b) => a + b, 0)).toBe(merged.length);
    expect(Math.max(...(await numbers(through.locator("rect.bar"), "height")))).toBeGreaterThan(0);

    // Cost per task: the chat task reported its usage.
    const cost = chart("cost per task");
    expect(await cost.locator("css=text").allTextContents()).toEqual(
      expect.arrayContaining(["Chat in markdown", "$0.01"]),
    );
    expect(Math.max(...(await numbers(cost.locator("rect.bar"), "width")))).toBeGreaterThan(0);

    // Time per stage per recent task: a labelled row of segments for each merged task.
    const recent = chart("time per stage for recent tasks");
    for (const title of ["Made after the restart", "Clash A on the README"]) {
      const row = recent.locator("g", { has: page.locator("css=text", { hasText: title }) });
      const widths = await numbers(row.locator("rect"), "width");
      expect(
        widths.reduce((a, b) => a + b, 0),
        title,
      ).toBeGreaterThan(0);
    }
    expect(await page.locator(".card.tone-done .num").textContent()).toBe(String(merged.length));
    await shoot(page, "metrics-1280");
  }, 60_000);
});
