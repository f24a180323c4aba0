/**
 * What one benchmark app process synthesizes: passed as a JSON argument, so that the floor, the
 * library and the `AwsCustomResource` peer apps take exactly the same input and do exactly the
 * same work around the stacks.
 */
export type AppSpec =
  /** N environment stacks (and, for the library and the peer, the management side that accepts them). */
  | { readonly mode: 'pairs'; readonly outdir: string; readonly n: number }
  /**
   * One environment stack per k, holding k connections: with one Proton role trusting all k
   * environments (`shared-role`), or with one role per connection (`role-per-connection`).
   */
  | {
    readonly mode: 'one-stack';
    readonly outdir: string;
    readonly ks: number[];
    readonly shape: OneStackShape;
    /** Floor only: its role carries the confused-deputy trust conditions the library's and the peer's roles have. */
    readonly guarded?: boolean;
  }
  /** A management stack whose acceptor allow-lists `pairs` pairs over `accounts` environment accounts. */
  | { readonly mode: 'management'; readonly outdir: string; readonly pairs: number; readonly accounts: number; readonly continuous: boolean }
  /** The two-stack handshake app (library only), with an optional Proton role name. */
  | { readonly mode: 'handshake'; readonly outdir: string; readonly roleName?: string }
  /**
   * Continuous acceptance's event path (library only): a management stack whose acceptor lists the
   * pair without waiting for it, and an environment stack that files its request, with no stack
   * dependency between them (the management stack deploys first).
   */
  | { readonly mode: 'event-path'; readonly outdir: string };

/** How the connections of one stack get their Proton role. */
export type OneStackShape = 'shared-role' | 'role-per-connection';
export const ONE_STACK_SHAPES: OneStackShape[] = ['shared-role', 'role-per-connection'];

export const MANAGEMENT_ACCOUNT = '111111111111';
export const HANDSHAKE_ENVIRONMENT_ACCOUNT = '222222222222';
export const REGION = 'us-east-1';
export const MANAGEMENT_STACK = 'ManagementAccountStack';
export const HANDSHAKE_ENVIRONMENT_STACK = 'EnvironmentAccountStack';

/**
 * The peer's acceptance: one list of the PENDING requests per `PEER_PAIRS_PER_LIST` accepts (a
 * custom resource's response holds 4,096 B, ~85 B per `environmentAccountConnections.<i>.id` and its
 * value), `PEER_LISTS_PER_STACK` lists per management stack (2 provider resources + 5 × (list +
 * policy + 45 × (accept + policy)) = 462 of a stack's 500 resources).
 */
export const PEER_PAIRS_PER_LIST = 45;
export const PEER_LISTS_PER_STACK = 5;

/** The j-th management stack of a side that needs more than one (the peer past 225 pairs). */
export function managementStackId(j: number): string {
  return j === 0 ? MANAGEMENT_STACK : `${MANAGEMENT_STACK}${j + 1}`;
}

export function isManagementStack(stackId: string): boolean {
  return stackId.startsWith(MANAGEMENT_STACK);
}

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
