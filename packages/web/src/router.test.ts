import { describe, expect, it } from "vitest";
import { hrefOf, links, matchPath, matchRoute, pathOfHash } from "./router.js";

describe("hash routing", () => {
  it("reads the path of a hash", () => {
    expect(pathOfHash("")).toBe("/");
    expect(pathOfHash("#")).toBe("/");
    expect(pathOfHash("#/inbox")).toBe("/inbox");
    expect(pathOfHash("#/inbox/")).toBe("/inbox");
    expect(pathOfHash("#/tasks/a?x=1")).toBe("/tasks/a");
    expect(pathOfHash("#dashboard")).toBe("/dashboard");
  });

  it("matches segment by segment, with params", () => {
    expect(matchPath("/tasks/:id", "/tasks/abc")).toEqual({ id: "abc" });
    expect(matchPath("/tasks/:id", "/tasks/abc/diff")).toBeUndefined();
    expect(matchPath("/tasks/:id/diff", "/tasks/a%20b/diff")).toEqual({ id: "a b" });
    expect(matchPath("/inbox", "/queue")).toBeUndefined();
    expect(matchPath("/tasks/:id", "/tasks/%E0%A4%A")).toBeUndefined();
  });

  it("picks the first route that fits", () => {
    const routes = [{ path: "/tasks" }, { path: "/tasks/:id" }, { path: "/tasks/:id/terminal" }];
    expect(matchRoute(routes, "/tasks/x/terminal")?.route.path).toBe("/tasks/:id/terminal");
    expect(matchRoute(routes, "/tasks/x")?.params).toEqual({ id: "x" });
    expect(matchRoute(routes, "/nope")).toBeUndefined();
  });

  it("builds hrefs that match back", () => {
    const href = hrefOf("/tasks/:id/diff", { id: "t/1" });
    expect(href).toBe("#/tasks/t%2F1/diff");
    expect(matchPath("/tasks/:id/diff", pathOfHash(href))).toEqual({ id: "t/1" });
    expect(links.exportZip("a b")).toBe("/tasks/a%20b/export");
  });
});
