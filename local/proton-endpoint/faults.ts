/**
 * Seeded, deterministic fault injection. Random faults come from a small PRNG (mulberry32);
 * scripted faults (`failNext`) take precedence. Every decision is taken before the operation
 * touches state, except `ConnectionDropAfterCommit`, which applies the operation and then
 * destroys the socket so the response is lost.
 */
import { isProtonErrorName, ProtonErrorName } from './errors';

export interface FaultOptions {
  /** PRNG seed (default 1). The same seed and the same request sequence give the same faults. */
  readonly seed?: number;
  /** Share of calls answered with ThrottlingException (429). */
  readonly throttlingRate?: number;
  /** Share of calls answered with InternalServerException (500). */
  readonly internalErrorRate?: number;
  /** Share of calls whose socket is destroyed without a response, before the operation runs. */
  readonly dropRate?: number;
  /** Share of calls that are applied and then have their socket destroyed (the response is lost). */
  readonly dropAfterCommitRate?: number;
  /** Uniform added latency in milliseconds, `[min, max]`. */
  readonly latencyMs?: [number, number];
  /** Restrict random faults (and latency) to these operations. Scripted faults are per operation anyway. */
  readonly operations?: string[];
}

/** What a scripted fault can do: answer with a modeled error, or lose the connection. */
export type ScriptedFaultKind = ProtonErrorName | 'ConnectionDrop' | 'ConnectionDropAfterCommit';

/** Fault kinds counted by `faultCounts()`. */
export type FaultKind = ScriptedFaultKind | 'Latency';

/** The decision for one request. */
export interface FaultDecision {
  /** `undefined`: no fault, run normally. */
  readonly kind?: ScriptedFaultKind;
  readonly message?: string;
  readonly scripted: boolean;
  readonly latencyMs: number;
}

interface ScriptedFault {
  readonly kind: ScriptedFaultKind;
  remaining: number;
  readonly message?: string;
}

/* eslint-disable no-bitwise */
/** mulberry32: a tiny 32-bit PRNG, good enough for reproducible fault schedules. */
export function mulberry32(seed: number): () => number {
  let state = Math.trunc(seed) % 4294967296;
  return () => {
    state = (state + 0x6d2b79f5) % 4294967296;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
    throw new Error(`faults.${name} must be a number between 0 and 1 (got ${String(value)})`);
  }
}

/** Throws when fault options are out of range (rates 0..1 summing to at most 1, latency 0 <= a <= b). */
export function validateFaultOptions(options: FaultOptions): void {
  checkRate('throttlingRate', options.throttlingRate);
  checkRate('internalErrorRate', options.internalErrorRate);
  checkRate('dropRate', options.dropRate);
  checkRate('dropAfterCommitRate', options.dropAfterCommitRate);
  const sum = (options.throttlingRate ?? 0) + (options.internalErrorRate ?? 0) + (options.dropRate ?? 0) + (options.dropAfterCommitRate ?? 0);
  if (sum > 1 + 1e-9) {
    throw new Error(`faults: the rates add up to ${sum}, more than 1`);
  }
  if (options.latencyMs !== undefined) {
    const [a, b] = options.latencyMs;
    if (!Array.isArray(options.latencyMs) || options.latencyMs.length !== 2 || !(a >= 0) || !(b >= a)) {
      throw new Error(`faults.latencyMs must be [min, max] with 0 <= min <= max (got ${JSON.stringify(options.latencyMs)})`);
    }
  }
  if (options.seed !== undefined && !Number.isFinite(options.seed)) {
    throw new Error('faults.seed must be a finite number');
  }
  if (options.operations !== undefined && (!Array.isArray(options.operations) || options.operations.some((o) => typeof o !== 'string'))) {
    throw new Error('faults.operations must be a list of operation names');
  }
}

export function isScriptedFaultKind(kind: unknown): kind is ScriptedFaultKind {
  return kind === 'ConnectionDrop' || kind === 'ConnectionDropAfterCommit' || isProtonErrorName(kind);
}

