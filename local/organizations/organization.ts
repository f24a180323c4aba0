/**
 * The in-memory organization: accounts and OUs under one root, in creation order (every entity has a sequence
 * number; lists and pagination follow it), and the changes the admin API makes to it.
 */
import { randomBytes } from 'node:crypto';
import {
  accountIdProblem, accountNameProblem, defaultAccountName, defaultEmail, emailProblem, MAX_OU_DEPTH,
  normalizeOrganizationDocument, ORGANIZATION_ACCOUNT_JOINED_METHODS, OrganizationAccountJoinedMethod,
  OrganizationAccountSnapshot, OrganizationAccountStatus, OrganizationalUnitSnapshot, OrganizationSnapshot, ouIdProblem,
  ouNameProblem, parseJoinedTimestamp, statusProblem,
} from './document';
import { derivedIdPart } from './ids';

export interface AccountRecord {
  readonly id: string;
  name: string;
  email: string;
  status: OrganizationAccountStatus;
  parent: string;
  readonly joinedMethod: OrganizationAccountJoinedMethod;
  readonly joinedAt: Date;
  readonly seq: number;
}

export interface OrganizationalUnitRecord {
  readonly id: string;
  readonly name: string;
  readonly parent: string;
  readonly seq: number;
}

export interface AddAccountInput {
  readonly id: string;
  /** The root id or an OU id. */
  readonly parent: string;
  readonly status?: OrganizationAccountStatus;
  readonly name?: string;
  readonly email?: string;
  readonly joinedMethod?: OrganizationAccountJoinedMethod;
  /** ISO-8601 or epoch seconds (default now). */
  readonly joinedTimestamp?: string | number;
}

export interface AddOrganizationalUnitInput {
  /** Default: `ou-<root part>-<8 random [a-z0-9]>`. */
  readonly id?: string;
  readonly name: string;
  /** The root id or an OU id. */
  readonly parent: string;
}

/** A change the admin API made (refused changes throw an Error and change nothing). */
export class OrganizationChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrganizationChangeError';
  }
}

export class Organization {
  public readonly id: string;
  public readonly managementAccountId: string;
  public readonly rootId: string;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly ous = new Map<string, OrganizationalUnitRecord>();
  private readonly delegatedAdministrators: Set<string>;
  private readonly resourcePolicyReaders: Set<string>;
  private nextSeq = 1;

  constructor(document: unknown, now: Date = new Date()) {
    const doc = normalizeOrganizationDocument(document, now);
    this.id = doc.organizationId;
    this.managementAccountId = doc.managementAccountId;
    this.rootId = doc.rootId;
    // OUs in an order where parents come first (the document may list children before parents).
    const pending = [...doc.organizationalUnits];
    while (pending.length > 0) {
      const index = pending.findIndex((ou) => ou.parent === this.rootId || this.ous.has(ou.parent));
      const [ou] = pending.splice(index, 1);
      this.ous.set(ou.id, { ...ou, seq: this.nextSeq++ });
    }
    for (const account of doc.accounts) {
      this.accounts.set(account.id, {
        id: account.id,
        name: account.name,
        email: account.email,
        status: account.status,
        parent: account.parent,
        joinedMethod: account.joinedMethod,
        joinedAt: new Date(account.joinedTimestamp),
        seq: this.nextSeq++,
      });
    }
    this.delegatedAdministrators = new Set(doc.delegatedAdministrators);
    this.resourcePolicyReaders = new Set(doc.resourcePolicyReaders);
  }

  // ---- queries ----

  public account(id: string): AccountRecord | undefined {
    return this.accounts.get(id);
  }

  public organizationalUnit(id: string): OrganizationalUnitRecord | undefined {
    return this.ous.get(id);
  }

  public isParent(id: string): boolean {
    return id === this.rootId || this.ous.has(id);
  }

  public isDelegatedAdministrator(accountId: string): boolean {
    return this.delegatedAdministrators.has(accountId);
  }

  public isResourcePolicyReader(accountId: string): boolean {
    return this.resourcePolicyReaders.has(accountId);
  }

