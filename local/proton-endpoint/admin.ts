/**
 * The admin surface of the local endpoint: in-process (`LocalProtonAdmin`) and over HTTP under
 * `/_local/...` (no authentication; the server binds to loopback by default).
 */
import { CallCounter, CallCounts } from './call-counts';
import { ConnectionStore, DumpedConnection, StoreDump } from './connection-store';
import { checkEndOfSupportMode, EndOfSupportMode } from './end-of-support';
import { ConnectionStatusChangeEvent, EventLog } from './events';
import { FaultInjector, FaultOptions, isScriptedFaultKind, ScriptedFaultKind } from './faults';
import { OPERATION_NAMES } from './operations';
import type { LocalOrganizationsAdmin } from '../organizations/admin';
import { handleOrganizationsAdminRequest, isOrganizationsAdminPath } from '../organizations/admin-routes';

export interface EventFilter {
  /** Only the copies delivered to this account's bus. */
  readonly account?: string;
  readonly connectionId?: string;
}

export interface LocalProtonAdmin {
  /**
   * The local AWS Organizations surface: change the organization (addAccount, moveAccount, setAccountStatus,
   * removeAccount, addOrganizationalUnit), read it (`organization()`), its changes, call counts and faults. `reset()`
   * resets it too. See `local/organizations/README.md`.
   */
  readonly organizations: LocalOrganizationsAdmin;
  /**
   * Clears connections, idempotency tokens, events, call and fault counts and scripted faults; restores the startup
   * fault options (and the startup organization, see `organizations.reset()`).
   */
  reset(): void;
  /** All connections (with tags, Region and attached environments) and environments orphaned by a delete. */
  dump(): StoreDump;
  /** Marks a CONNECTED connection as used by an environment (default name: the connection's environmentName). */
  attachEnvironment(connectionId: string, environmentName?: string): DumpedConnection;
  /** Removes one environment (default: all) from a connection. */
  detachEnvironment(connectionId: string, environmentName?: string): DumpedConnection;
  /** The EventBridge-shaped status-change events, oldest first. */
  events(filter?: EventFilter): ConnectionStatusChangeEvent[];
  /** Requests that reached an operation, per operation and per account + operation, with faulted ones apart. */
  callCounts(): CallCounts;
  /** Clears call counts and fault counts. */
  resetCallCounts(): void;
  /** Replaces the random fault configuration (and re-seeds the PRNG). */
  setFaults(options: FaultOptions): void;
  /** The current random fault configuration. */
  faults(): FaultOptions;
  /** Fails the next `count` (default 1) calls of `operation`; takes precedence over random faults. */
  failNext(operation: string, errorName: ScriptedFaultKind, count?: number, message?: string): void;
  /** How many faults of each kind were injected (ThrottlingException, InternalServerException, ConnectionDrop, ConnectionDropAfterCommit, Latency, ...). */
  faultCounts(): Record<string, number>;
  /** Scripted faults still queued, per operation. */
  scriptedFaults(): Record<string, Array<{ kind: ScriptedFaultKind; remaining: number; message?: string }>>;
  /** The current end-of-support mode (undefined: AWS Proton as it was). */
  endOfSupport(): EndOfSupportMode | undefined;
  /**
   * Switches the running endpoint to an end-of-support mode, or back with undefined; connections, events and counts
   * are kept. `refuse-connections` stops listening and drops open connections (the HTTP admin becomes unreachable
   * too); leaving it listens again on the same host and port. `html-403` answers every Proton API request with an
   * HTML 403 page. The mode applies at once; the promise settles when the listener has followed (it rejects when
   * the port cannot be listened on again, leaving the mode `refuse-connections`). Not changed by `reset()`.
   */
  setEndOfSupport(mode: EndOfSupportMode | undefined): Promise<void>;
}

/** How the admin reads and switches the server's end-of-support mode. */
export interface EndOfSupportControl {
  mode(): EndOfSupportMode | undefined;
  set(mode: EndOfSupportMode | undefined): Promise<void>;
}

export class Admin implements LocalProtonAdmin {
  constructor(
    private readonly store: ConnectionStore,
    private readonly eventLog: EventLog,
    private readonly counter: CallCounter,
    private readonly injector: FaultInjector,
    private readonly initialFaults: FaultOptions,
    private readonly endOfSupportControl: EndOfSupportControl,
    public readonly organizations: LocalOrganizationsAdmin,
  ) {}

  public reset(): void {
    this.store.reset();
    this.eventLog.clear();
    this.counter.reset();
    this.injector.reset(this.initialFaults);
    this.organizations.reset();
  }

  public dump(): StoreDump {
    return this.store.dump();
  }

  public attachEnvironment(connectionId: string, environmentName?: string): DumpedConnection {
    return this.store.attachEnvironment(connectionId, environmentName);
  }

  public detachEnvironment(connectionId: string, environmentName?: string): DumpedConnection {
    return this.store.detachEnvironment(connectionId, environmentName);
  }

  public events(filter: EventFilter = {}): ConnectionStatusChangeEvent[] {
    return this.eventLog.list(filter);
  }

