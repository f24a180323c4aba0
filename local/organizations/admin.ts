/**
 * The in-process admin of the local Organizations surface (`proton.admin.organizations`): change the organization
 * while the endpoint runs (accounts join, move, get suspended, leave; OUs are added), read what changed, the call
 * counts and the faults.
 */
import { OrganizationsBackend } from './backend';
import {
  OrganizationAccountSnapshot, OrganizationAccountStatus, OrganizationalUnitSnapshot, OrganizationDocument, OrganizationSnapshot,
} from './document';
import { OrganizationChange, OrganizationEventFilter, OrganizationsCloudTrailEvent } from './events';
import { ANY_OPERATION, OrganizationsFaultOptions, OrganizationsScriptedFaultKind } from './faults';
import { isOrganizationsOperationName, ORGANIZATIONS_OPERATION_NAMES } from './input-validation';
import { AddAccountInput, AddOrganizationalUnitInput, Organization, OrganizationChangeError } from './organization';
import { CallCounts } from '../proton-endpoint/call-counts';

export interface LocalOrganizationsAdmin {
  /** Whether an organization is served (false: every call answers AWSOrganizationsNotInUseException). */
  enabled(): boolean;
  /** The organization as a normalized document (it can be given back to `load` or to `startLocalProton`). */
  organization(): OrganizationSnapshot;
  /** Serves another organization (or none) from now on, until `reset()` restores the startup one. Clears the changes. */
  load(document: OrganizationDocument | undefined): void;
  /** An account joins the organization (AWS places new accounts in the root; `parent` may name an OU: a move follows). */
  addAccount(input: AddAccountInput): OrganizationAccountSnapshot;
  /** Moves an account to another OU or the root. */
  moveAccount(accountId: string, destinationParentId: string): OrganizationAccountSnapshot;
  /** Sets an account's status (`SUSPENDED`, `PENDING_CLOSURE`: closed; `ACTIVE`: reinstated). */
  setAccountStatus(accountId: string, status: OrganizationAccountStatus): OrganizationAccountSnapshot;
  /** The account leaves the organization: `removed` by the management account (default) or `left` on its own. */
  removeAccount(accountId: string, how?: 'removed' | 'left'): OrganizationAccountSnapshot;
  /** Adds an OU (id generated when omitted). */
  addOrganizationalUnit(input: AddOrganizationalUnitInput): OrganizationalUnitSnapshot;
  /** The admin changes, oldest first. */
  changes(filter?: OrganizationEventFilter): OrganizationChange[];
  /** The EventBridge (CloudTrail) events of those changes, oldest first. */
  events(filter?: OrganizationEventFilter): OrganizationsCloudTrailEvent[];
  /** Calls `listener` with each change as it is made; returns the unsubscribe function. */
  subscribe(listener: (change: OrganizationChange) => void): () => void;
  /** Organizations requests per operation and per caller account (faulted and failed ones included). */
  callCounts(): CallCounts;
  /** Clears the call and fault counts. */
  resetCallCounts(): void;
  setFaults(options: OrganizationsFaultOptions): void;
  faults(): OrganizationsFaultOptions;
  /** Fails the next `count` calls of `operation` (`*`: of any operation) with `kind` (default TooManyRequestsException). */
  failNext(operation: string, kind?: OrganizationsScriptedFaultKind, count?: number, message?: string): void;
  /** Shorthand: the next `count` calls (of `operation`, default any) answer TooManyRequestsException. */
  throttleNext(count?: number, operation?: string): void;
  faultCounts(): Record<string, number>;
  scriptedFaults(): Record<string, Array<{ kind: OrganizationsScriptedFaultKind; remaining: number; message?: string }>>;
  /** Restores the startup organization and fault options; clears changes, counts and scripted faults. */
  reset(): void;
}

export class OrganizationsAdmin implements LocalOrganizationsAdmin {
  constructor(private readonly backend: OrganizationsBackend) {}

  public enabled(): boolean {
    return this.backend.organization !== undefined;
  }

  public organization(): OrganizationSnapshot {
    return this.org('organization').snapshot();
  }

  public load(document: OrganizationDocument | undefined): void {
    this.backend.load(document);
  }

