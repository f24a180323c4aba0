import { createHash } from 'crypto';
import {
  CreateEnvironmentAccountConnectionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  EnvironmentAccountConnection,
  GetEnvironmentAccountConnectionCommand,
  ListTagsForResourceCommand,
  paginateListEnvironmentAccountConnections,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentAccountConnectionCommand,
} from '@aws-sdk/client-proton';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CustomResourceOutcome } from '../../handler-runtime/cfn-response';
import { CustomResourceFailure } from '../../handler-runtime/custom-resource-runner';
import { LifecycleDeps } from '../../handler-runtime/lifecycle-deps';
import { DEFAULT_POLL, pollUntil } from '../../handler-runtime/polling';
import { describeError, isProtonError } from '../../handler-runtime/proton-errors';
import { CONNECTION_ID_PATTERN, CLIENT_TOKEN_MAX_LENGTH, MAX_TAGS } from '../../shared/proton-patterns';
import { ConnectionAttribute, ConnectionSpec, parseConnectionSpec } from '../connection-contract';


/**
 * Create, Update and Delete of one environment account connection, idempotent and convergent:
 * retries of the same CloudFormation request never file a second request, "already done" is
 * success, and "already gone" is success on Delete.
 */
export async function onConnectionEvent(
  event: CloudFormationCustomResourceEvent,
  deadline: number,
  deps: LifecycleDeps,
): Promise<CustomResourceOutcome> {
  const lifecycle = new ConnectionLifecycle(event, deadline, deps);
  switch (event.RequestType) {
    case 'Create':
      return lifecycle.create();
    case 'Update':
      return lifecycle.update(event.PhysicalResourceId, event.OldResourceProperties);
    case 'Delete':
      return lifecycle.delete(event.PhysicalResourceId);
  }
}

/**
 * The idempotency token of one CloudFormation request: every delivery or retry of the same
 * request (same stack, resource and request id) yields the same token, so the same connection.
 */
export function clientTokenFor(event: CloudFormationCustomResourceEvent): string {
  return createHash('sha256')
    .update(`${event.StackId}\n${event.LogicalResourceId}\n${event.RequestId}`)
    .digest('hex')
    .slice(0, CLIENT_TOKEN_MAX_LENGTH);
}

/** Tag key marking the CloudFormation resource that filed a connection. */
export const OWNER_TAG_KEY = 'cdk-proton-account-connections:owner';

/** The owner tag's value: a digest of the stack and logical id (stable across requests). */
export function ownerTagValue(event: CloudFormationCustomResourceEvent): string {
  return createHash('sha256').update(`${event.StackId}\n${event.LogicalResourceId}`).digest('hex').slice(0, 40);
}

/** Whether a physical id names a connection (and not a placeholder left by a failed Create). */
export function isConnectionId(physicalId: string | undefined): physicalId is string {
  return physicalId !== undefined && CONNECTION_ID_PATTERN.test(physicalId);
}

interface Filed {
  readonly connection: EnvironmentAccountConnection;
  /** True when the connection existed before this request and was taken over. */
  readonly adopted: boolean;
}

class ConnectionLifecycle {
  private readonly spec: ConnectionSpec;
  private readonly log: (line: string) => void;

  constructor(
    private readonly event: CloudFormationCustomResourceEvent,
    private readonly deadline: number,
    private readonly deps: LifecycleDeps,
  ) {
    this.spec = parseConnectionSpec(event.ResourceProperties);
    this.log = deps.log ?? console.log;
  }

  public async create(): Promise<CustomResourceOutcome> {
    const filed = await this.fileRequest();
    // A failure from here on reports the connection as the physical id only when this request
    // created it, so CloudFormation's rollback deletes what this stack made and nothing else.
    const status = await this.settle(filed, filed.adopted ? undefined : filed.connection.id);
    return this.outcome(filed.connection, status);
  }