  public callCounts(): CallCounts {
    return this.counter.snapshot();
  }

  public resetCallCounts(): void {
    this.counter.reset();
    this.injector.reset(this.injector.getFaults());
  }

  public setFaults(options: FaultOptions): void {
    this.injector.setFaults(options);
  }

  public faults(): FaultOptions {
    return this.injector.getFaults();
  }

  public failNext(operation: string, errorName: ScriptedFaultKind, count = 1, message?: string): void {
    if (!OPERATION_NAMES.includes(operation)) {
      throw new Error(`failNext: unknown operation "${operation}" (known: ${OPERATION_NAMES.join(', ')})`);
    }
    this.injector.failNext(operation, errorName, count, message);
  }

  public faultCounts(): Record<string, number> {
    return this.injector.faultCounts();
  }

  public scriptedFaults(): Record<string, Array<{ kind: ScriptedFaultKind; remaining: number; message?: string }>> {
    return this.injector.pendingScripted();
  }

  public endOfSupport(): EndOfSupportMode | undefined {
    return this.endOfSupportControl.mode();
  }

  public setEndOfSupport(mode: EndOfSupportMode | undefined): Promise<void> {
    return this.endOfSupportControl.set(mode);
  }
}

/** Prefix of the HTTP admin routes. */
export const ADMIN_PREFIX = '/_local';

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
  /** Runs once the response has been sent (a switch that would cut the admin's own connection). */
  readonly after?: () => Promise<void>;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function optionalStringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  return value;
}

function requiredStringField(body: Record<string, unknown>, field: string): string {
  const value = optionalStringField(body, field);
  if (value === undefined) throw new Error(`"${field}" is required`);
  return value;
}

/**
 * Routes (JSON in and out):
 * GET  /_local/health | /_local/state | /_local/events[?account=&connectionId=] | /_local/calls | /_local/faults
 *      | /_local/end-of-support
 * POST /_local/reset | /_local/reset-calls | /_local/attach | /_local/detach | /_local/faults | /_local/fail-next
 *      | /_local/end-of-support
 */
export function handleAdminRequest(admin: LocalProtonAdmin, method: string, url: URL, body: unknown): AdminResponse {
  if (isOrganizationsAdminPath(url.pathname)) return handleOrganizationsAdminRequest(admin.organizations, method, url, body);
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /_local/health':
        return { status: 200, body: { ok: true } };
      case 'GET /_local/state':
        return { status: 200, body: admin.dump() };
      case 'GET /_local/events':
        return {
          status: 200,
          body: {
            events: admin.events({
              account: url.searchParams.get('account') ?? undefined,
              connectionId: url.searchParams.get('connectionId') ?? undefined,
            }),
          },
        };
      case 'GET /_local/calls':
        return { status: 200, body: { calls: admin.callCounts(), faults: admin.faultCounts() } };
      case 'GET /_local/faults':
        return { status: 200, body: { options: admin.faults(), counts: admin.faultCounts(), scripted: admin.scriptedFaults() } };
      case 'POST /_local/reset':
        admin.reset();
        return { status: 200, body: { ok: true } };
      case 'POST /_local/reset-calls':
        admin.resetCallCounts();
        return { status: 200, body: { ok: true } };
      case 'POST /_local/attach': {
        const b = objectBody(body);
        return { status: 200, body: admin.attachEnvironment(requiredStringField(b, 'connectionId'), optionalStringField(b, 'environmentName')) };
      }
      case 'POST /_local/detach': {
        const b = objectBody(body);
        return { status: 200, body: admin.detachEnvironment(requiredStringField(b, 'connectionId'), optionalStringField(b, 'environmentName')) };
      }
      case 'POST /_local/faults':
        admin.setFaults(objectBody(body) as FaultOptions);
        return { status: 200, body: { options: admin.faults() } };
      case 'POST /_local/fail-next': {
        const b = objectBody(body);
        const errorName = requiredStringField(b, 'errorName');
        if (!isScriptedFaultKind(errorName)) throw new Error(`unknown errorName "${errorName}"`);
        const count = b.count === undefined ? 1 : b.count;
        if (typeof count !== 'number') throw new Error('"count" must be a number');
        admin.failNext(requiredStringField(b, 'operation'), errorName, count, optionalStringField(b, 'message'));
        return { status: 200, body: { scripted: admin.scriptedFaults() } };
      }
      case 'GET /_local/end-of-support':
        return { status: 200, body: { mode: admin.endOfSupport() ?? null } };
      case 'POST /_local/end-of-support': {
        const b = objectBody(body);
        const mode = checkEndOfSupportMode(b.mode, '"mode"', 'null');
        const answer = { status: 200, body: { mode: mode ?? null } };
        // refusing connections would cut this very request: switch once the answer is out
        if (mode === 'refuse-connections') return { ...answer, after: () => admin.setEndOfSupport(mode) };
        admin.setEndOfSupport(mode).catch(() => undefined); // listening already (this request arrived): applies at once
        return answer;
      }
      default:
        return { status: 404, body: { error: `no admin route ${route}` } };
    }
  } catch (err) {
    return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}
