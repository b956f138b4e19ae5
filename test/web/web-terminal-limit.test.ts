import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { Script } from "@flotilla/protocol";
import { startServer, type RunningServer } from "@flotilla/server";
import { engineFixture, type EngineFixture } from "../server-support.js";
import { ensureWebBuilt, launchBrowser, newPage, requireChromium, shoot } from "./web-harness.js";

const never = new AbortController().signal;
const FAIL: Script = {
  steps: [{ write: { path: "half.txt", content: "half\n" } }, { fail: { message: "gave up" } }],
  followUps: [],
};

/**
 * The cap on open terminals as a person meets it: the server closes one more with 4429 and a
 * reason, and the terminal page shows that reason (a browser's WebSocket would learn nothing from
 * a refused upgrade); once another terminal is closed, Reconnect opens it.
 */
describe("the web terminal over the server's limit", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    requireChromium();
    await ensureWebBuilt();
    f = engineFixture();
    const project = await f.engine.projects.add({ path: f.repo });
    for (const id of ["lim-a", "lim-b"]) {
      await f.engine.createTask(project, { id, prompt: id, agent: "scripted", script: FAIL, holdForApproval: true });
      await f.engine.runTask(id, { shutdown: never });
    }
    // The built web app (packages/web/dist, the default web root), and room for ONE terminal.
    server = await startServer({ engine: f.engine, port: 0, maxTerminals: 1, log: () => {} });
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    f?.cleanup();
  }, 60_000);

  it("says why, and opens once the other terminal is closed", async () => {
    const { context, page: first } = await newPage(browser);
    await first.goto(server.loginLink());
    await first.goto(`${server.url}/ui/#/tasks/lim-a/terminal`);
    await first.locator("[data-phase='open']").waitFor();

    const second = await context.newPage();
    await second.goto(`${server.url}/ui/#/tasks/lim-b/terminal`);
    await second.locator("[data-phase='closed']").waitFor();
    const message = second.locator(".term-message");
    await message.waitFor();
    expect(await message.textContent()).toBe(
      "Too many terminals are open: 1 terminal is open, the most this server allows (--max-terminals): close one, then reconnect.",
    );
    await shoot(second, "terminal-limit-1280");

    await first.close(); // its socket closes, its shell ends, its slot is free
    await expect
      .poll(
        async () => {
          const reconnect = second.getByRole("button", { name: "Reconnect" });
          if (await reconnect.isVisible()) await reconnect.click();
          await second.waitForTimeout(500);
          return second.locator(".term-phase").getAttribute("data-phase");
        },
        { timeout: 20_000 },
      )
      .toBe("open");
    await context.close();
  });
});