  public async update(physicalId: string, oldProperties: Record<string, unknown>): Promise<CustomResourceOutcome> {
    const old = parseConnectionSpec(oldProperties);
    if (!isConnectionId(physicalId)) {
      this.log(`physical id ${physicalId} names no connection: filing a new request`);
      return this.replace();
    }
    if (old.managementAccountId !== this.spec.managementAccountId || old.environmentName !== this.spec.environmentName) {
      this.log(`environment or management account changed (${old.environmentName}@${old.managementAccountId} -> ${this.spec.environmentName}@${this.spec.managementAccountId}): replacing connection ${physicalId}`);
      return this.replace();
    }
    const current = await this.get(physicalId);
    if (!current) {
      this.log(`connection ${physicalId} no longer exists: filing a new request`);
      return this.replace();
    }
    if (current.status === 'REJECTED') {
      throw new CustomResourceFailure(
        `connection ${physicalId} for environment "${this.spec.environmentName}" was REJECTED by management account ${this.spec.managementAccountId}; a rejected connection can never be used. Remove this resource from the stack and deploy, then add it back to file a new request.`,
        physicalId,
      );
    }
    const updated = await this.convergeRoles(current);
    await this.convergeTags(updated.arn!, old.tags, this.spec.tags);
    const status = await this.settle({ connection: updated, adopted: true }, physicalId);
    return this.outcome(updated, status);
  }

  public async delete(physicalId: string): Promise<CustomResourceOutcome> {
    if (!isConnectionId(physicalId)) {
      // The Create failed. It may still have filed a request whose response was lost: delete it
      // only if this very resource filed it (owner tag), never anything else.
      // Best effort: a rollback must not block on it, and the next Create of this resource takes
      // back whatever is left (owner tag).
      try {
        const filed = await this.findActive();
        if (filed && (await this.filedByThisResource(filed.arn!))) {
          this.log(`the failed Create had filed connection ${filed.id} (its response was lost): deleting it`);
          await this.delete(filed.id!);
          return { physicalResourceId: physicalId };
        }
      } catch (error) {
        this.log(`could not look for a connection the failed Create may have filed (${describeError(error)}); the next Create of this resource takes it back`);
        return { physicalResourceId: physicalId };
      }
      this.log(`physical id ${physicalId} names no connection (its Create failed): nothing to delete`);
      return { physicalResourceId: physicalId };
    }
    if (this.spec.retainOnDelete) {
      this.log(`RETAIN: connection ${physicalId} is kept; delete it from the environment account when it is no longer needed`);
      return { physicalResourceId: physicalId };
    }
    try {
      await this.deps.proton.send(new DeleteEnvironmentAccountConnectionCommand({ id: physicalId }));
      this.log(`deleted connection ${physicalId}`);
    } catch (error) {
      if (!isProtonError(error, 'ResourceNotFoundException')) {
        throw new CustomResourceFailure(`could not delete connection ${physicalId}: ${describeError(error)}`, physicalId, error);
      }
      this.log(`connection ${physicalId} was already deleted`);
    }
    return { physicalResourceId: physicalId };
  }

  /** Files a new request for a changed environment or a vanished connection (a new physical id). */
  private async replace(): Promise<CustomResourceOutcome> {
    const filed = await this.fileRequest();
    try {
      const status = await this.settle(filed, undefined);
      return this.outcome(filed.connection, status);
    } catch (error) {
      // CloudFormation keeps the old physical id on a failed update: remove what this request
      // created so that nothing is left behind.
      if (!filed.adopted) await this.deleteQuietly(filed.connection.id!);
      throw error;
    }
  }

