/**
 * The organization that service-managed StackSets deploy to, as the deployer needs it: where it is read (the local
 * endpoint's Organizations admin in process, or `GET /_local/organizations` over HTTP), and which accounts a
 * StackSet's organizational units target. Structural types only: the deployer does not import local/organizations.
 */
import { getLoopbackJson, loopbackOrigin } from './loopback-http';

/** An account's status (`SUSPENDED` and `PENDING_CLOSURE`: closed). */
export type OrganizationAccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

/** The organization as the local endpoint's `organization()` (and `GET /_local/organizations`) returns it. */
export interface OrganizationView {
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly status: OrganizationAccountState | string; readonly parent: string }>;
  readonly organizationalUnits: ReadonlyArray<{ readonly id: string; readonly parent: string }>;
  /** Member accounts registered as delegated administrators (may call with CallAs DELEGATED_ADMIN). */
  readonly delegatedAdministrators?: readonly string[];
}

/**
 * Where the organization is read: `proton.admin.organizations` of `startLocalProton()` in process (its
 * `organization()` throws when the endpoint serves none), or any object with such a method.
 */
export interface OrganizationSource {
  organization(): OrganizationView | Promise<OrganizationView>;
}

/**
 * The organization of the local endpoint at `endpointUrl`, read over HTTP (`GET /_local/organizations`), or
 * undefined when the url is not a loopback http url.
 */
export function httpOrganization(endpointUrl: string): OrganizationSource | undefined {
  const origin = loopbackOrigin(endpointUrl);
  if (!origin) return undefined;
  return { organization: async () => await getLoopbackJson(origin, '/_local/organizations') as OrganizationView };
}

/** Whether an account is closed (suspended or pending closure): it gets no new stack instances. */
export function isClosed(status: string): boolean {
  return status === 'SUSPENDED' || status === 'PENDING_CLOSURE';
}

/**
 * The accounts a StackSet's organizational units (or the root) target: every account under them, nested OUs
 * included, except the management account (service-managed StackSets never deploy to it). Throws naming an id that
 * is neither an OU nor the root of the organization.
 */
export function accountsUnder(org: OrganizationView, targets: readonly string[]): string[] {
  const parents = new Map<string, string>(org.organizationalUnits.map(ou => [ou.id, ou.parent]));
  for (const t of targets) {
    if (t !== org.rootId && !parents.has(t)) {
      throw new Error(`OrganizationalUnitIds: ${t} is neither an organizational unit nor the root (${org.rootId}) of the organization`);
    }
  }
  const wanted = new Set(targets);
  const under = (parent: string): boolean => {
    for (let p: string | undefined = parent, depth = 0; p !== undefined && depth < 10; p = parents.get(p), depth++) {
      if (wanted.has(p)) return true;
    }
    return false;
  };
  return org.accounts.filter(a => a.id !== org.managementAccountId && under(a.parent)).map(a => a.id);
}

/** What StackSet auto-deployment reacts to: the accounts (parent, status) and the OUs (parent). */
export function organizationFingerprint(org: OrganizationView): string {
  const accounts = org.accounts.map(a => `${a.id}:${a.parent}:${a.status}`).sort();
  const ous = org.organizationalUnits.map(o => `${o.id}:${o.parent}`).sort();
  return JSON.stringify([org.managementAccountId, org.rootId, accounts, ous]);
}
