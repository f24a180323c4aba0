/** How a handler polls for a state it is waiting for. */
export interface PollOptions {
  /** First delay between polls. */
  readonly initialDelayMs: number;
  /** Longest delay between polls. */
  readonly maxDelayMs: number;
  /** Epoch milliseconds after which polling gives up. */
  readonly deadline: number;
  /** Sleeps; replaceable in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_POLL = { initialDelayMs: 2_000, maxDelayMs: 20_000 } as const;

/**
 * Calls `check` until it returns a value (not `undefined`) or the deadline passes, doubling the
 * delay between calls up to `maxDelayMs`. Returns `undefined` on timeout.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.initialDelayMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, options.maxDelayMs);
  }
}