  /** Files the request, or finds the one this same request already filed (same client token). */
  private async fileRequest(): Promise<Filed> {
    const { spec } = this;
    try {
      const response = await this.deps.proton.send(
        new CreateEnvironmentAccountConnectionCommand({
          managementAccountId: spec.managementAccountId,
          environmentName: spec.environmentName,
          roleArn: spec.roleArn,
          codebuildRoleArn: spec.codebuildRoleArn,
          componentRoleArn: spec.componentRoleArn,
          clientToken: clientTokenFor(this.event),
          tags: toTagList({ ...spec.tags, ...this.ownerTag() }),
        }),
      );
      const connection = response.environmentAccountConnection!;
      this.log(`filed connection request ${connection.id} (${connection.status}) for environment "${spec.environmentName}" of management account ${spec.managementAccountId}`);
      return { connection, adopted: false };
    } catch (error) {
      if (!isProtonError(error, 'ConflictException')) {
        throw new CustomResourceFailure(`could not file the connection request: ${describeError(error)}`, undefined, error);
      }
      const existing = await this.findActive();
      if (!existing) throw new CustomResourceFailure(`could not file the connection request: ${describeError(error)}`, undefined, error);
      if (await this.filedByThisResource(existing.arn!)) {
        // an earlier attempt of this very resource filed it (a lost response, a rolled-back rename)
        this.log(`taking back connection ${existing.id}, which this resource filed earlier`);
        const current = (await this.get(existing.id!)) ?? existing;
        const converged = await this.convergeRoles(current);
        await this.convergeTags(converged.arn!, undefined, spec.tags);
        return { connection: converged, adopted: false };
      }
      if (!spec.adoptExisting) {
        throw new CustomResourceFailure(
          `a ${existing.status} connection ${existing.id} for environment "${spec.environmentName}" of management account ${spec.managementAccountId} already exists in this account, and AWS Proton allows one per environment. Set adoptExisting: true to take it over, or delete it first (DeleteEnvironmentAccountConnection --id ${existing.id}) and deploy again.`,
        );
      }
      this.log(`adopting existing ${existing.status} connection ${existing.id}`);
      const current = (await this.get(existing.id!)) ?? existing;
      const adopted = await this.convergeRoles(current);
      await this.convergeTags(adopted.arn!, undefined, spec.tags);
      return { connection: adopted, adopted: true };
    }
  }

  /** The PENDING or CONNECTED connection for this environment and management account, if any. */
  private async findActive(): Promise<EnvironmentAccountConnection | undefined> {
    const pages = paginateListEnvironmentAccountConnections(
      { client: this.deps.proton },
      { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName: this.spec.environmentName, statuses: ['PENDING', 'CONNECTED'] },
    );
    for await (const page of pages) {
      const match = (page.environmentAccountConnections ?? []).find(
        (summary) => summary.managementAccountId === this.spec.managementAccountId && summary.environmentName === this.spec.environmentName,
      );
      if (match) return match as EnvironmentAccountConnection;
    }
    return undefined;
  }

  private async get(id: string): Promise<EnvironmentAccountConnection | undefined> {
    try {
      const response = await this.deps.proton.send(new GetEnvironmentAccountConnectionCommand({ id }));
      return response.environmentAccountConnection;
    } catch (error) {
      if (isProtonError(error, 'ResourceNotFoundException')) return undefined;
      throw new CustomResourceFailure(`could not read connection ${id}: ${describeError(error)}`, id, error);
    }
  }

  /** Updates role ARNs in place when they differ from the spec; no call when they match. */
  private async convergeRoles(current: EnvironmentAccountConnection): Promise<EnvironmentAccountConnection> {
    const { spec } = this;
    const removed = (['codebuildRoleArn', 'componentRoleArn'] as const).filter((field) => current[field] && !spec[field]);
    if (removed.length > 0) {
      throw new CustomResourceFailure(
        `connection ${current.id} has ${removed.join(' and ')} set, and AWS Proton cannot remove a role from a connection. Keep the role, or remove this resource from the stack, deploy, and add it back to file a new request.`,
        current.id,
      );
    }
    const changed =
      current.roleArn !== spec.roleArn ||
      (spec.codebuildRoleArn !== undefined && current.codebuildRoleArn !== spec.codebuildRoleArn) ||
      (spec.componentRoleArn !== undefined && current.componentRoleArn !== spec.componentRoleArn);
    if (!changed) return current;
    try {
      const response = await this.deps.proton.send(
        new UpdateEnvironmentAccountConnectionCommand({
          id: current.id,
          roleArn: spec.roleArn,
          codebuildRoleArn: spec.codebuildRoleArn,
          componentRoleArn: spec.componentRoleArn,
        }),
      );
      this.log(`updated the roles of connection ${current.id}`);
      return response.environmentAccountConnection!;
    } catch (error) {
      throw new CustomResourceFailure(`could not update the roles of connection ${current.id}: ${describeError(error)}`, current.id, error);
    }
  }

