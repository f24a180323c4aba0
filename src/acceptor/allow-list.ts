/**
 * The acceptor's allow-list: (environment account, environment name) pairs, plus accounts whose
 * every environment is accepted. Shared by the construct (encoding) and the handler (matching).
 *
 * A pair is encoded as `<account>/<environment name>`: neither part can contain `/`.
 */
export interface AllowListEntries {
  /** `<account>/<environment name>` pairs. */
  readonly pairs: string[];
  /** Accounts whose every environment name is accepted. */
  readonly accounts: string[];
}

/** What a connection (or its summary) looks like to the allow-list. */
export interface ConnectionParties {
  readonly environmentAccountId?: string;
  readonly environmentName?: string;
}

export function encodePair(environmentAccountId: string, environmentName: string): string {
  return `${environmentAccountId}/${environmentName}`;
}

export function decodePair(pair: string): { environmentAccountId: string; environmentName: string } {
  const slash = pair.indexOf('/');
  return { environmentAccountId: pair.slice(0, slash), environmentName: pair.slice(slash + 1) };
}

/** Matching against an allow-list. */
export class AllowList {
  private readonly pairs: Set<string>;
  private readonly accounts: Set<string>;

  constructor(entries: AllowListEntries) {
    this.pairs = new Set(entries.pairs);
    this.accounts = new Set(entries.accounts);
  }

  /** Whether a connection from these parties may be accepted. */
  public allows(connection: ConnectionParties): boolean {
    const { environmentAccountId, environmentName } = connection;
    if (!environmentAccountId || !environmentName) return false;
    return this.accounts.has(environmentAccountId) || this.pairs.has(encodePair(environmentAccountId, environmentName));
  }

  /** How many entries the list holds. */
  public get size(): number {
    return this.pairs.size + this.accounts.size;
  }
}

/** Merges several entry sets (e.g. the chunks of a stored allow-list). */
export function mergeEntries(chunks: AllowListEntries[]): AllowListEntries {
  return {
    pairs: [...new Set(chunks.flatMap((chunk) => chunk.pairs))],
    accounts: [...new Set(chunks.flatMap((chunk) => chunk.accounts))],
  };
}