  public addAccount(input: AddAccountInput): OrganizationAccountSnapshot {
    const org = this.org('addAccount');
    if (typeof input !== 'object' || input === null) throw new OrganizationChangeError('addAccount: needs {id, parent, status?, name?, email?, joinedMethod?, joinedTimestamp?}');
    const account = org.addAccount(input);
    this.backend.changes.record({
      kind: 'AccountJoined',
      at: new Date().toISOString(),
      accountId: account.id,
      parent: account.parent,
      rootId: org.rootId,
      joinedMethod: account.joinedMethod,
      status: account.status,
    });
    return org.accountSnapshot(account);
  }

  public moveAccount(accountId: string, destinationParentId: string): OrganizationAccountSnapshot {
    const org = this.org('moveAccount');
    const from = org.moveAccount(accountId, destinationParentId);
    this.backend.changes.record({ kind: 'AccountMoved', at: new Date().toISOString(), accountId, from, to: destinationParentId });
    return org.accountSnapshot(org.account(accountId)!);
  }

  public setAccountStatus(accountId: string, status: OrganizationAccountStatus): OrganizationAccountSnapshot {
    const org = this.org('setAccountStatus');
    const from = org.setAccountStatus(accountId, status);
    if (from !== status) this.backend.changes.record({ kind: 'AccountStatusChanged', at: new Date().toISOString(), accountId, from, to: status });
    return org.accountSnapshot(org.account(accountId)!);
  }

  public removeAccount(accountId: string, how: 'removed' | 'left' = 'removed'): OrganizationAccountSnapshot {
    const org = this.org('removeAccount');
    if (how !== 'removed' && how !== 'left') throw new OrganizationChangeError(`removeAccount: how must be "removed" or "left" (got ${JSON.stringify(how)})`);
    const account = org.removeAccount(accountId);
    this.backend.changes.record({ kind: 'AccountRemoved', at: new Date().toISOString(), accountId, parent: account.parent, how });
    return org.accountSnapshot(account);
  }

  public addOrganizationalUnit(input: AddOrganizationalUnitInput): OrganizationalUnitSnapshot {
    const org = this.org('addOrganizationalUnit');
    if (typeof input !== 'object' || input === null) throw new OrganizationChangeError('addOrganizationalUnit: needs {id?, name, parent}');
    const ou = org.addOrganizationalUnit(input);
    this.backend.changes.record({ kind: 'OrganizationalUnitCreated', at: new Date().toISOString(), organizationalUnitId: ou.id, name: ou.name, parent: ou.parent });
    return org.ouSnapshot(ou);
  }

  public changes(filter?: OrganizationEventFilter): OrganizationChange[] {
    return this.backend.changes.list(filter);
  }

  public events(filter?: OrganizationEventFilter): OrganizationsCloudTrailEvent[] {
    return this.backend.changes.events(filter);
  }

  public subscribe(listener: (change: OrganizationChange) => void): () => void {
    return this.backend.changes.subscribe(listener);
  }

  public callCounts(): CallCounts {
    return this.backend.counter.snapshot();
  }

  public resetCallCounts(): void {
    this.backend.counter.reset();
    this.backend.injector.resetCounts();
  }

  public setFaults(options: OrganizationsFaultOptions): void {
    this.backend.injector.setFaults(options);
  }

  public faults(): OrganizationsFaultOptions {
    return this.backend.injector.getFaults();
  }

  public failNext(operation: string, kind: OrganizationsScriptedFaultKind = 'TooManyRequestsException', count = 1, message?: string): void {
    if (operation !== ANY_OPERATION && !isOrganizationsOperationName(operation)) {
      throw new Error(`failNext: unknown Organizations operation "${operation}" (known: ${ORGANIZATIONS_OPERATION_NAMES.join(', ')}, or * for any)`);
    }
    this.backend.injector.failNext(operation, kind, count, message);
  }

  public throttleNext(count = 1, operation: string = ANY_OPERATION): void {
    this.failNext(operation, 'TooManyRequestsException', count);
  }

  public faultCounts(): Record<string, number> {
    return this.backend.injector.faultCounts();
  }

  public scriptedFaults(): Record<string, Array<{ kind: OrganizationsScriptedFaultKind; remaining: number; message?: string }>> {
    return this.backend.injector.pendingScripted();
  }

  public reset(): void {
    this.backend.reset();
  }

  private org(operation: string): Organization {
    const org = this.backend.organization;
    if (!org) throw new OrganizationChangeError(`${operation}: the endpoint serves no organization (start it with the organization option or --organization <file.json>, or load one)`);
    return org;
  }
}
