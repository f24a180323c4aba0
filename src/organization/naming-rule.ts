import { ENVIRONMENT_NAME_MAX_LENGTH, environmentNameProblem } from '../shared/proton-patterns';

/**
 * The naming rule shared by both sides of organization-scale connections: the environment of
 * account `<id>` is `<prefix>-<id>`. The environment side derives it in its StackSet template;
 * the management side accepts exactly that name for each account of its trusted OUs. No aws-cdk-lib
 * import: the acceptor's handler bundles this file.
 */
export const NAMING_SEPARATOR = '-';

/** Account ids are always 12 digits, so the longest name is the prefix plus 13 characters. */
export const MAX_PREFIX_LENGTH = ENVIRONMENT_NAME_MAX_LENGTH - NAMING_SEPARATOR.length - 12;

/** Why `prefix` cannot name environments for every 12-digit account, or `undefined`. */
export function namePrefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== 'string') return 'must be a string';
  if (prefix.length < 1 || prefix.length > MAX_PREFIX_LENGTH) {
    return `must be 1 to ${MAX_PREFIX_LENGTH} characters long, so that "<prefix>${NAMING_SEPARATOR}<12-digit account id>" fits Proton's ${ENVIRONMENT_NAME_MAX_LENGTH} (got ${prefix.length})`;
  }
  // the name of the smallest and the largest account: same characters, same length for any account
  const problem = environmentNameProblem(environmentNameFor(prefix, '000000000000'));
  return problem ? `gives environment names that ${problem}` : undefined;
}

/** The environment name the rule gives `accountId`. */
export function environmentNameFor(prefix: string, accountId: string): string {
  return `${prefix}${NAMING_SEPARATOR}${accountId}`;
}

/** Organizational unit ids (`ou-…`) and root ids (`r-…`), as AWS Organizations forms them. */
export const ORGANIZATIONAL_UNIT_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;

/** Why `id` is neither an OU id nor a root id, or `undefined`. */
export function organizationalUnitIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  if (ORGANIZATIONAL_UNIT_ID_PATTERN.test(id) || ROOT_ID_PATTERN.test(id)) return undefined;
  return 'must be an organizational unit id ("ou-" + 4 to 32 lower-case letters or digits + "-" + 8 to 32 more) or a root id ("r-" + 4 to 32)';
}
