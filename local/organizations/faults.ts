/**
 * Fault injection for the Organizations operations, apart from Proton's (its own options, PRNG, queue and counts):
 * a share of calls throttled (TooManyRequestsException, 429), failed (ServiceException, 500), dropped, or answered
 * with an empty page; scripted faults for the next N calls of one operation or of any. Decided after the caller is
 * identified and before anything else (state is never touched: the operations only read).
 */
import { isOrganizationsErrorName, OrganizationsErrorName } from './errors';
import { mulberry32 } from '../proton-endpoint/faults';

export interface OrganizationsFaultOptions {
  /** PRNG seed (default 1). The same seed and the same call sequence give the same faults. */
  readonly seed?: number;
  /** Share of calls answered with TooManyRequestsException (429). */
  readonly throttlingRate?: number;
  /** Share of calls answered with ServiceException (500). */
  readonly serviceErrorRate?: number;
  /** Share of calls whose socket is destroyed without a response. */
  readonly dropRate?: number;
  /**
   * Share of List* calls (that have items left) answered with no items and a NextToken for the same position, as the
   * model warns: "These operations can occasionally return an empty set of results even when more results are available".
   */
  readonly emptyPageRate?: number;
  /** Uniform added latency in milliseconds, `[min, max]`. */
  readonly latencyMs?: [number, number];
  /** Restrict random faults (and latency) to these operations. */
  readonly operations?: string[];
}

/** A scripted fault: an Organizations error name (TooManyRequestsException, ServiceException, ...) or ConnectionDrop. */
export type OrganizationsScriptedFaultKind = OrganizationsErrorName | 'ConnectionDrop' | 'EmptyPage';

/** `failNext` for any operation. */
export const ANY_OPERATION = '*';

export interface OrganizationsFaultDecision {
  readonly kind?: OrganizationsScriptedFaultKind;
  readonly message?: string;
  readonly scripted: boolean;
  readonly latencyMs: number;
}

interface ScriptedFault {
  readonly kind: OrganizationsScriptedFaultKind;
  remaining: number;
  readonly message?: string;
}

export function isOrganizationsScriptedFaultKind(kind: unknown): kind is OrganizationsScriptedFaultKind {
  return kind === 'ConnectionDrop' || kind === 'EmptyPage' || isOrganizationsErrorName(kind);
}

function checkRate(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
    throw new Error(`organizationsFaults.${name} must be a number between 0 and 1 (got ${String(value)})`);
  }
}

/** Throws when the options are out of range (rates 0..1, the error rates summing to at most 1; latency 0 <= a <= b). */
export function validateOrganizationsFaultOptions(options: OrganizationsFaultOptions): void {
  if (typeof options !== 'object' || options === null) throw new Error('organizationsFaults must be an object');
  const known = ['seed', 'throttlingRate', 'serviceErrorRate', 'dropRate', 'emptyPageRate', 'latencyMs', 'operations'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`organizationsFaults.${key}: unknown option (known: ${known.join(', ')})`);
  }
  checkRate('throttlingRate', options.throttlingRate);
  checkRate('serviceErrorRate', options.serviceErrorRate);
  checkRate('dropRate', options.dropRate);
  checkRate('emptyPageRate', options.emptyPageRate);
  const sum = (options.throttlingRate ?? 0) + (options.serviceErrorRate ?? 0) + (options.dropRate ?? 0);
  if (sum > 1 + 1e-9) throw new Error(`organizationsFaults: throttlingRate + serviceErrorRate + dropRate add up to ${sum}, more than 1`);
  if (options.latencyMs !== undefined) {
    const l = options.latencyMs;
    if (!Array.isArray(l) || l.length !== 2 || !(l[0] >= 0) || !(l[1] >= l[0])) {
      throw new Error(`organizationsFaults.latencyMs must be [min, max] with 0 <= min <= max (got ${JSON.stringify(l)})`);
    }
  }
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new Error('organizationsFaults.seed must be a finite number');
  if (options.operations !== undefined && (!Array.isArray(options.operations) || options.operations.some((o) => typeof o !== 'string'))) {
    throw new Error('organizationsFaults.operations must be a list of operation names');
  }
}

