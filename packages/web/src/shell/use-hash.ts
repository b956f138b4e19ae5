import { useSyncExternalStore } from "react";
import { pathOfHash } from "../router.js";

const subscribe = (fn: () => void) => {
  window.addEventListener("hashchange", fn);
  return () => window.removeEventListener("hashchange", fn);
};

/** The current hash path (`/tasks/…`), re-rendering on every hash change. */
export function useHashPath(): string {
  return useSyncExternalStore(
    subscribe,
    () => pathOfHash(window.location.hash),
    () => "/",
  );
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, "");
}

/** Goes to `href` in place of the current entry (the back button skips it). */
export function redirect(href: string): void {
  window.location.replace(`#${href.replace(/^#/, "")}`);
}
