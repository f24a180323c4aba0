import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Whether a connection that waits for its acceptance can ever see it, given the order in which
 * `cdk deploy --all` deploys stacks: one at a time, each after the stacks it depends on.
 */

/** How an acceptor lists one (environment account, environment name) pair. */
export type Listing = 'awaited' | 'listed' | 'account-wide';

/** What the check needs to know of an acceptor. */
export interface RegisteredAcceptor {
  readonly path: string;
  readonly stack: Stack;
  readonly continuous: boolean;
  listing(environmentAccountId: string, environmentName: string): Listing | undefined;
}

const REGISTRY = Symbol.for('cdk-proton-account-connections.acceptors');

/** Makes an acceptor known to the waiting connections of its app. */
export function registerAcceptor(scope: IConstruct, acceptor: RegisteredAcceptor): void {
  const root = scope.node.root as unknown as Record<symbol, RegisteredAcceptor[] | undefined>;
  (root[REGISTRY] ??= []).push(acceptor);
}

function acceptorsOf(scope: IConstruct): RegisteredAcceptor[] {
  return (scope.node.root as unknown as Record<symbol, RegisteredAcceptor[] | undefined>)[REGISTRY] ?? [];
}

/** Whether `stack` depends on `other`, directly or through other stacks. */
export function dependsOn(stack: Stack, other: Stack, seen = new Set<Stack>()): boolean {
  for (const dependency of stack.dependencies) {
    if (dependency === other) return true;
    if (!seen.has(dependency)) {
      seen.add(dependency);
      if (dependsOn(dependency, other, seen)) return true;
    }
  }
  return false;
}

/** What works, said in every refusal. */
const WHAT_WORKS = 'Either leave waitForAcceptance off (the management stack deploys after this one and accepts the request while it deploys), '
  + 'or deploy the management stack first with continuous acceptance and waitAtDeploy: false for this pair, and make this stack depend on it '
  + '(ProtonEnvironmentLink with waitForAcceptance: true wires exactly that).';

/**
 * The problems of a waiting connection of `stack` for (account, environment name, management
 * account) with the acceptors of the same app that list it. Acceptors of other apps are not known.
 */
export function waitingOrderProblems(
  connectionPath: string, stack: Stack, managementAccountId: string, environmentName: string,
): string[] {
  const account = stack.account;
  const problems: string[] = [];
  for (const acceptor of acceptorsOf(stack)) {
    const other = acceptor.stack.account;
    if (!Token.isUnresolved(other) && !Token.isUnresolved(managementAccountId) && other !== managementAccountId) continue;
    const listing = acceptor.listing(account, environmentName);
    if (!listing) continue;
    const prefix = `${connectionPath}: waitForAcceptance cannot succeed with ${acceptor.path} (stack ${acceptor.stack.stackName}), which accepts this request:`;
    if (acceptor.stack === stack || dependsOn(acceptor.stack, stack)) {
      problems.push(`${prefix} cdk deploy deploys ${acceptor.stack.stackName} after ${stack.stackName}, so this connection would wait for an acceptance that only comes after it (a deadlock). ${WHAT_WORKS}`);
    } else if (!dependsOn(stack, acceptor.stack)) {
      problems.push(`${prefix} neither stack depends on the other, so cdk deploy may deploy ${stack.stackName} first and wait for an acceptance that only comes after it. ${WHAT_WORKS}`);
    } else if (!acceptor.continuous) {
      problems.push(`${prefix} it deploys first but has no continuous acceptance, so nothing accepts the request when this stack files it. ${WHAT_WORKS}`);
    } else if (listing === 'awaited') {
      problems.push(`${prefix} it deploys first and waits at deploy for a request this stack files only after it (waitAtDeploy is on for this pair). ${WHAT_WORKS}`);
    }
  }
  return problems;
}
