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
import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CustomResourceOutcome } from '../../handler-runtime/cfn-response';
import { CustomResourceFailure } from '../../handler-runtime/custom-resource-runner';
import { LifecycleDeps } from '../../handler-runtime/lifecycle-deps';
import { DEFAULT_POLL, pollUntil } from '../../handler-runtime/polling';
import { describeError, isProtonError } from '../../handler-runtime/proton-errors';
import { parseStackArn } from '../../handler-runtime/stack-arn';
import { END_OF_SUPPORT_ATTRIBUTE_VALUE, END_OF_SUPPORT_CONTEXT_KEY } from '../../shared/end-of-support';
import { CONNECTION_ID_PATTERN, CLIENT_TOKEN_MAX_LENGTH, MAX_TAGS } from '../../shared/proton-patterns';
import {
  ConnectionAttribute, ConnectionProperty, ConnectionSpec, LenientConnectionSpec, parseConnectionSpec, parseConnectionSpecLeniently,
} from '../connection-contract';


/**
 * Create, Update and Delete of one environment account connection, idempotent and convergent:
 * retries of the same CloudFormation request never file a second request, "already done" is
 * success, and "already gone" is success on Delete. A Delete never fails because of its
 * properties (a rollback carries the values that failed), and makes no Proton call with the
 * end-of-support switch on.
 */
