import type { Store } from "../store/index.js";
import { heartbeat } from "./leases.js";

export interface LeaseHeartbeat {
  /** Stops the timer; safe to call more than once. */
  stop(): void;
}

export interface LeaseHeartbeatOptions {
  /** Told once when a beat finds the lease gone (released as stale by someone else); the timer then stops. */
  onLost?: () => void;
  /** Told when a beat fails (a busy or closed database); the timer keeps going. */
  onError?: (error: unknown) => void;
}

/**
 * Beats the task's lease every `intervalMs` on a timer that does not keep the process alive.
 * Choose an interval well below the stale timeout (a third of it is a good rule).
 */
export function createLeaseHeartbeat(
  store: Store,
  taskId: string,
  intervalMs: number,
  options: LeaseHeartbeatOptions = {},
): LeaseHeartbeat {
  if (!(intervalMs > 0)) throw new RangeError(`heartbeat interval must be positive, got ${intervalMs}`);
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  let stopped = false;

  function beat(): void {
    if (stopped) return;
    let held: boolean;
    try {
      held = heartbeat(store, taskId);
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (!held) {
      stop();
      options.onLost?.();
    }
  }

  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }

  return { stop };
}