export class FaultInjector {
  private options: FaultOptions = {};
  private random: () => number = mulberry32(1);
  private readonly scripted = new Map<string, ScriptedFault[]>();
  private counts = new Map<FaultKind, number>();

  constructor(options: FaultOptions = {}) {
    this.setFaults(options);
  }

  /** Replaces the random fault configuration and re-seeds the PRNG. Scripted faults are kept. */
  public setFaults(options: FaultOptions): void {
    validateFaultOptions(options);
    this.options = { ...options };
    this.random = mulberry32(options.seed ?? 1);
  }

  public getFaults(): FaultOptions {
    return { ...this.options };
  }

  /** Queues `count` scripted faults for the next calls of `operation` (after any already queued). */
  public failNext(operation: string, kind: ScriptedFaultKind, count: number, message?: string): void {
    if (!isScriptedFaultKind(kind)) {
      throw new Error(`failNext: unknown fault "${String(kind)}" (use an error name such as ThrottlingException, or ConnectionDrop / ConnectionDropAfterCommit)`);
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`failNext: count must be a positive integer (got ${String(count)})`);
    }
    const queue = this.scripted.get(operation) ?? [];
    queue.push({ kind, remaining: count, message });
    this.scripted.set(operation, queue);
  }

  /** Scripted faults still queued, per operation. */
  public pendingScripted(): Record<string, Array<{ kind: ScriptedFaultKind; remaining: number; message?: string }>> {
    const result: Record<string, Array<{ kind: ScriptedFaultKind; remaining: number; message?: string }>> = {};
    for (const [operation, queue] of this.scripted) {
      if (queue.length > 0) result[operation] = queue.map((f) => ({ ...f }));
    }
    return result;
  }

  /**
   * Decides the fault for one call of `operation`. Always draws exactly two numbers from the PRNG
   * when random faults apply to the operation, so schedules do not depend on which faults fired.
   */
  public decide(operation: string): FaultDecision {
    const applies = this.options.operations === undefined || this.options.operations.includes(operation);
    let latencyMs = 0;
    let randomKind: ScriptedFaultKind | undefined;
    if (applies) {
      const r = this.random();
      const l = this.random();
      const o = this.options;
      const throttle = o.throttlingRate ?? 0;
      const internal = throttle + (o.internalErrorRate ?? 0);
      const drop = internal + (o.dropRate ?? 0);
      const dropAfter = drop + (o.dropAfterCommitRate ?? 0);
      if (r < throttle) randomKind = 'ThrottlingException';
      else if (r < internal) randomKind = 'InternalServerException';
      else if (r < drop) randomKind = 'ConnectionDrop';
      else if (r < dropAfter) randomKind = 'ConnectionDropAfterCommit';
      if (o.latencyMs) {
        const [a, b] = o.latencyMs;
        latencyMs = Math.round(a + l * (b - a));
      }
    }
    if (latencyMs > 0) this.count('Latency');

    const queue = this.scripted.get(operation);
    if (queue && queue.length > 0) {
      const head = queue[0];
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      this.count(head.kind);
      return { kind: head.kind, message: head.message, scripted: true, latencyMs };
    }
    if (randomKind) {
      this.count(randomKind);
      return { kind: randomKind, scripted: false, latencyMs };
    }
    return { scripted: false, latencyMs };
  }

  /** How many faults of each kind were injected since the last reset (all common kinds present). */
  public faultCounts(): Record<string, number> {
    const result: Record<string, number> = {
      ThrottlingException: 0,
      InternalServerException: 0,
      ConnectionDrop: 0,
      ConnectionDropAfterCommit: 0,
      Latency: 0,
    };
    for (const [kind, n] of this.counts) result[kind] = n;
    return result;
  }

  /** Clears scripted faults and counts, and restores `options` (re-seeding the PRNG). */
  public reset(options: FaultOptions): void {
    this.scripted.clear();
    this.counts = new Map();
    this.setFaults(options);
  }

  private count(kind: FaultKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }
}
