import type { Store, Tables, WriteContext } from "../store/index.js";

/**
 * Where a lease operation runs: a store (its own transaction) or the write a caller is already
 * in, so that a scheduler can check overlaps and take a lease in ONE transaction.
 */
export type LeaseWriteTarget = Store | WriteContext;
/** Where a lease read runs: a store, or the tables of a write in progress. */
export type LeaseReadTarget = Store | Tables;

export function inWrite<T>(target: LeaseWriteTarget, fn: (ctx: WriteContext) => T): T {
  return isStore(target) ? target.write(fn) : fn(target);
}

export function tablesOf(target: LeaseReadTarget): Tables {
  return isStore(target) ? target.read : target;
}

function isStore(target: LeaseReadTarget): target is Store {
  return typeof (target as Partial<Store>).write === "function" && "read" in target;
}
