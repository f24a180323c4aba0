import { AllowListEntries, decodePair, pairProblem } from './allow-list';
import { PropertyError, booleanProperty, integerProperty } from '../handler-runtime/property-parsing';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from '../shared/handler-limits';
import { accountIdProblem } from '../shared/proton-patterns';

/**
 * The contract between the `EnvironmentAccountConnectionAcceptor` construct and its handler.
 */
export const ACCEPTANCE_RESOURCE_TYPE = 'Custom::ProtonConnectionAcceptance';

export const AcceptanceProperty = {
  /** `<account>/<environment name>` pairs this resource accepts and waits for. */
  pairs: 'Pairs',
  /** Accounts whose pending requests are accepted without waiting. */
  accounts: 'Accounts',
  /**
   * Pairs accepted when their request is found, without waiting for it: their environment
   * stacks deploy after this one and continuous acceptance accepts them when they are filed.
   */
  listedPairs: 'ListedPairs',
  waitTimeoutSeconds: 'WaitTimeoutSeconds',
  /** The end-of-support switch: no Proton call on Update or Delete. */
  endOfSupport: 'EndOfSupport',
  /**
   * The acceptor trusts organizational units, whose requests its continuous sweep accepts: a
   * resource without pairs or accounts then has nothing to do at deploy, which is not an error.
   */
  trustsOrganizationalUnits: 'TrustsOrganizationalUnits',
} as const;

/** Attribute holding the accepted connection id of the pair at `index` in `Pairs`. */
export function connectionIdAttribute(index: number): string {
  return `ConnectionId${index}`;
}

/** How many pairs one acceptance resource holds: their ids must fit CloudFormation's 4 KB response. */
export const PAIRS_PER_RESOURCE = 50;

/** `WaitTimeoutSeconds` at most: the handler's longest wait (`MAX_WAIT_SECONDS`, src/shared/handler-limits.ts). */
export const MAX_WAIT_TIMEOUT_SECONDS = MAX_WAIT_SECONDS;
/** `WaitTimeoutSeconds` when absent. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = DEFAULT_WAIT_SECONDS;

/** What the continuous sweep is invoked with (the schedule's and the event rule's target input). */
export interface SweepRequest {
  readonly sweep: {
    /** SSM parameter path holding the allow-list chunks. */
    readonly allowListPath: string;
    readonly rejectUnlisted: boolean;
  };
}

export function isSweepRequest(event: unknown): event is SweepRequest {
  return typeof event === 'object' && event !== null && typeof (event as SweepRequest).sweep?.allowListPath === 'string';
}

/** An acceptance resource's properties, parsed and validated. */
export interface AcceptanceSpec {
  /** The pairs waited for, and the account-wide entries. */
  readonly entries: AllowListEntries;
  /** Pairs accepted when found, not waited for. */
  readonly listedPairs: string[];
  readonly waitTimeoutSeconds: number;
  readonly endOfSupport: boolean;
  readonly trustsOrganizationalUnits: boolean;
}

/** Why an entry naming the management account itself is refused. */
export const OWN_ACCOUNT_RULE = 'is this management account itself: a connection links two different accounts';

/**
 * Parses and validates an acceptance resource's properties; throws naming the property. With
 * `managementAccountId` (the handler's own account), an entry for that account is refused too:
 * the constructs see literals and the `AWS::AccountId` token at synth, this sees every token.
 */
export function parseAcceptanceSpec(props: Record<string, unknown>, managementAccountId?: string): AcceptanceSpec {
  const accounts = stringList(props, AcceptanceProperty.accounts);
  for (const account of accounts) {
    const problem = accountIdProblem(account) ?? (account === managementAccountId ? OWN_ACCOUNT_RULE : undefined);
    if (problem) throw new PropertyError(AcceptanceProperty.accounts, account, problem);
  }
  return {
    entries: { pairs: pairList(props, AcceptanceProperty.pairs, managementAccountId), accounts },
    listedPairs: pairList(props, AcceptanceProperty.listedPairs, managementAccountId),
    waitTimeoutSeconds: integerProperty(props, AcceptanceProperty.waitTimeoutSeconds, DEFAULT_WAIT_TIMEOUT_SECONDS, 0, MAX_WAIT_TIMEOUT_SECONDS),
    endOfSupport: booleanProperty(props, AcceptanceProperty.endOfSupport, false),
    trustsOrganizationalUnits: booleanProperty(props, AcceptanceProperty.trustsOrganizationalUnits, false),
  };
}

function pairList(props: Record<string, unknown>, name: string, managementAccountId: string | undefined): string[] {
  const pairs = stringList(props, name);
  for (const pair of pairs) {
    const problem = pairProblem(pair)
      ?? (decodePair(pair).environmentAccountId === managementAccountId ? `its environment account ${managementAccountId} ${OWN_ACCOUNT_RULE}` : undefined);
    if (problem) throw new PropertyError(name, pair, problem);
  }
  return pairs;
}

function stringList(props: Record<string, unknown>, name: string): string[] {
  const value = props[name];
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new PropertyError(name, value, 'must be a list of strings');
  }
  return value as string[];
}