  /** Applies tag changes between `before` (unknown: apply everything) and `after`. */
  private async convergeTags(arn: string, before: Record<string, string> | undefined, after: Record<string, string>): Promise<void> {
    const toSet = Object.entries(after).filter(([key, value]) => before?.[key] !== value);
    const toRemove = Object.keys(before ?? {}).filter((key) => !(key in after));
    if (toSet.length > 0) {
      await this.deps.proton.send(new TagResourceCommand({ resourceArn: arn, tags: toSet.map(([key, value]) => ({ key, value })) }));
    }
    if (toRemove.length > 0) {
      await this.deps.proton.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: toRemove }));
    }
  }

  /**
   * The connection's status once the spec is satisfied: right away, or, with
   * `waitForAcceptance`, once it is CONNECTED. `ownedId` is the physical id a failure reports.
   */
  private async settle(filed: Filed, ownedId: string | undefined): Promise<string> {
    const { connection } = filed;
    if (!this.spec.waitForAcceptance || connection.status === 'CONNECTED') return connection.status!;
    const bound = Math.min(this.deadline, Date.now() + this.spec.acceptanceTimeoutSeconds * 1000);
    const poll = this.deps.poll ?? DEFAULT_POLL;
    this.log(`waiting up to ${Math.round((bound - Date.now()) / 1000)} s for management account ${this.spec.managementAccountId} to accept connection ${connection.id}`);
    const settled = await pollUntil(
      async () => {
        const current = await this.get(connection.id!);
        if (!current) {
          throw new CustomResourceFailure(`connection ${connection.id} was deleted while waiting for its acceptance`, ownedId);
        }
        return current.status === 'PENDING' ? undefined : current.status;
      },
      { ...poll, deadline: bound },
    );
    if (settled === 'CONNECTED') return settled;
    if (settled === 'REJECTED') {
      throw new CustomResourceFailure(
        `connection ${connection.id} for environment "${this.spec.environmentName}" was REJECTED by management account ${this.spec.managementAccountId}. A rejected connection can never be used: ask the management account to allow-list this environment account and environment, then deploy again to file a new request.`,
        ownedId,
      );
    }
    throw new CustomResourceFailure(
      `connection ${connection.id} for environment "${this.spec.environmentName}" is still PENDING after ${this.spec.acceptanceTimeoutSeconds} s. Accept it in management account ${this.spec.managementAccountId} (deploy its EnvironmentAccountConnectionAcceptor, or accept it there by hand), then deploy again; or set waitForAcceptance: false to finish without waiting.`,
      ownedId,
    );
  }

  /**
   * The owner tag marks a connection as filed by this CloudFormation resource (stack and logical
   * id), so that a later attempt of the same resource can take it back. Left out when the user's
   * tags already use all 50.
   */
  private ownerTag(): Record<string, string> {
    if (Object.keys(this.spec.tags).length >= MAX_TAGS) return {};
    return { [OWNER_TAG_KEY]: ownerTagValue(this.event) };
  }

  private async filedByThisResource(arn: string): Promise<boolean> {
    const response = await this.deps.proton.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return (response.tags ?? []).some((tag) => tag.key === OWNER_TAG_KEY && tag.value === ownerTagValue(this.event));
  }

  private async deleteQuietly(id: string): Promise<void> {
    try {
      await this.deps.proton.send(new DeleteEnvironmentAccountConnectionCommand({ id }));
      this.log(`deleted connection ${id} that this failed update had filed`);
    } catch (error) {
      this.log(`could not delete connection ${id} that this failed update had filed: ${describeError(error)}`);
    }
  }

  private outcome(connection: EnvironmentAccountConnection, status: string): CustomResourceOutcome {
    return {
      physicalResourceId: connection.id!,
      data: { [ConnectionAttribute.id]: connection.id!, [ConnectionAttribute.arn]: connection.arn!, [ConnectionAttribute.status]: status },
    };
  }
}

function toTagList(tags: Record<string, string>): Array<{ key: string; value: string }> | undefined {
  const entries = Object.entries(tags);
  return entries.length === 0 ? undefined : entries.map(([key, value]) => ({ key, value }));
}
