import { namePrefixProblem, organizationalUnitIdProblem } from '../organization/naming-rule';
import { accountIdProblem, environmentNameProblem } from '../shared/proton-patterns';

/**
 * The acceptor's allow-list: (environment account, environment name) pairs, plus accounts whose
 * every environment is accepted. Shared by the construct (encoding) and the handler (decoding,
 * validation and matching).
 */
export interface AllowListEntries {
  /** `<account>/<environment name>` pairs (see `encodePair`). */
  readonly pairs: string[];
  /** Accounts whose every environment name is accepted. */
  readonly accounts: string[];
  /**
   * Trusted organizational units: each ACTIVE account of these OU trees is accepted for exactly
   * the environment name the entry's naming rule gives it (continuous acceptance only).
   */
  readonly organizationalUnits?: OrganizationalUnitEntry[];
}

/** One trust entry: OU (or root) ids and the naming rule's prefix (`<prefix>-<account id>`). */
export interface OrganizationalUnitEntry {
  readonly ids: string[];
  readonly prefix: string;
}

/** Why a stored OU trust entry is unusable, or `undefined`. */
export function organizationalUnitEntryProblem(entry: unknown): string | undefined {
  const candidate = entry as Partial<OrganizationalUnitEntry> | undefined;
  if (!candidate || !Array.isArray(candidate.ids) || candidate.ids.length === 0) return 'ids must be a non-empty list';
  for (const id of candidate.ids) {
    const problem = organizationalUnitIdProblem(id);
    if (problem) return `ids: ${JSON.stringify(id)} ${problem}`;
  }
  const prefixProblem = namePrefixProblem(candidate.prefix);
  return prefixProblem ? `prefix: ${JSON.stringify(candidate.prefix)} ${prefixProblem}` : undefined;
}

/** What a connection (or its summary) looks like to the allow-list. */
export interface ConnectionParties {
  readonly environmentAccountId?: string;
  readonly environmentName?: string;
}

/** The two parts of a pair. */
export interface EnvironmentPair {
  readonly environmentAccountId: string;
  readonly environmentName: string;
}

/**
 * The pair codec: a pair is `<account>/<environment name>`, the one string the construct writes
 * into the resource properties and the stored allow-list, and the handler reads back. Neither
 * part of a valid pair can contain the separator (account ids are digits, environment names
 * letters, digits, `_` and `-`).
 */
export const PAIR_SEPARATOR = '/';

const PAIR_FORMAT = `must be "<account>${PAIR_SEPARATOR}<environment name>"`;

export function encodePair(environmentAccountId: string, environmentName: string): string {
  return `${environmentAccountId}${PAIR_SEPARATOR}${environmentName}`;
}

/** Decodes a valid pair; throws (naming the rule) for anything `pairProblem` refuses. */
export function decodePair(pair: string): EnvironmentPair {
  const parts = pairParts(pair);
  if (typeof parts === 'string') throw new Error(`invalid pair ${JSON.stringify(pair)}: ${parts}`);
  return parts;
}

/**
 * Why `pair` is not a valid pair, or `undefined` when it is: it must hold exactly one separator,
 * a 12-digit account before it and a valid environment name after it.
 */
export function pairProblem(pair: string): string | undefined {
  const parts = pairParts(pair);
  return typeof parts === 'string' ? parts : undefined;
}

/** The parts of a valid pair, or why it is not one. */
function pairParts(pair: string): EnvironmentPair | string {
  const parts = pair.split(PAIR_SEPARATOR);
  if (parts.length !== 2) return PAIR_FORMAT;
  const [environmentAccountId, environmentName] = parts;
  return accountIdProblem(environmentAccountId) ?? environmentNameProblem(environmentName) ?? { environmentAccountId, environmentName };
}

/** Matching against an allow-list. */
export class AllowList {
  private readonly pairs: Set<string>;
  private readonly accounts: Set<string>;

  /** The trusted OU entries, enumerated by the sweep before matching. */
  public readonly organizationalUnits: OrganizationalUnitEntry[];

  constructor(entries: AllowListEntries) {
    this.pairs = new Set(entries.pairs);
    this.accounts = new Set(entries.accounts);
    this.organizationalUnits = entries.organizationalUnits ?? [];
  }

  /**
   * Whether a connection from these parties may be accepted: a listed pair, an account-wide entry,
   * or (given `members`, the enumerated trusted OUs) exactly the name the naming rule gives an
   * ACTIVE member account.
   */
  public allows(connection: ConnectionParties, members?: ReadonlyMap<string, ReadonlySet<string>>): boolean {
    const { environmentAccountId, environmentName } = connection;
    if (!environmentAccountId || !environmentName) return false;
    return this.accounts.has(environmentAccountId)
      || this.pairs.has(encodePair(environmentAccountId, environmentName))
      || (members?.get(environmentAccountId)?.has(environmentName) ?? false);
  }

  /** How many entries the list holds (an OU trust entry counts once). */
  public get size(): number {
    return this.pairs.size + this.accounts.size + this.organizationalUnits.length;
  }
}

/** Merges several entry sets (e.g. the chunks of a stored allow-list). */
export function mergeEntries(chunks: AllowListEntries[]): AllowListEntries {
  const organizationalUnits = chunks.flatMap((chunk) => chunk.organizationalUnits ?? []);
  return {
    pairs: [...new Set(chunks.flatMap((chunk) => chunk.pairs))],
    accounts: [...new Set(chunks.flatMap((chunk) => chunk.accounts))],
    ...(organizationalUnits.length > 0 ? { organizationalUnits } : {}),
  };
}