  /** Every account, in the order they joined the local organization. */
  public allAccounts(): AccountRecord[] {
    return [...this.accounts.values()].sort((a, b) => a.seq - b.seq);
  }

  public accountsIn(parent: string): AccountRecord[] {
    return this.allAccounts().filter((a) => a.parent === parent);
  }

  public organizationalUnitsIn(parent: string): OrganizationalUnitRecord[] {
    return [...this.ous.values()].filter((ou) => ou.parent === parent).sort((a, b) => a.seq - b.seq);
  }

  /** The ids from the root down to `parent` (inclusive): `[rootId, ou-1, ou-2]`. */
  public lineage(parent: string): string[] {
    const chain: string[] = [];
    let current: string | undefined = parent;
    while (current !== undefined && current !== this.rootId) {
      chain.unshift(current);
      current = this.ous.get(current)?.parent;
    }
    return [this.rootId, ...chain];
  }

  /** The entity path of the model's `Path` shape: `o-.../r-.../ou-.../[<account id>/]`. */
  public pathOf(entityId: string): string {
    const account = this.accounts.get(entityId);
    const lineage = account ? [...this.lineage(account.parent), account.id] : this.lineage(entityId);
    return `${this.id}/${lineage.join('/')}/`;
  }

  public snapshot(): OrganizationSnapshot {
    return {
      organizationId: this.id,
      managementAccountId: this.managementAccountId,
      rootId: this.rootId,
      accounts: this.allAccounts().map((a) => this.accountSnapshot(a)),
      organizationalUnits: [...this.ous.values()].sort((a, b) => a.seq - b.seq).map((ou) => ({ id: ou.id, name: ou.name, parent: ou.parent })),
      delegatedAdministrators: [...this.delegatedAdministrators],
      resourcePolicyReaders: [...this.resourcePolicyReaders],
    };
  }

  public accountSnapshot(a: AccountRecord): OrganizationAccountSnapshot {
    return {
      id: a.id,
      name: a.name,
      email: a.email,
      status: a.status,
      parent: a.parent,
      joinedMethod: a.joinedMethod,
      joinedTimestamp: a.joinedAt.toISOString(),
    };
  }

  // ---- changes (the admin API) ----

  public addAccount(input: AddAccountInput, now: Date = new Date()): AccountRecord {
    const problem = accountIdProblem(input.id);
    if (problem) throw new OrganizationChangeError(`addAccount: id ${problem}`);
    if (this.accounts.has(input.id)) {
      throw new OrganizationChangeError(`addAccount: account ${input.id} is already in the organization (under ${this.accounts.get(input.id)!.parent}); use moveAccount`);
    }
    this.requireParent('addAccount', input.parent);
    const name = input.name ?? defaultAccountName(input.id, this.managementAccountId);
    const nameProblem = accountNameProblem(name);
    if (nameProblem) throw new OrganizationChangeError(`addAccount: name ${nameProblem}`);
    const email = input.email ?? defaultEmail(name, input.id);
    const mailProblem = emailProblem(email);
    if (mailProblem) throw new OrganizationChangeError(`addAccount: email ${mailProblem}`);
    const status = input.status ?? 'ACTIVE';
    const stateProblem = statusProblem(status);
    if (stateProblem) throw new OrganizationChangeError(`addAccount: status ${stateProblem}`);
    const joinedMethod = input.joinedMethod ?? 'CREATED';
    if (!ORGANIZATION_ACCOUNT_JOINED_METHODS.includes(joinedMethod)) {
      throw new OrganizationChangeError(`addAccount: joinedMethod must be one of ${ORGANIZATION_ACCOUNT_JOINED_METHODS.join(', ')} (got ${String(joinedMethod)})`);
    }
    const joined = input.joinedTimestamp === undefined ? now : parseJoinedTimestamp(input.joinedTimestamp);
    if (typeof joined === 'string') throw new OrganizationChangeError(`addAccount: joinedTimestamp ${joined}`);
    const record: AccountRecord = { id: input.id, name, email, status, parent: input.parent, joinedMethod, joinedAt: joined, seq: this.nextSeq++ };
    this.accounts.set(record.id, record);
    return record;
  }

