/**
 * The state of the local endpoint and the rules of AWS Proton environment account connections
 * (see this directory's README for the undocumented cases).
 * Inputs reaching this class are already shape-checked by `operations.ts`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CallerIdentity, Partition } from './caller-identity';
import { accessDenied, conflict, notFound, ProtonError, validationError } from './errors';
import { EventLog, EventStatus } from './events';
import { checkRoleAccount, tagRecord } from './validation';
import { ConnectionStatus } from '../../src/shared/proton-patterns';

/** The `EnvironmentAccountConnection` shape as it goes on the wire. */
export interface EnvironmentAccountConnection {
  id: string;
  arn: string;
  managementAccountId: string;
  environmentAccountId: string;
  roleArn: string;
  environmentName: string;
  requestedAt: number;
  lastModifiedAt: number;
  status: ConnectionStatus;
  componentRoleArn?: string;
  codebuildRoleArn?: string;
}

/** The list summary: the connection without `codebuildRoleArn`. */
export type EnvironmentAccountConnectionSummary = Omit<EnvironmentAccountConnection, 'codebuildRoleArn'>;

/** A connection as `admin.dump()` shows it. */
export interface DumpedConnection extends EnvironmentAccountConnection {
  region: string;
  partition: Partition;
  /** A record without a prototype: every tag key, `__proto__` included, is an own property. */
  tags: Record<string, string>;
  /** Environments (in the management account) currently using this connection. */
  environments: string[];
}

export interface OrphanedEnvironment {
  environmentName: string;
  region: string;
  environmentAccountId: string;
  managementAccountId: string;
  /** The deleted connection it was using. */
  connectionId: string;
  deletedAt: number;
}

export interface StoreDump {
  connections: DumpedConnection[];
  /** Environments whose connection was deleted while attached (Proton cannot manage them until a new one is accepted). */
  orphanedEnvironments: OrphanedEnvironment[];
}

export interface CreateInput {
  environmentName: string;
  managementAccountId: string;
  roleArn: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  clientToken?: string;
  tags: ReadonlyMap<string, string>;
}

export interface UpdateInput {
  id: string;
  roleArn?: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
}

export type RequestedBy = 'MANAGEMENT_ACCOUNT' | 'ENVIRONMENT_ACCOUNT';

export interface ListOutput {
  environmentAccountConnections: EnvironmentAccountConnectionSummary[];
  nextToken?: string;
}

export interface ListTagsOutput {
  tags: Array<{ key: string; value: string }>;
  nextToken?: string;
}

export interface ListInput {
  requestedBy: RequestedBy;
  environmentName?: string;
  statuses?: ConnectionStatus[];
  maxResults?: number;
  nextToken?: string;
}

/** Page size of ListEnvironmentAccountConnections when `maxResults` is omitted. */
export const DEFAULT_LIST_MAX_RESULTS = 100;
/** Default quota of connections per environment account per Region (AWS's default, `L-6CC8209C`). */
export const DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT = 1000;

interface StoredConnection {
  readonly seq: number;
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly partition: Partition;
  readonly environmentAccountId: string;
  readonly managementAccountId: string;
  readonly environmentName: string;
  roleArn: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  status: ConnectionStatus;
  readonly requestedAt: number;
  lastModifiedAt: number;
  readonly tags: Map<string, string>;
  readonly environments: Set<string>;
}

interface IdempotencyRecord {
  readonly connectionId: string;
  readonly fingerprint: string;
}

/** The parts of an ARN that already satisfies the model's `Arn` shape (see `model-limits.ts`). */
const ARN_PARTS = /^arn:([^:]+):([^:]+):([^:]*):(\d{12}):(.+)$/;
const CONNECTION_RESOURCE = /^environment-account-connection\/([^/:]+)$/;

