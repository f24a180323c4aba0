/**
 * The HTTP admin routes of the Organizations surface, under `/_local/organizations` (JSON in and out, no
 * authentication: the endpoint binds to loopback by default). Errors: 400 `{error}`; unknown route 404.
 *
 * GET  /_local/organizations                      organization()
 * POST /_local/organizations/load                 load(body) (an empty body: no organization)
 * POST /_local/organizations/accounts             addAccount({id, parent, status?, name?, email?, joinedMethod?, joinedTimestamp?})
 * POST /_local/organizations/move-account         moveAccount(accountId, destinationParentId)
 * POST /_local/organizations/account-status       setAccountStatus(accountId, status)
 * POST /_local/organizations/remove-account       removeAccount(accountId, how?)
 * POST /_local/organizations/organizational-units addOrganizationalUnit({id?, name, parent})
 * GET  /_local/organizations/changes?accountId=&kind= | /_local/organizations/events?accountId=&kind=
 * GET  /_local/organizations/calls | /_local/organizations/faults
 * POST /_local/organizations/reset | /_local/organizations/reset-calls | /_local/organizations/faults
 *      | /_local/organizations/fail-next {operation?, errorName?, count?, message?}
 */
import { LocalOrganizationsAdmin } from './admin';
import { OrganizationAccountStatus, OrganizationDocument } from './document';
import { OrganizationChangeKind, OrganizationEventFilter } from './events';
import { ANY_OPERATION, isOrganizationsScriptedFaultKind, OrganizationsFaultOptions } from './faults';
import { AddAccountInput, AddOrganizationalUnitInput } from './organization';

export const ORGANIZATIONS_ADMIN_PREFIX = '/_local/organizations';

export interface OrganizationsAdminResponse {
  readonly status: number;
  readonly body: unknown;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, field: string, required: true): string;
function stringField(body: Record<string, unknown>, field: string, required: false): string | undefined;
function stringField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw new Error(`"${field}" is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  return value;
}

function filterOf(url: URL): OrganizationEventFilter {
  return {
    accountId: url.searchParams.get('accountId') ?? undefined,
    kind: (url.searchParams.get('kind') ?? undefined) as OrganizationChangeKind | undefined,
  };
}

/** Whether a path belongs to these routes. */
export function isOrganizationsAdminPath(pathname: string): boolean {
  return pathname === ORGANIZATIONS_ADMIN_PREFIX || pathname.startsWith(`${ORGANIZATIONS_ADMIN_PREFIX}/`);
}

export function handleOrganizationsAdminRequest(admin: LocalOrganizationsAdmin, method: string, url: URL, body: unknown): OrganizationsAdminResponse {
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  const p = ORGANIZATIONS_ADMIN_PREFIX;
  try {
    switch (route) {
      case `GET ${p}`:
        return { status: 200, body: admin.organization() };
      case `POST ${p}/load`:
        admin.load(body === undefined ? undefined : body as OrganizationDocument);
        return { status: 200, body: { enabled: admin.enabled(), organization: admin.enabled() ? admin.organization() : null } };
      case `POST ${p}/accounts`:
        return { status: 200, body: admin.addAccount(objectBody(body) as unknown as AddAccountInput) };
      case `POST ${p}/move-account`: {
        const b = objectBody(body);
        return { status: 200, body: admin.moveAccount(stringField(b, 'accountId', true), stringField(b, 'destinationParentId', true)) };
      }
      case `POST ${p}/account-status`: {
        const b = objectBody(body);
        return { status: 200, body: admin.setAccountStatus(stringField(b, 'accountId', true), stringField(b, 'status', true) as OrganizationAccountStatus) };
      }
      case `POST ${p}/remove-account`: {
        const b = objectBody(body);
        const how = stringField(b, 'how', false) as 'removed' | 'left' | undefined;
        return { status: 200, body: admin.removeAccount(stringField(b, 'accountId', true), how) };
      }
      case `POST ${p}/organizational-units`:
        return { status: 200, body: admin.addOrganizationalUnit(objectBody(body) as unknown as AddOrganizationalUnitInput) };
      case `GET ${p}/changes`:
        return { status: 200, body: { changes: admin.changes(filterOf(url)) } };
      case `GET ${p}/events`:
        return { status: 200, body: { events: admin.events(filterOf(url)) } };
      case `GET ${p}/calls`:
        return { status: 200, body: { calls: admin.callCounts(), faults: admin.faultCounts() } };
      case `GET ${p}/faults`:
        return { status: 200, body: { options: admin.faults(), counts: admin.faultCounts(), scripted: admin.scriptedFaults() } };
      case `POST ${p}/faults`:
        admin.setFaults(objectBody(body) as OrganizationsFaultOptions);
        return { status: 200, body: { options: admin.faults() } };
      case `POST ${p}/fail-next`: {
        const b = objectBody(body);
        const errorName = stringField(b, 'errorName', false) ?? 'TooManyRequestsException';
        if (!isOrganizationsScriptedFaultKind(errorName)) throw new Error(`unknown errorName "${errorName}"`);
        const count = b.count === undefined ? 1 : b.count;
        if (typeof count !== 'number') throw new Error('"count" must be a number');
        admin.failNext(stringField(b, 'operation', false) ?? ANY_OPERATION, errorName, count, stringField(b, 'message', false));
        return { status: 200, body: { scripted: admin.scriptedFaults() } };
      }
      case `POST ${p}/reset`:
        admin.reset();
        return { status: 200, body: { ok: true } };
      case `POST ${p}/reset-calls`:
        admin.resetCallCounts();
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: `no admin route ${route}` } };
    }
  } catch (err) {
    return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}