  /** Moves an account; returns the parent it left. */
  public moveAccount(accountId: string, destinationParentId: string): string {
    const account = this.requireAccount('moveAccount', accountId);
    this.requireParent('moveAccount', destinationParentId);
    if (account.parent === destinationParentId) {
      throw new OrganizationChangeError(`moveAccount: account ${accountId} is already in ${destinationParentId}`);
    }
    const source = account.parent;
    account.parent = destinationParentId;
    return source;
  }

  /** Sets an account's status; returns the previous one. */
  public setAccountStatus(accountId: string, status: OrganizationAccountStatus): OrganizationAccountStatus {
    const account = this.requireAccount('setAccountStatus', accountId);
    const problem = statusProblem(status);
    if (problem) throw new OrganizationChangeError(`setAccountStatus: status ${problem}`);
    if (accountId === this.managementAccountId && status !== 'ACTIVE') {
      throw new OrganizationChangeError('setAccountStatus: the management account cannot be closed while it manages the organization');
    }
    const previous = account.status;
    account.status = status;
    return previous;
  }

  /** Removes an account from the organization (its delegated-administrator registration and policy grant go with it). */
  public removeAccount(accountId: string): AccountRecord {
    const account = this.requireAccount('removeAccount', accountId);
    if (accountId === this.managementAccountId) {
      throw new OrganizationChangeError('removeAccount: the management account cannot leave the organization (MasterCannotLeaveOrganizationException)');
    }
    this.accounts.delete(accountId);
    this.delegatedAdministrators.delete(accountId);
    this.resourcePolicyReaders.delete(accountId);
    return account;
  }

  public addOrganizationalUnit(input: AddOrganizationalUnitInput): OrganizationalUnitRecord {
    const id = input.id ?? this.newOuId();
    const idProblem = ouIdProblem(id, this.rootId);
    if (idProblem) throw new OrganizationChangeError(`addOrganizationalUnit: id ${idProblem}`);
    if (this.ous.has(id)) throw new OrganizationChangeError(`addOrganizationalUnit: ${id} already exists`);
    const nameProblem = ouNameProblem(input.name);
    if (nameProblem) throw new OrganizationChangeError(`addOrganizationalUnit: name ${nameProblem}`);
    this.requireParent('addOrganizationalUnit', input.parent);
    const depth = this.lineage(input.parent).length; // root + OUs above: the new OU's depth
    if (depth > MAX_OU_DEPTH) {
      throw new OrganizationChangeError(`addOrganizationalUnit: under ${input.parent} the OU would be ${depth} levels deep; Organizations allows at most ${MAX_OU_DEPTH}`);
    }
    if (this.organizationalUnitsIn(input.parent).some((ou) => ou.name === input.name)) {
      throw new OrganizationChangeError(`addOrganizationalUnit: ${input.parent} already has an OU named "${input.name}" (DuplicateOrganizationalUnitException)`);
    }
    const record: OrganizationalUnitRecord = { id, name: input.name, parent: input.parent, seq: this.nextSeq++ };
    this.ous.set(id, record);
    return record;
  }

  public ouSnapshot(ou: OrganizationalUnitRecord): OrganizationalUnitSnapshot {
    return { id: ou.id, name: ou.name, parent: ou.parent };
  }

  private newOuId(): string {
    for (;;) {
      const id = `ou-${this.rootId.slice(2)}-${derivedIdPart(randomBytes(8).toString('hex'), 8)}`;
      if (!this.ous.has(id)) return id;
    }
  }

  private requireAccount(operation: string, accountId: string): AccountRecord {
    const account = this.accounts.get(accountId);
    if (!account) throw new OrganizationChangeError(`${operation}: ${JSON.stringify(accountId)} is not an account of the organization`);
    return account;
  }

  private requireParent(operation: string, parent: unknown): void {
    if (typeof parent !== 'string' || !this.isParent(parent)) {
      throw new OrganizationChangeError(`${operation}: parent ${JSON.stringify(parent)} names neither the root (${this.rootId}) nor an organizational unit`);
    }
  }
}
