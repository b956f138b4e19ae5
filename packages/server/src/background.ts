/**
 * Work the server runs after answering (a task, a plan): driven until it rests, or until the
 * server stops — the shutdown signal stops the agents and leaves their tasks `interrupted`.
 */
export interface Background {
  readonly signal: AbortSignal;
  /**
   * Starts `work`. If it fails at once (the engine refuses before any await: an illegal
   * transition, an unknown task), that error is thrown here, so the request can answer it; later
   * failures are reported through `onError`.
   */
  start(label: string, work: (signal: AbortSignal) => Promise<unknown>): Promise<void>;
  /** How many pieces of work are still running. */
  readonly running: number;
  /** Waits until nothing runs (without stopping anything). */
  idle(): Promise<void>;
  /** Fires the shutdown signal and waits for every piece of work to settle. */
  stop(): Promise<void>;
}

export function createBackground(options: { onError?: (label: string, err: unknown) => void } = {}): Background {
  const controller = new AbortController();
  const running = new Set<Promise<unknown>>();
  const onError =
    options.onError ??
    ((label: string, err: unknown) =>
      process.emitWarning(`${label}: ${err instanceof Error ? err.message : String(err)}`));

  return {
    signal: controller.signal,
    get running() {
      return running.size;
    },
    async start(label, work) {
      const p = work(controller.signal);
      // A rejection already settled (a synchronous refusal) wins this race; anything else is later.
      const early = await Promise.race([
        p.then(
          () => ({ failed: false as const }),
          (err: unknown) => ({ failed: true as const, err }),
        ),
        new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
      ]);
      if (early?.failed) throw early.err;
      if (early !== undefined) return;
      const tracked = p.catch((err: unknown) => onError(label, err)).finally(() => running.delete(tracked));
      running.add(tracked);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async stop() {
      controller.abort();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
