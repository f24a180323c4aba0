import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The synth-time check that the two sides of organization-scale connections agree when one app
 * holds both: each Region a StackSet files requests in has an acceptor of its management account
 * trusting OUs, and those acceptors accept the names the StackSet's rule gives.
 */

/** What the check needs to know of an acceptor that trusts OUs. */
export interface RegisteredOrganizationTrust {
  readonly path: string;
  readonly stack: Stack;
  /** The naming-rule prefixes it accepts, by OU id. */
  readonly entries: ReadonlyArray<{ readonly ids: readonly string[]; readonly prefix: string }>;
}

/** What the check needs to know of a StackSet of the environment side. */
export interface RegisteredStackSet extends IConstruct {
  readonly managementAccountId: string;
  readonly regions: string[];
  readonly organizationalUnitIds: string[];
  readonly environmentNaming: { readonly prefix: string };
}

const TRUSTS = Symbol.for('cdk-proton-account-connections.organization-trusts');

/** Makes an OU-trusting acceptor known to the StackSets of its app. */
export function registerOrganizationTrust(scope: IConstruct, trust: RegisteredOrganizationTrust): void {
  const root = scope.node.root as unknown as Record<symbol, RegisteredOrganizationTrust[] | undefined>;
  (root[TRUSTS] ??= []).push(trust);
}

/** Checks the StackSet against the app's OU-trusting acceptors when the app is synthesized. */
export function registerStackSet(stackSet: RegisteredStackSet): void {
  stackSet.node.addValidation({
    validate: () => {
      const trusts = (stackSet.node.root as unknown as Record<symbol, RegisteredOrganizationTrust[] | undefined>)[TRUSTS] ?? [];
      return stackSetProblems(stackSet, trusts);
    },
  });
}

function stackSetProblems(set: RegisteredStackSet, trusts: readonly RegisteredOrganizationTrust[]): string[] {
  const management = set.managementAccountId;
  if (Token.isUnresolved(management)) return [];
  const acceptors = trusts.filter((t) => t.stack.account === management && !Token.isUnresolved(t.stack.region));
  // the management side is deployed from another app: nothing to compare with
  if (acceptors.length === 0) return [];
  const prefix = set.environmentNaming.prefix;
  const problems: string[] = [];
  for (const region of set.regions) {
    const here = acceptors.filter((t) => t.stack.region === region);
    if (here.length === 0) {
      const where = [...new Set(acceptors.map((t) => t.stack.region))].join(', ');
      problems.push(`regions: the StackSet files requests in ${region}, but the acceptors of management account ${management} that trust OUs run in ${where}: `
        + `requests filed in ${region} would stay PENDING (add an acceptor in ${region} or remove the Region)`);
      continue;
    }
    const prefixes = new Set(here.flatMap((t) => t.entries.map((e) => e.prefix)));
    if (!prefixes.has(prefix)) {
      problems.push(`environmentNaming: the StackSet names environments "${prefix}-<account id>", but the acceptors of management account ${management} in ${region} `
        + `(${here.map((t) => t.path).join(', ')}) accept ${[...prefixes].map((p) => `"${p}-<account id>"`).join(', ')}: give both sides the same EnvironmentNaming`);
    }
  }
  return problems;
}