export async function onConnectionEvent(
  event: CloudFormationCustomResourceEvent,
  deadline: number,
  deps: LifecycleDeps,
): Promise<CustomResourceOutcome> {
  switch (event.RequestType) {
    case 'Create':
      return new ConnectionLifecycle(event, deadline, deps).create();
    case 'Update':
      return new ConnectionLifecycle(event, deadline, deps).update(event.PhysicalResourceId, event.OldResourceProperties);
    case 'Delete':
      return deleteConnection(event, deps);
    default:
      throw new CustomResourceFailure(`unknown request type ${JSON.stringify((event as { RequestType: unknown }).RequestType)}: nothing was done`);
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

/**
 * The owner tag's value: a digest of the stack (its ARN without the per-creation UUID) and the
 * logical id, so a stack deleted and created again under the same name takes back what it kept.
 */
export function ownerTagValue(event: CloudFormationCustomResourceEvent): string {
  return ownerDigest(`${event.StackId.replace(/\/[0-9a-f-]{36}$/, '')}\n${event.LogicalResourceId}`);
}

/** Owner tag values written by releases before 1.0 (the digest included the stack's UUID). */
export function legacyOwnerTagValue(event: CloudFormationCustomResourceEvent): string {
  return ownerDigest(`${event.StackId}\n${event.LogicalResourceId}`);
}

function ownerDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** Whether a physical id names a connection (and not a placeholder left by a failed Create). */
export function isConnectionId(physicalId: string | undefined): boolean {
  return physicalId !== undefined && CONNECTION_ID_PATTERN.test(physicalId);
}

/**
 * The physical id a failed Create reports when it knows it leaves no request of its own behind
 * (it filed none, or deleted the one it filed): its rollback Delete does nothing. The runner's
 * `not-created-` placeholder instead means "may have filed one whose response was lost".
 */
export function noneFiledPhysicalId(event: CloudFormationCustomResourceEvent): string {
  return `none-filed-${event.RequestId}`;
}

/** The connection ARN, built as Proton builds it (for answers made without calling Proton). */
function connectionArn(event: CloudFormationCustomResourceEvent, id: string): string {
  const { partition, region, account } = parseStackArn(event.StackId);
  return `arn:${partition}:proton:${region}:${account}:environment-account-connection/${id}`;
}

/**
 * Delete: by physical id, what this resource filed; with a placeholder, only a request its
 * failed Create may have filed (found by its owner tag, and only when the properties name a
 * valid environment: with invalid ones nothing could have been filed).
 */
async function deleteConnection(event: CloudFormationCustomResourceDeleteEvent, deps: LifecycleDeps): Promise<CustomResourceOutcome> {
  const log = deps.log ?? console.log;
  const physicalId = event.PhysicalResourceId;
  const spec = parseConnectionSpecLeniently(event.ResourceProperties);
  const done = { physicalResourceId: physicalId };
  if (spec.endOfSupport) {
    log(`${END_OF_SUPPORT_CONTEXT_KEY} is on: not calling AWS Proton; ${physicalId} is left to AWS Proton's end of support (AWS deleted Proton's data)`);
    return done;
  }
  if (isConnectionId(physicalId)) {
    if (spec.retainOnDelete) {
      log(`RETAIN: connection ${physicalId} is kept; a stack created again with this name and logical id takes it back, or delete it from the environment account when no longer needed`);
      return done;
    }
    await deleteById(deps, physicalId, log);
    return done;
  }
  if (physicalId.startsWith('none-filed-')) {
    log(`physical id ${physicalId}: its Create filed no request of its own, or deleted it: nothing to delete`);
    return done;
  }
  if (spec.environmentName === undefined || spec.managementAccountId === undefined) {
    log(`physical id ${physicalId}: its properties name no valid environment and management account, so its Create never filed a request: nothing to delete`);
    return done;
  }
  // The Create failed, and may have filed a request whose response was lost: delete it only if
  // this very resource filed it (owner tag). Best effort: a rollback must not block on it, and the
  // next Create of this resource takes back whatever is left.
  try {
    const filed = await findActive(deps, spec.environmentName, spec.managementAccountId);
    if (filed && (await ownedBy(deps, filed.arn!, event))) {
      log(`the failed Create had filed connection ${filed.id} (its response was lost): deleting it`);
      await deleteById(deps, filed.id!, log);
      return done;
    }
  } catch (error) {
    log(`could not look for a connection the failed Create may have filed (${describeError(error)}); the next Create of this resource takes it back`);
    return done;
  }
  log(`physical id ${physicalId} names no connection (its Create failed): nothing to delete`);
  return done;
}

async function deleteById(deps: LifecycleDeps, id: string, log: (line: string) => void): Promise<void> {
  try {
    await deps.proton.send(new DeleteEnvironmentAccountConnectionCommand({ id }));
    log(`deleted connection ${id}`);
  } catch (error) {
    if (!isProtonError(error, 'ResourceNotFoundException')) {
      throw new CustomResourceFailure(`could not delete connection ${id}: ${describeError(error)}`, id, error);
    }
    log(`connection ${id} was already deleted`);
  }
}

/** The PENDING or CONNECTED connection for this environment and management account, if any. */
async function findActive(
  deps: LifecycleDeps,
  environmentName: string,
  managementAccountId: string,
): Promise<EnvironmentAccountConnection | undefined> {
  const pages = paginateListEnvironmentAccountConnections(
    { client: deps.proton },
    { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName, statuses: ['PENDING', 'CONNECTED'] },
  );
  for await (const page of pages) {
    const match = (page.environmentAccountConnections ?? []).find(
      (summary) => summary.managementAccountId === managementAccountId && summary.environmentName === environmentName,
    );
    if (match) return match as EnvironmentAccountConnection;
  }
  return undefined;
}

/** Whether the connection carries this resource's owner tag (this or an earlier release's). */
async function ownedBy(deps: LifecycleDeps, arn: string, event: CloudFormationCustomResourceEvent): Promise<boolean> {
  const response = await deps.proton.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  const values = new Set([ownerTagValue(event), legacyOwnerTagValue(event)]);
  return (response.tags ?? []).some((tag) => tag.key === OWNER_TAG_KEY && values.has(tag.value ?? ''));
}

/** Where the connection a Create or replacement works with came from. */
type Origin = 'filed' | 'taken-back' | 'adopted';

interface Filed {
  readonly connection: EnvironmentAccountConnection;
  /**
   * `filed`: by this request; `taken-back`: by an earlier request of this same resource (owner
   * tag); `adopted`: by someone else, taken over with `adoptExisting`.
   */
  readonly origin: Origin;
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
    if (this.spec.endOfSupport) {
      throw new CustomResourceFailure(
        `${END_OF_SUPPORT_CONTEXT_KEY} is on: AWS Proton has reached its end of support, so no connection request can be filed. Remove this resource from the stack, or deploy without the switch against a Proton-compatible endpoint.`,
        noneFiledPhysicalId(this.event),
      );
    }
    this.checkNotOwnAccount(noneFiledPhysicalId(this.event));
    const filed = await this.fileRequest();
    try {
      const status = await this.settle(filed.connection);
      return this.outcome(filed.connection, status);
    } catch (error) {
      throw await this.abandon(filed, error);
    }
  }

  /** A token that was this stack's own account at deploy: refused before any call (or wait). */
  private checkNotOwnAccount(physicalId: string): void {
    const { account } = parseStackArn(this.event.StackId);
    if (this.spec.managementAccountId === account) {
      throw new CustomResourceFailure(
        `invalid ${ConnectionProperty.managementAccountId} "${account}": is this stack's own account, and a connection links this environment account to a different management account. Give the management account's id.`,
        physicalId,
      );
    }
  }

  public async update(physicalId: string, oldProperties: Record<string, unknown>): Promise<CustomResourceOutcome> {
    if (this.spec.endOfSupport) {
      this.log(`${END_OF_SUPPORT_CONTEXT_KEY} is on: not calling AWS Proton; ${physicalId} is kept as it is, and its Delete will make no call either`);
      return {
        physicalResourceId: physicalId,
        data: {
          [ConnectionAttribute.id]: physicalId,
          [ConnectionAttribute.arn]: connectionArn(this.event, physicalId),
          [ConnectionAttribute.status]: END_OF_SUPPORT_ATTRIBUTE_VALUE,
        },
      };
    }
    this.checkNotOwnAccount(physicalId);
    // The old side only compares: a rollback carries there the very values that failed.
    const old = parseConnectionSpecLeniently(oldProperties);
    if (!isConnectionId(physicalId)) {
      this.log(`physical id ${physicalId} names no connection: filing a new request`);
      return this.replace();
    }
    const oldKnown = old.managementAccountId !== undefined && old.environmentName !== undefined;
    if (oldKnown && (old.managementAccountId !== this.spec.managementAccountId || old.environmentName !== this.spec.environmentName)) {
      this.log(`environment or management account changed (${old.environmentName}@${old.managementAccountId} -> ${this.spec.environmentName}@${this.spec.managementAccountId}): replacing connection ${physicalId}`);
      return this.replace();
    }
    // A role change goes straight to Update (its answer is the connection): no Get first
    const direct = isRoleChangeInPlace(old.roles, this.spec) ? await this.updateRolesDirectly(physicalId) : undefined;
    if (direct && direct !== 'vanished') {
      await this.convergeTags(direct.arn!, old.tags);
      return this.outcome(direct, await this.settle(direct));
    }
    const current = direct === 'vanished' ? undefined : await this.get(physicalId);
    if (!current) {
      this.log(`connection ${physicalId} no longer exists: filing a new request`);
      return this.replace();
    }
    if (current.managementAccountId !== this.spec.managementAccountId || current.environmentName !== this.spec.environmentName) {
      this.log(`connection ${physicalId} is for ${current.environmentName}@${current.managementAccountId}, not ${this.spec.environmentName}@${this.spec.managementAccountId}: replacing it`);
      return this.replace();
    }
    if (current.status === 'REJECTED') {
      if (this.spec.replaceRejected) {
        this.log(`connection ${physicalId} was REJECTED; replaceRejected is on: filing a new request in its place (CloudFormation then deletes the rejected one)`);
        return this.replace();
      }
      throw new CustomResourceFailure(
        `connection ${physicalId} for environment "${this.spec.environmentName}" was REJECTED by management account ${this.spec.managementAccountId}, and a rejected connection can never be used. ${REPLACE_REJECTED_ADVICE}`,
        physicalId,
      );
    }
    const updated = await this.convergeRoles(current);
    await this.convergeTags(updated.arn!, old.tags);
    const status = await this.settle(updated);
    return this.outcome(updated, status);
  }

  /** Files a new request for a changed environment or a vanished connection (a new physical id). */
  private async replace(): Promise<CustomResourceOutcome> {
    const filed = await this.fileRequest();
    try {
      const status = await this.settle(filed.connection);
      return this.outcome(filed.connection, status);
    } catch (error) {
      // CloudFormation keeps the old physical id on a failed update: remove what this request
      // filed so that nothing is left behind.
      if (filed.origin === 'filed') await this.deleteQuietly(filed.connection.id!);
      throw error;
    }
  }

  /**
   * After a failed Create: deletes the request this Create filed (whatever the removal policy:
   * a failed first deploy leaves nothing behind) and reports a physical id whose rollback
   * Delete does nothing. A connection that existed before is left as it was.
   */
  private async abandon(filed: Filed, error: unknown): Promise<CustomResourceFailure> {
    const message = error instanceof Error ? error.message : String(error);
    if (filed.origin === 'filed' && !(await this.deleteQuietly(filed.connection.id!))) {
      // The rollback Delete finds it by its owner tag and deletes it.
      return new CustomResourceFailure(message, undefined, error);
    }
    return new CustomResourceFailure(message, noneFiledPhysicalId(this.event), error);
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
      return { connection, origin: 'filed' };
    } catch (error) {
      if (!isProtonError(error, 'ConflictException')) {
        throw new CustomResourceFailure(`could not file the connection request: ${describeError(error)}`, undefined, error);
      }
    }
    // A conflict means the existing connection predates this request (a replay of this request's
    // client token would have answered it): from here on, this request files nothing.
    try {
      return await this.takeOver();
    } catch (error) {
      if (error instanceof CustomResourceFailure && error.physicalResourceId) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new CustomResourceFailure(message, noneFiledPhysicalId(this.event), error);
    }
  }

  /** Takes back (owner tag) or adopts (`adoptExisting`) the existing connection for this environment. */
  private async takeOver(): Promise<Filed> {
    const { spec } = this;
    const existing = await findActive(this.deps, spec.environmentName, spec.managementAccountId);
    if (!existing) {
      throw new CustomResourceFailure(`could not file the connection request: AWS Proton reported a conflicting connection for environment "${spec.environmentName}" that can no longer be found; deploy again`);
    }
    let origin: Origin;
    if (await ownedBy(this.deps, existing.arn!, this.event)) {
      // an earlier attempt of this very resource filed it (a lost response, a rolled-back
      // rename, a stack created again after it was deleted with RETAIN)
      this.log(`taking back ${existing.status} connection ${existing.id}, which this resource filed earlier`);
      origin = 'taken-back';
    } else if (spec.adoptExisting) {
      this.log(`adopting existing ${existing.status} connection ${existing.id}`);
      origin = 'adopted';
    } else {
      throw new CustomResourceFailure(
        `a ${existing.status} connection ${existing.id} for environment "${spec.environmentName}" of management account ${spec.managementAccountId} already exists in this account, and AWS Proton allows one per environment. Set adoptExisting: true to take it over, or delete it first (DeleteEnvironmentAccountConnection --id ${existing.id}) and deploy again.`,
      );
    }
    const current = (await this.get(existing.id!)) ?? existing;
    const converged = await this.convergeRoles(current);
    await this.convergeTags(converged.arn!, undefined);
    return { connection: converged, origin };
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

  /**
   * Sets the spec's roles on the connection with one Update, trusting the old properties for
   * what changed. Returns the updated connection, `'vanished'` when it no longer exists, or
   * `undefined` when Proton refuses (a REJECTED connection) or the answer is for another
   * environment: the caller then reads the connection and decides.
   */
  private async updateRolesDirectly(id: string): Promise<EnvironmentAccountConnection | 'vanished' | undefined> {
    const { spec } = this;
    try {
      const updated = await this.sendRoleUpdate(id);
      return updated.managementAccountId === spec.managementAccountId && updated.environmentName === spec.environmentName ? updated : undefined;
    } catch (error) {
      if (isProtonError(error, 'ResourceNotFoundException')) return 'vanished';
      if (isProtonError(error, 'ConflictException') || isProtonError(error, 'ValidationException')) return undefined;
      throw roleUpdateFailure(id, error);
    }
  }

  /** Sets the spec's roles on connection `id` (UpdateEnvironmentAccountConnection); Proton's errors pass through. */
  private async sendRoleUpdate(id: string): Promise<EnvironmentAccountConnection> {
    const { spec } = this;
    const response = await this.deps.proton.send(new UpdateEnvironmentAccountConnectionCommand({
      id, roleArn: spec.roleArn, codebuildRoleArn: spec.codebuildRoleArn, componentRoleArn: spec.componentRoleArn,
    }));
    this.log(`updated the roles of connection ${id}`);
    return response.environmentAccountConnection!;
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
      return await this.sendRoleUpdate(current.id!);
    } catch (error) {
      throw roleUpdateFailure(current.id!, error);
    }
  }

  /**
   * Brings the connection's tags to the spec's. `before` is what the last deployment set;
   * when it is unknown (a connection taken over, old properties that do not parse), the
   * connection's own tags are read and every tag but the owner tag is converged.
   */
  private async convergeTags(arn: string, before: Record<string, string> | undefined): Promise<void> {
    const after = this.spec.tags;
    const known = before ?? (await this.currentTags(arn));
    const toSet = Object.entries(after).filter(([key, value]) => known[key] !== value);
    const toRemove = Object.keys(known).filter((key) => !(key in after));
    if (toSet.length > 0) {
      await this.deps.proton.send(new TagResourceCommand({ resourceArn: arn, tags: toSet.map(([key, value]) => ({ key, value })) }));
    }
    if (toRemove.length > 0) {
      await this.deps.proton.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: toRemove }));
    }
  }

  private async currentTags(arn: string): Promise<Record<string, string>> {
    const response = await this.deps.proton.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    // no prototype: every key Proton allows, `__proto__` included, is an ordinary key here
    const tags: Record<string, string> = Object.create(null);
    for (const tag of response.tags ?? []) {
      if (tag.key && tag.key !== OWNER_TAG_KEY && !tag.key.startsWith('aws:')) tags[tag.key] = tag.value ?? '';
    }
    return tags;
  }

  /**
   * The connection's status once the spec is satisfied: right away, or, with
   * `waitForAcceptance`, once it is CONNECTED. A failure keeps the physical id CloudFormation
   * already knows; a Create replaces it (`abandon`).
   */
  private async settle(connection: EnvironmentAccountConnection): Promise<string> {
    if (!this.spec.waitForAcceptance || connection.status === 'CONNECTED') return connection.status!;
    const bound = Math.min(this.deadline, Date.now() + this.spec.acceptanceTimeoutSeconds * 1000);
    const poll = this.deps.poll ?? DEFAULT_POLL;
    this.log(`waiting up to ${Math.round((bound - Date.now()) / 1000)} s for management account ${this.spec.managementAccountId} to accept connection ${connection.id}`);
    const settled = await pollUntil(
      async () => {
        const current = await this.get(connection.id!);
        if (!current) throw new CustomResourceFailure(`connection ${connection.id} was deleted while waiting for its acceptance`);
        return current.status === 'PENDING' ? undefined : current.status;
      },
      { ...poll, deadline: bound },
    );
    if (settled === 'CONNECTED') return settled;
    if (settled === 'REJECTED') {
      throw new CustomResourceFailure(
        `connection ${connection.id} for environment "${this.spec.environmentName}" was REJECTED by management account ${this.spec.managementAccountId}, and a rejected connection can never be used. Ask the management account to allow-list this environment account and environment; then ${this.spec.replaceRejected ? 'deploy again: replaceRejected is on, so the next deploy files a new request' : REPLACE_REJECTED_ADVICE_LOWER}`,
      );
    }
    throw new CustomResourceFailure(
      `connection ${connection.id} for environment "${this.spec.environmentName}" is still PENDING after ${this.spec.acceptanceTimeoutSeconds} s. Accept it in management account ${this.spec.managementAccountId} (deploy its EnvironmentAccountConnectionAcceptor with continuous acceptance, or accept it there by hand), then deploy again; or set waitForAcceptance: false to finish without waiting.`,
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

  /** Deletes a connection this request filed; false when that failed (logged). */
  private async deleteQuietly(id: string): Promise<boolean> {
    try {
      await this.deps.proton.send(new DeleteEnvironmentAccountConnectionCommand({ id }));
      this.log(`deleted connection ${id}, which this failed request had filed`);
      return true;
    } catch (error) {
      if (isProtonError(error, 'ResourceNotFoundException')) return true;
      this.log(`could not delete connection ${id}, which this failed request had filed: ${describeError(error)}`);
      return false;
    }
  }

  private outcome(connection: EnvironmentAccountConnection, status: string): CustomResourceOutcome {
    return {
      physicalResourceId: connection.id!,
      data: { [ConnectionAttribute.id]: connection.id!, [ConnectionAttribute.arn]: connection.arn!, [ConnectionAttribute.status]: status },
    };
  }
}

/** How to recover from a REJECTED connection in one deploy of the environment account's stack. */
const REPLACE_REJECTED_ADVICE_LOWER =
  `set replaceRejected: true on this EnvironmentAccountConnection (or ProtonEnvironmentLink) and deploy this stack: that deploy files a new request in place of the rejected one (property ${ConnectionProperty.replaceRejected}).`;
const REPLACE_REJECTED_ADVICE = `To file a new request, ${REPLACE_REJECTED_ADVICE_LOWER}`;

function toTagList(tags: Record<string, string>): Array<{ key: string; value: string }> | undefined {
  const entries = Object.entries(tags);
  return entries.length === 0 ? undefined : entries.map(([key, value]) => ({ key, value }));
}

/**
 * Whether the update changes the roles and only sets or replaces them: a removed CodeBuild or
 * component role cannot be removed in place, which the full path reports.
 */
function isRoleChangeInPlace(old: LenientConnectionSpec['roles'], spec: ConnectionSpec): boolean {
  if (!old) return false;
  const removed = (old.codebuildRoleArn !== undefined && spec.codebuildRoleArn === undefined)
    || (old.componentRoleArn !== undefined && spec.componentRoleArn === undefined);
  const changed = old.roleArn !== spec.roleArn || old.codebuildRoleArn !== spec.codebuildRoleArn || old.componentRoleArn !== spec.componentRoleArn;
  return changed && !removed;
}

function roleUpdateFailure(id: string, error: unknown): CustomResourceFailure {
  return new CustomResourceFailure(`could not update the roles of connection ${id}: ${describeError(error)}`, id, error);
}
