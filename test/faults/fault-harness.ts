/**
 * Shared pieces of the fault-injection suites: a seeded PRNG for the harness's own choices,
 * the fault profile, invariant checks over the local endpoint's state and events, and the
 * one-line summary.
 */
import type { FaultOptions, LocalProton, StoreDump } from '../../local/proton-endpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const MANAGEMENT_ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

/** The fault profile of both layers (the endpoint draws its own faults from `seed`). */
export function faultProfile(seed: number): FaultOptions {
  return {
    seed,
    throttlingRate: 0.2,
    internalErrorRate: 0.1,
    dropRate: 0.05,
    dropAfterCommitRate: 0.05,
    latencyMs: [0, 20],
  };
}

/* eslint-disable no-bitwise */
/** A small seeded PRNG (xorshift-multiply) for the harness's choices; independent of the endpoint's. */
export function seededRandom(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
    return ((t ^ (t >>> 15)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

/** One expected connection: who, with which role, in which status. */
export interface ExpectedConnection {
  readonly environmentAccountId: string;
  readonly environmentName: string;
  readonly roleArn: string;
  readonly status: 'CONNECTED' | 'PENDING';
  /** The physical id CloudFormation holds for it, when known. */
  readonly id?: string;
}

/** Counters that every run adds to. */
export class FaultTally {
  public runs = 0;
  public calls = 0;
  public faults: Record<string, number> = {};
  public duplicateDeliveries = 0;
  /** Lifecycle steps the runner ran again after a transient failure (the SDK gave up after its 10 attempts). */
  public stepRetries = 0;
  /** Why each step was run again. */
  public readonly stepRetryReasons: string[] = [];
  public failedResponses = 0;
  public rolledBackCleanly = 0;
  public duplicates = 0;
  public orphans = 0;
  public unintendedRejections = 0;
  public convergenceFailures = 0;
  public extraConnectionsFiled = 0;
  /** Human-readable invariant violations, each naming its seed. */
  public readonly violations: string[] = [];

  /** Adds the endpoint's call and fault counts (read them before the next reset). */
  public addEndpointCounts(endpoint: LocalProton): void {
    this.calls += endpoint.admin.callCounts().total;
    for (const [kind, n] of Object.entries(endpoint.admin.faultCounts())) this.faults[kind] = (this.faults[kind] ?? 0) + n;
  }

  public violation(seed: number | string, kind: 'duplicates' | 'orphans' | 'unintendedRejections' | 'convergenceFailures', message: string): void {
    this[kind] += 1;
    this.violations.push(`seed ${seed}: ${kind}: ${message}`);
  }

  public summary(label: string, extra = ''): string {
    const f = (k: string) => this.faults[k] ?? 0;
    const injected = f('ThrottlingException') + f('InternalServerException') + f('ConnectionDrop') + f('ConnectionDropAfterCommit');
    const n = (x: number) => x.toLocaleString('en-US');
    return `${label}: ${n(this.runs)} runs, ${n(this.calls)} calls, ${n(injected)} faults injected (throttling ${n(f('ThrottlingException'))}, `
      + `500s ${n(f('InternalServerException'))}, drops ${n(f('ConnectionDrop'))}, drop-after-commit ${n(f('ConnectionDropAfterCommit'))}), `
      + `${n(this.duplicateDeliveries)} duplicate deliveries, ${n(this.stepRetries)} step retries, ${n(this.failedResponses)} FAILED responses, `
      + `${this.duplicates} duplicates, ${this.orphans} orphans, ${this.unintendedRejections} unintended rejections, `
      + `${this.convergenceFailures} convergence failures, ${this.extraConnectionsFiled} extra connections filed, `
      + `${this.rolledBackCleanly} rolled back cleanly${extra}`;
  }
}

function describeConnection(c: StoreDump['connections'][number]): string {
  return `${c.id} ${c.status} ${c.environmentAccountId}/${c.environmentName}->${c.managementAccountId} role ${c.roleArn}`;
}

/** Never two PENDING/CONNECTED connections for one (environment account, management account, environment name, Region). */
export function checkNoDuplicates(endpoint: LocalProton, tally: FaultTally, seed: number | string, phase: string): boolean {
  const active = endpoint.admin.dump().connections.filter((c) => c.status === 'PENDING' || c.status === 'CONNECTED');
  const byKey = new Map<string, string[]>();
  for (const c of active) {
    const key = `${c.environmentAccountId}/${c.managementAccountId}/${c.environmentName}/${c.region}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c.id]);
  }
  let ok = true;
  for (const [key, ids] of byKey) {
    if (ids.length > 1) {
      tally.violation(seed, 'duplicates', `${phase}: ${ids.length} active connections for ${key}: ${ids.join(', ')}`);
      ok = false;
    }
  }
  return ok;
}

/** Exactly the expected connections exist (no more), with the expected status, role and id. */
export function checkConverged(endpoint: LocalProton, expected: ExpectedConnection[], tally: FaultTally, seed: number | string, phase: string): boolean {
  const connections = endpoint.admin.dump().connections;
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const e of expected) {
    const found = connections.filter((c) => c.environmentAccountId === e.environmentAccountId && c.environmentName === e.environmentName
      && c.managementAccountId === MANAGEMENT_ACCOUNT);
    if (found.length !== 1) {
      problems.push(`${found.length} connections for ${e.environmentAccountId}/${e.environmentName} (want 1)`);
      continue;
    }
    const c = found[0];
    matched.add(c.id);
    if (c.status !== e.status) problems.push(`${describeConnection(c)}: status, want ${e.status}`);
    if (c.roleArn !== e.roleArn) problems.push(`${describeConnection(c)}: role, want ${e.roleArn}`);
    if (e.id !== undefined && c.id !== e.id) problems.push(`${describeConnection(c)}: CloudFormation holds physical id ${e.id}`);
  }
  for (const c of connections) {
    if (!matched.has(c.id)) problems.push(`unexpected ${describeConnection(c)}`);
  }
  if (problems.length > 0) {
    const orphansOnly = expected.length === 0;
    tally.violation(seed, orphansOnly ? 'orphans' : 'convergenceFailures', `${phase}: ${problems.join('; ')}`);
    return false;
  }
  return true;
}

/** No REJECTED transition in the event log (nobody in these flows may reject). */
export function checkNoRejections(endpoint: LocalProton, tally: FaultTally, seed: number | string): boolean {
  const rejected = endpoint.admin.events().filter((e) => e.detail.status === 'REJECTED');
  if (rejected.length > 0) {
    tally.violation(seed, 'unintendedRejections', `${rejected.length} REJECTED events: ${[...new Set(rejected.map((e) => e.detail.id))].join(', ')}`);
    return false;
  }
  return true;
}

/** Distinct connections ever created (from the event log). */
export function connectionsEverCreated(endpoint: LocalProton): number {
  return new Set(endpoint.admin.events().filter((e) => e.detail.status === 'PENDING' && e.detail.previousStatus === undefined).map((e) => e.detail.id)).size;
}
