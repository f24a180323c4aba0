import {
  AccountState, ChildType, OrganizationsClient, paginateListAccountsForParent, paginateListChildren,
} from '@aws-sdk/client-organizations';
import type { OrganizationalUnitEntry } from '../../acceptor/allow-list';
import { environmentNameFor } from '../naming-rule';


/** The ACTIVE accounts of the trusted OU trees, and the environment names each may connect. */
export interface TrustedAccounts {
  /** Account id -> the environment names its requests are accepted for. */
  readonly names: ReadonlyMap<string, ReadonlySet<string>>;
  /** Accounts of the trees that are not ACTIVE (suspended, closing): never accepted. */
  readonly inactive: ReadonlySet<string>;
  /** Organizations calls this enumeration made (pages), by operation. */
  readonly calls: Readonly<Record<string, number>>;
}

/** How many OUs are read at the same time (each read is its own paginated calls, one after another). */
export const CONCURRENT_UNITS = 4;

interface OrganizationalUnitContents {
  readonly activeAccounts: string[];
  readonly inactiveAccounts: string[];
  readonly childUnits: string[];
}

/**
 * Enumerates the trusted OU trees once: every OU of every tree is read exactly once per call (its
 * accounts and its child OUs, page by page), however many entries or trees include it; no
 * per-account call. Throttling (`TooManyRequestsException`) is retried by the client's adaptive
 * retry strategy (see `createOrganizationsClient`).
 */
export async function enumerateTrustedAccounts(client: OrganizationsClient, entries: OrganizationalUnitEntry[]): Promise<TrustedAccounts> {
  const calls: Record<string, number> = { ListAccountsForParent: 0, ListChildren: 0 };
  const contents = new Map<string, Promise<OrganizationalUnitContents>>();
  const read = (unitId: string): Promise<OrganizationalUnitContents> => {
    let promise = contents.get(unitId);
    if (!promise) {
      promise = readUnit(client, unitId, calls);
      contents.set(unitId, promise);
    }
    return promise;
  };

  const names = new Map<string, Set<string>>();
  const inactive = new Set<string>();
  for (const entry of entries) {
    const seen = new Set<string>();
    let level = [...new Set(entry.ids)];
    while (level.length > 0) {
      level.forEach((unitId) => seen.add(unitId));
      const units: OrganizationalUnitContents[] = [];
      // a few OUs at a time: Organizations' request quotas are low, and a burst only gets throttled
      for (let i = 0; i < level.length; i += CONCURRENT_UNITS) units.push(...await Promise.all(level.slice(i, i + CONCURRENT_UNITS).map(read)));
      const next: string[] = [];
      for (const unit of units) {
        for (const account of unit.activeAccounts) {
          const set = names.get(account) ?? new Set<string>();
          set.add(environmentNameFor(entry.prefix, account));
          names.set(account, set);
        }
        unit.inactiveAccounts.forEach((account) => inactive.add(account));
        next.push(...unit.childUnits.filter((child) => !seen.has(child)));
      }
      level = [...new Set(next)];
    }
  }
  return { names, inactive, calls };
}

async function readUnit(client: OrganizationsClient, parentId: string, calls: Record<string, number>): Promise<OrganizationalUnitContents> {
  const activeAccounts: string[] = [];
  const inactiveAccounts: string[] = [];
  for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) {
    calls.ListAccountsForParent++;
    for (const account of page.Accounts ?? []) {
      if (!account.Id) continue;
      (isActive(account) ? activeAccounts : inactiveAccounts).push(account.Id);
    }
  }
  const childUnits: string[] = [];
  for await (const page of paginateListChildren({ client }, { ParentId: parentId, ChildType: ChildType.ORGANIZATIONAL_UNIT })) {
    calls.ListChildren++;
    for (const child of page.Children ?? []) if (child.Id) childUnits.push(child.Id);
  }
  return { activeAccounts, inactiveAccounts, childUnits };
}

/**
 * Whether the account is ACTIVE. `State` replaced `Status` (retired on 2026-09-09); an answer
 * without `State` is read by `Status`, whose ACTIVE means the same.
 */
function isActive(account: { State?: string; Status?: string }): boolean {
  return (account.State ?? account.Status) === AccountState.ACTIVE;
}

/**
 * The Organizations client of the acceptor's handler. Organizations has one endpoint, in
 * us-east-1 (aws partition); `AWS_ENDPOINT_URL_ORGANIZATIONS` overrides it (the local tools set
 * it). Its documented rate limits are low, so adaptive retry with more attempts backs off.
 */
export function createOrganizationsClient(): OrganizationsClient {
  return new OrganizationsClient({ region: 'us-east-1', maxAttempts: 10, retryMode: 'adaptive' });
}