/** Opaque pagination tokens: standard base64, so they satisfy the model's `NextToken` pattern `^[A-Za-z0-9+=/]+$`. */
function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...value })).toString('base64');
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export class ConnectionStore {
  private readonly connections = new Map<string, StoredConnection>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private orphaned: OrphanedEnvironment[] = [];
  private seq = 0;

  constructor(
    private readonly events: EventLog,
    private readonly quotaPerEnvironmentAccount: number = DEFAULT_QUOTA_PER_ENVIRONMENT_ACCOUNT,
    private readonly now: () => Date = () => new Date(),
  ) {}

  public create(caller: CallerIdentity, input: CreateInput): EnvironmentAccountConnection {
    if (input.managementAccountId === caller.accountId) {
      throw validationError('managementAccountId',
        `managementAccountId ${input.managementAccountId} is the calling account: a connection links an environment account to a different management account`);
    }

    const fingerprint = hash({
      environmentName: input.environmentName,
      managementAccountId: input.managementAccountId,
      roleArn: input.roleArn,
      codebuildRoleArn: input.codebuildRoleArn ?? null,
      componentRoleArn: input.componentRoleArn ?? null,
      tags: [...input.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    });
    const tokenKey = input.clientToken ? `${caller.accountId}|${caller.region}|${input.clientToken}` : undefined;
    if (tokenKey) {
      const previous = this.idempotency.get(tokenKey);
      if (previous) {
        const existing = this.connections.get(previous.connectionId);
        if (existing) {
          if (previous.fingerprint !== fingerprint) {
            throw validationError('clientToken',
              `IdempotentParameterMismatch: clientToken '${input.clientToken}' was already used with different parameters (for connection ${previous.connectionId}); `
              + 'a retry must repeat the original input exactly, a new request needs a new token');
          }
          return this.toWire(existing);
        }
        // The original connection has been deleted: the token is forgotten and a new connection is created.
        this.idempotency.delete(tokenKey);
      }
    }

    for (const other of this.connections.values()) {
      if (other.region === caller.region
        && other.environmentAccountId === caller.accountId
        && other.managementAccountId === input.managementAccountId
        && other.environmentName === input.environmentName
        && (other.status === 'PENDING' || other.status === 'CONNECTED')) {
        throw conflict(`An environment account connection for environment '${input.environmentName}' between environment account `
          + `${caller.accountId} and management account ${input.managementAccountId} already exists in ${caller.region} `
          + `with status ${other.status}: ${other.id}`);
      }
    }

    const used = [...this.connections.values()].filter((c) => c.region === caller.region && c.environmentAccountId === caller.accountId).length;
    if (used >= this.quotaPerEnvironmentAccount) {
      throw new ProtonError('ServiceQuotaExceededException',
        `Environment account ${caller.accountId} already has ${used} environment account connections in ${caller.region}; `
        + `the quota (L-6CC8209C) is ${this.quotaPerEnvironmentAccount}. Delete unused (for example REJECTED) connections or request an increase.`);
    }

    const id = randomUUID();
    const at = this.now();
    const stored: StoredConnection = {
      seq: ++this.seq,
      id,
      arn: `arn:${caller.partition}:proton:${caller.region}:${caller.accountId}:environment-account-connection/${id}`,
      region: caller.region,
      partition: caller.partition,
      environmentAccountId: caller.accountId,
      managementAccountId: input.managementAccountId,
      environmentName: input.environmentName,
      roleArn: input.roleArn,
      codebuildRoleArn: input.codebuildRoleArn,
      componentRoleArn: input.componentRoleArn,
      status: 'PENDING',
      requestedAt: epochSeconds(at),
      lastModifiedAt: epochSeconds(at),
      tags: new Map(input.tags),
      environments: new Set(),
    };
    this.connections.set(id, stored);
    if (tokenKey) this.idempotency.set(tokenKey, { connectionId: id, fingerprint });
    this.emit(stored, 'PENDING', undefined, at);
    return this.toWire(stored);
  }

  public accept(caller: CallerIdentity, id: string): EnvironmentAccountConnection {
    const connection = this.find(caller, id);
    this.requireManagementAccount(caller, connection, 'accept');
    switch (connection.status) {
      case 'CONNECTED':
        return this.toWire(connection);
      case 'REJECTED':
        throw conflict(`Environment account connection ${id} is REJECTED and can never be accepted; `
          + 'the environment account must delete it and request a new connection');
      default:
        this.transition(connection, 'CONNECTED');
        return this.toWire(connection);
    }
  }

  public reject(caller: CallerIdentity, id: string): EnvironmentAccountConnection {
    const connection = this.find(caller, id);
    this.requireManagementAccount(caller, connection, 'reject');
    if (connection.status === 'REJECTED') return this.toWire(connection);
    if (connection.environments.size > 0) {
      throw conflict(`Environment account connection ${id} is used by environment(s) ${[...connection.environments].join(', ')}; `
        + 'delete the environment first, then reject the connection');
    }
    this.transition(connection, 'REJECTED');
    return this.toWire(connection);
  }

  public get(caller: CallerIdentity, id: string): EnvironmentAccountConnection {
    return this.toWire(this.find(caller, id));
  }

  public update(caller: CallerIdentity, input: UpdateInput): EnvironmentAccountConnection {
    const connection = this.find(caller, input.id);
    this.requireEnvironmentAccount(caller, connection, 'update');
    if (connection.status === 'REJECTED') {
      throw conflict(`Environment account connection ${input.id} is REJECTED and cannot be updated; delete it and request a new connection`);
    }
    for (const field of ['roleArn', 'codebuildRoleArn', 'componentRoleArn'] as const) {
      const arn = input[field];
      if (arn !== undefined) checkRoleAccount(arn, field, connection.environmentAccountId);
    }
    let changed = false;
    if (input.roleArn !== undefined && input.roleArn !== connection.roleArn) {
      connection.roleArn = input.roleArn;
      changed = true;
    }
    if (input.codebuildRoleArn !== undefined && input.codebuildRoleArn !== connection.codebuildRoleArn) {
      connection.codebuildRoleArn = input.codebuildRoleArn;
      changed = true;
    }
    if (input.componentRoleArn !== undefined && input.componentRoleArn !== connection.componentRoleArn) {
      connection.componentRoleArn = input.componentRoleArn;
      changed = true;
    }
    if (changed) connection.lastModifiedAt = epochSeconds(this.now());
    return this.toWire(connection);
  }

  public delete(caller: CallerIdentity, id: string): EnvironmentAccountConnection {
    const connection = this.find(caller, id);
    this.requireEnvironmentAccount(caller, connection, 'delete');
    const at = this.now();
    for (const environmentName of connection.environments) {
      this.orphaned.push({
        environmentName,
        region: connection.region,
        environmentAccountId: connection.environmentAccountId,
        managementAccountId: connection.managementAccountId,
        connectionId: connection.id,
        deletedAt: epochSeconds(at),
      });
    }
    this.connections.delete(id);
    for (const [key, record] of this.idempotency) {
      if (record.connectionId === id) this.idempotency.delete(key);
    }
    this.emit(connection, 'DELETED', connection.status, at);
    return this.toWire(connection);
  }

  public list(caller: CallerIdentity, input: ListInput): ListOutput {
    const maxResults = input.maxResults ?? DEFAULT_LIST_MAX_RESULTS;
    const statuses = input.statuses && input.statuses.length > 0 ? [...new Set(input.statuses)].sort() : undefined;
    const query = hash([caller.accountId, caller.region, input.requestedBy, input.environmentName ?? null, statuses ?? null]);
    let after = 0;
    if (input.nextToken !== undefined) after = this.decodeListToken(input.nextToken, query);

    const matches = [...this.connections.values()]
      .filter((c) => c.region === caller.region
        && (input.requestedBy === 'MANAGEMENT_ACCOUNT' ? c.managementAccountId === caller.accountId : c.environmentAccountId === caller.accountId)
        && (input.environmentName === undefined || c.environmentName === input.environmentName)
        && (statuses === undefined || statuses.includes(c.status))
        && c.seq > after)
      .sort((a, b) => a.seq - b.seq);
    const page = matches.slice(0, maxResults);
    const result: ListOutput = {
      environmentAccountConnections: page.map((c) => this.toSummary(c)),
    };
    if (matches.length > maxResults) {
      result.nextToken = encodeToken({ a: page[page.length - 1].seq, q: query });
    }
    return result;
  }

  public tagResource(caller: CallerIdentity, resourceArn: string, tags: ReadonlyMap<string, string>): void {
    const connection = this.findByArn(caller, resourceArn);
    this.requireEnvironmentAccount(caller, connection, 'tag');
    const merged = new Map(connection.tags);
    for (const [key, value] of tags) merged.set(key, value);
    if (merged.size > 50) {
      throw validationError('tags', `a resource can have at most 50 tags; ${resourceArn} would have ${merged.size}`);
    }
    for (const [key, value] of tags) connection.tags.set(key, value);
  }

  public untagResource(caller: CallerIdentity, resourceArn: string, tagKeys: string[]): void {
    const connection = this.findByArn(caller, resourceArn);
    this.requireEnvironmentAccount(caller, connection, 'untag');
    for (const key of tagKeys) connection.tags.delete(key);
  }

  public listTags(caller: CallerIdentity, resourceArn: string, maxResults?: number, nextToken?: string): ListTagsOutput {
    const connection = this.findByArn(caller, resourceArn);
    const all = [...connection.tags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
    let offset = 0;
    if (nextToken !== undefined) {
      const decoded = this.decodeToken(nextToken);
      if (!decoded || decoded.r !== resourceArn || typeof decoded.o !== 'number') {
        throw validationError('nextToken', 'The nextToken is invalid or belongs to another request');
      }
      offset = decoded.o;
    }
    const size = maxResults ?? all.length;
    const page = all.slice(offset, offset + size);
    const result: ListTagsOutput = { tags: page };
    if (offset + size < all.length) {
      result.nextToken = encodeToken({ o: offset + size, r: resourceArn });
    }
    return result;
  }

  // ---- admin ----

  /** Records that an environment (in the management account) uses a CONNECTED connection. */
  public attachEnvironment(connectionId: string, environmentName?: string): DumpedConnection {
    const connection = this.connections.get(connectionId);
    if (!connection) throw new Error(`attachEnvironment: no connection ${connectionId}`);
    if (connection.status !== 'CONNECTED') {
      throw new Error(`attachEnvironment: connection ${connectionId} is ${connection.status}; only a CONNECTED connection can be used by an environment`);
    }
    const name = environmentName ?? connection.environmentName;
    if (!/^[0-9A-Za-z]+[0-9A-Za-z_-]*$/.test(name) || name.length > 100) {
      throw new Error(`attachEnvironment: "${name}" is not a valid environment name`);
    }
    connection.environments.add(name);
    this.orphaned = this.orphaned.filter((o) => !(o.environmentName === name && o.region === connection.region
      && o.environmentAccountId === connection.environmentAccountId && o.managementAccountId === connection.managementAccountId));
    return this.toDump(connection);
  }

  /** Removes an environment (default: all of them) from a connection. */
  public detachEnvironment(connectionId: string, environmentName?: string): DumpedConnection {
    const connection = this.connections.get(connectionId);
    if (!connection) throw new Error(`detachEnvironment: no connection ${connectionId}`);
    if (environmentName === undefined) connection.environments.clear();
    else connection.environments.delete(environmentName);
    return this.toDump(connection);
  }

  public dump(): StoreDump {
    return {
      connections: [...this.connections.values()].sort((a, b) => a.seq - b.seq).map((c) => this.toDump(c)),
      orphanedEnvironments: this.orphaned.map((o) => ({ ...o })),
    };
  }

  public reset(): void {
    this.connections.clear();
    this.idempotency.clear();
    this.orphaned = [];
  }

  // ---- internals ----

  /** A connection visible to the caller: same Region, and the caller is one of its two parties. */
  private find(caller: CallerIdentity, id: string): StoredConnection {
    const connection = this.connections.get(id);
    if (!connection || connection.region !== caller.region
      || (connection.environmentAccountId !== caller.accountId && connection.managementAccountId !== caller.accountId)) {
      throw notFound(`Environment account connection ${id} was not found in ${caller.region} for account ${caller.accountId}`);
    }
    return connection;
  }

  /**
   * The connection a `resourceArn` names. The ARN has passed the model's `Arn` shape already (a ValidationException
   * otherwise); an ARN of another service is a ValidationException too (it can never name a Proton resource); any
   * other well-formed ARN that names no connection the caller can see is ResourceNotFoundException.
   */
  private findByArn(caller: CallerIdentity, resourceArn: string): StoredConnection {
    const parts = ARN_PARTS.exec(resourceArn);
    if (!parts) throw validationError('resourceArn', `'${resourceArn}' is not an ARN`);
    const [, partition, service, region, , resource] = parts;
    if (service !== 'proton') {
      throw validationError('resourceArn', `'${resourceArn}' is not an AWS Proton resource ARN (service '${service}')`);
    }
    const match = CONNECTION_RESOURCE.exec(resource);
    if (!match) {
      throw notFound(`Resource ${resourceArn} was not found (the local endpoint only holds environment account connections)`);
    }
    if (partition !== caller.partition || region !== caller.region) {
      throw notFound(`Resource ${resourceArn} was not found in ${caller.region}`);
    }
    const id = match[1];
    const connection = this.connections.get(id);
    if (!connection || connection.arn !== resourceArn) {
      throw notFound(`Resource ${resourceArn} was not found in ${caller.region} for account ${caller.accountId}`);
    }
    return this.find(caller, id);
  }

  private requireManagementAccount(caller: CallerIdentity, connection: StoredConnection, action: string): void {
    if (caller.accountId !== connection.managementAccountId) {
      throw accessDenied(`Account ${caller.accountId} is the environment account of connection ${connection.id}: `
        + `only the management account ${connection.managementAccountId} can ${action} it`);
    }
  }

  private requireEnvironmentAccount(caller: CallerIdentity, connection: StoredConnection, action: string): void {
    if (caller.accountId !== connection.environmentAccountId) {
      throw accessDenied(`Account ${caller.accountId} is the management account of connection ${connection.id}: `
        + `only the environment account ${connection.environmentAccountId} can ${action} it`);
    }
  }

  private transition(connection: StoredConnection, status: ConnectionStatus): void {
    const previous = connection.status;
    const at = this.now();
    connection.status = status;
    connection.lastModifiedAt = epochSeconds(at);
    this.emit(connection, status, previous, at);
  }

  private emit(connection: StoredConnection, status: EventStatus, previousStatus: ConnectionStatus | undefined, at: Date): void {
    this.events.record({
      connectionId: connection.id,
      arn: connection.arn,
      region: connection.region,
      environmentAccountId: connection.environmentAccountId,
      managementAccountId: connection.managementAccountId,
      status,
      previousStatus,
      at,
    });
  }

  private decodeToken(token: string): Record<string, unknown> | undefined {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      return typeof decoded === 'object' && decoded !== null && decoded.v === 1 ? decoded : undefined;
    } catch {
      return undefined;
    }
  }

  private decodeListToken(token: string, query: string): number {
    const decoded = this.decodeToken(token);
    if (!decoded || typeof decoded.a !== 'number' || typeof decoded.q !== 'string') {
      throw validationError('nextToken', 'The nextToken is invalid');
    }
    if (decoded.q !== query) {
      throw validationError('nextToken', 'The nextToken belongs to a different request (caller, Region, requestedBy or filters changed)');
    }
    return decoded.a;
  }

  private toWire(c: StoredConnection): EnvironmentAccountConnection {
    const wire: EnvironmentAccountConnection = {
      id: c.id,
      arn: c.arn,
      managementAccountId: c.managementAccountId,
      environmentAccountId: c.environmentAccountId,
      roleArn: c.roleArn,
      environmentName: c.environmentName,
      requestedAt: c.requestedAt,
      lastModifiedAt: c.lastModifiedAt,
      status: c.status,
    };
    if (c.componentRoleArn !== undefined) wire.componentRoleArn = c.componentRoleArn;
    if (c.codebuildRoleArn !== undefined) wire.codebuildRoleArn = c.codebuildRoleArn;
    return wire;
  }

  private toSummary(c: StoredConnection): EnvironmentAccountConnectionSummary {
    const { codebuildRoleArn: _omitted, ...summary } = this.toWire(c);
    return summary;
  }

  private toDump(c: StoredConnection): DumpedConnection {
    return {
      ...this.toWire(c),
      region: c.region,
      partition: c.partition,
      tags: tagRecord(c.tags),
      environments: [...c.environments].sort(),
    };
  }
}
