/**
 * What one benchmark app process synthesizes: passed as a JSON argument, so that the floor and
 * the library apps take exactly the same input and do exactly the same work around the stacks.
 */
export type AppSpec =
  /** N environment stacks (and, for the library, one management stack with the acceptor). */
  | { readonly mode: 'pairs'; readonly outdir: string; readonly n: number }
  /**
   * One environment stack per k, holding k connections: with one Proton role trusting all k
   * environments (`shared-role`), or with one role per connection (`role-per-connection`).
   */
  | { readonly mode: 'one-stack'; readonly outdir: string; readonly ks: number[]; readonly shape: OneStackShape }
  /** A management stack whose acceptor allow-lists `pairs` pairs over `accounts` environment accounts. */
  | { readonly mode: 'management'; readonly outdir: string; readonly pairs: number; readonly accounts: number; readonly continuous: boolean }
  /** The two-stack handshake app (library only), with an optional Proton role name. */
  | { readonly mode: 'handshake'; readonly outdir: string; readonly roleName?: string };

/** How the connections of one stack get their Proton role. */
export type OneStackShape = 'shared-role' | 'role-per-connection';
export const ONE_STACK_SHAPES: OneStackShape[] = ['shared-role', 'role-per-connection'];

export const MANAGEMENT_ACCOUNT = '111111111111';
export const HANDSHAKE_ENVIRONMENT_ACCOUNT = '222222222222';
export const REGION = 'us-east-1';
export const MANAGEMENT_STACK = 'ManagementAccountStack';
export const HANDSHAKE_ENVIRONMENT_STACK = 'EnvironmentAccountStack';

/** The i-th environment account (distinct per environment stack). */
export function environmentAccount(i: number): string {
  return String(200000000000 + i);
}

/** The i-th environment name. */
export function environmentName(i: number): string {
  return `env-${String(i).padStart(4, '0')}`;
}

/** The stack id of the i-th environment stack. */
export function environmentStackId(i: number): string {
  return `Environment${i}`;
}

/** What an app process prints last, on one line, after `BENCH_RESULT `. */
export interface AppPhases {
  /** From process start to the app's first statement (node start-up + module loading). */
  readonly loadMs: number;
  /** Building the construct tree. */
  readonly constructMs: number;
  /** `app.synth()`: validation, resolution, writing the assembly. */
  readonly synthMs: number;
}

export const RESULT_MARKER = 'BENCH_RESULT ';