export class OrganizationsFaultInjector {
  private options: OrganizationsFaultOptions = {};
  private random: () => number = mulberry32(1);
  private readonly scripted = new Map<string, ScriptedFault[]>();
  private counts = new Map<string, number>();

  constructor(options: OrganizationsFaultOptions = {}) {
    this.setFaults(options);
  }

  public setFaults(options: OrganizationsFaultOptions): void {
    validateOrganizationsFaultOptions(options);
    this.options = { ...options };
    this.random = mulberry32(options.seed ?? 1);
  }

  public getFaults(): OrganizationsFaultOptions {
    return { ...this.options };
  }

  /** Queues `count` faults for the next calls of `operation` (or of any operation: `*`), after those already queued. */
  public failNext(operation: string, kind: OrganizationsScriptedFaultKind, count: number, message?: string): void {
    if (!isOrganizationsScriptedFaultKind(kind)) {
      throw new Error(`failNext: unknown fault "${String(kind)}" (an Organizations error name such as TooManyRequestsException, or ConnectionDrop / EmptyPage)`);
    }
    if (!Number.isInteger(count) || count < 1) throw new Error(`failNext: count must be a positive integer (got ${String(count)})`);
    const queue = this.scripted.get(operation) ?? [];
    queue.push({ kind, remaining: count, message });
    this.scripted.set(operation, queue);
  }

  public pendingScripted(): Record<string, Array<{ kind: OrganizationsScriptedFaultKind; remaining: number; message?: string }>> {
    const result: Record<string, Array<{ kind: OrganizationsScriptedFaultKind; remaining: number; message?: string }>> = {};
    for (const [operation, queue] of this.scripted) {
      if (queue.length > 0) result[operation] = queue.map((f) => ({ ...f }));
    }
    return result;
  }

  /**
   * The fault for one call. Draws exactly three numbers when random faults apply to the operation, so schedules do
   * not depend on which faults fired. `isList`: whether an empty page can be answered.
   */
  public decide(operation: string, isList: boolean): OrganizationsFaultDecision {
    const applies = this.options.operations === undefined || this.options.operations.includes(operation);
    let latencyMs = 0;
    let randomKind: OrganizationsScriptedFaultKind | undefined;
    if (applies) {
      const r = this.random();
      const l = this.random();
      const e = this.random();
      const o = this.options;
      const throttle = o.throttlingRate ?? 0;
      const service = throttle + (o.serviceErrorRate ?? 0);
      const drop = service + (o.dropRate ?? 0);
      if (r < throttle) randomKind = 'TooManyRequestsException';
      else if (r < service) randomKind = 'ServiceException';
      else if (r < drop) randomKind = 'ConnectionDrop';
      else if (isList && e < (o.emptyPageRate ?? 0)) randomKind = 'EmptyPage';
      if (o.latencyMs) latencyMs = Math.round(o.latencyMs[0] + l * (o.latencyMs[1] - o.latencyMs[0]));
    }
    if (latencyMs > 0) this.count('Latency');
    for (const key of [operation, ANY_OPERATION]) {
      const queue = this.scripted.get(key);
      if (queue && queue.length > 0) {
        const head = queue[0];
        head.remaining -= 1;
        if (head.remaining <= 0) queue.shift();
        this.count(head.kind);
        return { kind: head.kind, message: head.message, scripted: true, latencyMs };
      }
    }
    if (randomKind) {
      this.count(randomKind);
      return { kind: randomKind, scripted: false, latencyMs };
    }
    return { scripted: false, latencyMs };
  }

  /** Faults injected per kind since the last reset (the common kinds always present). */
  public faultCounts(): Record<string, number> {
    const result: Record<string, number> = { TooManyRequestsException: 0, ServiceException: 0, ConnectionDrop: 0, EmptyPage: 0, Latency: 0 };
    for (const [kind, n] of this.counts) result[kind] = n;
    return result;
  }

  /** Clears scripted faults and counts and restores `options` (re-seeding). */
  public reset(options: OrganizationsFaultOptions): void {
    this.scripted.clear();
    this.counts = new Map();
    this.setFaults(options);
  }

  /** Clears the counts only. */
  public resetCounts(): void {
    this.counts = new Map();
  }

  private count(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }
}
