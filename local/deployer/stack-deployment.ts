/**
 * The resource engine: one stack's create or update with CloudFormation's semantics. Resources run in dependency
 * order and concurrently where independent, custom resources through their handlers; replaced and removed resources
 * are cleaned up after success; a failure rolls the stack back. Template evaluation is in template-evaluation.ts,
 * handler calls in lambda-invocation.ts, deletions in stack-deletion.ts.
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, findFunctionAssetPath, StackArtifact } from './cloud-assembly';
import type { LambdaFunctionInfo, OutputState, ResourceState, StackState } from './deploy-state';
import type { RequestType } from './handler-protocol';
import { partitionOf, resolveValue, stringifyLeaves } from './intrinsics';
import { findFunction, invokeCustomResourceHandler } from './lambda-invocation';
import type { StackView } from './live-stacks';
import { plainResource } from './plain-resources';
import { maskData } from './progress';
import { dependents, resourceDependencies, runGraph } from './resource-graph';
import { deleteOne } from './stack-deletion';
import {
  failedReason, isCustomResourceType, LAMBDA_FUNCTION, message, StackOperationContext, StackOperationError, StackOutcome, stackStateOf,
} from './stack-operation';
import { TemplateEvaluation } from './template-evaluation';

export { isCustomResourceType, StackOperationError } from './stack-operation';
export type { StackOperationContext, StackOutcome } from './stack-operation';

interface Attempt {
  /** Resources created in this attempt, in completion order. */
  readonly created: string[];
  /** Resources updated in this attempt (in completion order) with their state before and after. */
  readonly updated: Array<{ id: string; before: ResourceState; after: ResourceState }>;
  /** Custom resources whose Create failed, with the physical id of the FAILED response (if any). */
  readonly failedCreates: Map<string, ResourceState>;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map(k => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** Deploys (creates or updates) one stack. */
export class StackDeployment {
  private readonly label: string;
  private readonly old: StackState | undefined;
  private readonly live = new Map<string, ResourceState>();
  /** Resources deleted by this operation (cleanup, rollback). */
  private readonly deleted = new Set<string>();
  private template!: TemplateEvaluation;
  private stackId = '';
  private started = false;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly ctx: StackOperationContext, private readonly artifact: StackArtifact) {
    this.label = artifact.id;
    this.old = ctx.state.get(artifact.id);
  }

  async deploy(): Promise<{ outcome: StackOutcome; state: StackState }> {
    const untrack = this.ctx.live.track(this.artifact.id, () => this.view());
    try {
      return await this.run();
    } finally {
      untrack();
    }
  }

  /** The stack's resources as this operation has left them so far (what exists meanwhile). */
  private view(): StackView | undefined {
    if (!this.stackId) return this.old;
    const resources = { ...this.old?.resources, ...Object.fromEntries(this.live) };
    for (const id of this.deleted) delete resources[id];
    const { id, account, region } = this.artifact;
    return { id, stackId: this.stackId, account, region, resources, lastUpdated: this.startedAt };
  }

  private async run(): Promise<{ outcome: StackOutcome; state: StackState }> {
    const { artifact, old } = this;
    const template = artifact.template;
    if (old && !/_COMPLETE$/.test(old.status)) {
      throw new StackOperationError(`Stack ${this.label} is in state ${old.status}: destroy it before deploying it again`);
    }
    if (old && (old.account !== artifact.account || old.region !== artifact.region)) {
      throw new StackOperationError(`Stack ${this.label} is deployed to aws://${old.account}/${old.region}, the assembly now targets aws://${artifact.account}/${artifact.region}: destroy it first`);
    }
    if (template.Transform !== undefined) {
      throw new StackOperationError(`Stack ${this.label}: template transforms (${JSON.stringify(template.Transform)}) are not supported by the local deployer`);
    }
    this.stackId = old?.stackId ?? `arn:${partitionOf(artifact.region)}:cloudformation:${artifact.region}:${artifact.account}:stack/${artifact.stackName}/${randomUUID()}`;
    this.template = new TemplateEvaluation(this.ctx, artifact, this.stackId, this.live);
    const isCreate = !old;
    if (isCreate) this.markStarted();

    let active: string[];
    let deps: Map<string, string[]>;
    try {
      this.template.resolveParameters();
      const all = template.Resources ?? {};
      active = Object.keys(all).filter(id => {
        const cond = all[id].Condition;
        return cond === undefined || this.template.condition(cond);
      });
      const activeResources: Record<string, CfnResource> = Object.fromEntries(active.map(id => [id, all[id]]));
      deps = resourceDependencies(activeResources);
      for (const [id, d] of resourceDependencies(all)) {
        if (!active.includes(id)) continue;
        const inactive = d.filter(x => !active.includes(x));
        if (inactive.length > 0) throw new Error(`Resource ${id} depends on ${inactive.join(', ')}, whose Condition is false`);
      }
      const typeChanges = active.filter(id => old?.resources[id] && old.resources[id].type !== all[id].Type);
      if (typeChanges.length > 0) {
        throw new Error(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${typeChanges.join(', ')}]`);
      }
    } catch (err) {
      if (isCreate) this.ctx.progress.stack(this.label, 'CREATE_FAILED', message(err));
      throw new StackOperationError(`Stack ${this.label} failed: ${message(err)}`);
    }

    const attempt: Attempt = { created: [], updated: [], failedCreates: new Map() };
    const run = await runGraph(active, id => deps.get(id) ?? [], id => this.deployResource(id, deps.get(id) ?? [], attempt), { stopOnFailure: true, what: 'resource' });

    let failure: string | undefined;
    if (run.failed.size > 0) {
      const [id, err] = [...run.failed.entries()][0];
      failure = `${id} (${template.Resources![id].Type}): ${message(err)}`;
    }
    let outputs: Record<string, OutputState> = {};
    if (!failure) {
      try {
        outputs = this.template.resolveOutputs(old);
      } catch (err) {
        failure = message(err);
      }
    }
    if (failure) {
      const rolledBack = isCreate ? await this.rollbackCreate(attempt, failure) : await this.rollbackUpdate(attempt, failure);
      throw new StackOperationError(`Stack ${this.label} failed: ${failure}${rolledBack ? '' : ' (and its rollback failed, see the log)'}`);
    }

    // cleanup: replaced physical resources and resources removed from the template
    const removed = Object.keys(old?.resources ?? {}).filter(id => !active.includes(id));
    const replaced = attempt.updated.filter(u => u.before.physicalId !== u.after.physicalId);
    if (removed.length > 0 || replaced.length > 0) {
      this.markStarted();
      this.ctx.progress.stack(this.label, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      for (const r of replaced) {
        const policy = template.Resources![r.id].UpdateReplacePolicy;
        await this.deleteResource(r.id, r.before, policy, 'replaced').catch(() => undefined);
      }
      const oldResources = old!.resources;
      await runGraph(removed, dependents(removed, id => oldResources[id].dependsOn), id =>
        this.deleteResource(id, oldResources[id], oldResources[id].deletionPolicy, 'removed from the template'), { stopOnFailure: false });
    }

    const changed = isCreate || attempt.created.length > 0 || attempt.updated.length > 0 || removed.length > 0 || !deepEqual(outputs, old?.outputs);
    const state = this.stackState(isCreate ? 'CREATE_COMPLETE' : changed ? 'UPDATE_COMPLETE' : old!.status,
      Object.fromEntries(active.map(id => [id, this.live.get(id)!])), outputs);
    this.ctx.state.put(state);
    if (changed) {
      this.markStarted();
      this.ctx.progress.stack(this.label, state.status);
      return { outcome: isCreate ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', state };
    }
    this.ctx.progress.note(this.label, 'no changes');
    return { outcome: 'NO_CHANGES', state };
  }

  private markStarted(): void {
    if (this.started) return;
    this.started = true;
    this.ctx.progress.stack(this.label, this.old ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS');
  }

  private stackState(status: string, resources: Record<string, ResourceState>, outputs: Record<string, OutputState>): StackState {
    return stackStateOf(this.artifact, { stackId: this.stackId, status, resources, outputs, imports: this.template.imports });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // resources

  private async deployResource(id: string, dependsOn: string[], attempt: Attempt): Promise<void> {
    const def = this.artifact.template.Resources![id];
    const type = def.Type;
    const old = this.old?.resources[id];
    const verb = old ? 'UPDATE' : 'CREATE';
    const policies = { deletionPolicy: def.DeletionPolicy, updateReplacePolicy: def.UpdateReplacePolicy };
    let props: Record<string, unknown>;
    try {
      props = resolveValue(def.Properties ?? {}, this.template.scope(id)) as Record<string, unknown>;
    } catch (err) {
      this.markStarted();
      this.ctx.progress.event({ stack: this.label, status: `${verb}_FAILED`, resourceType: type, logicalId: id, reason: message(err) });
      throw err;
    }

    if (isCustomResourceType(type)) {
      const sent = stringifyLeaves(props) as Record<string, unknown>;
      if (typeof sent.ServiceToken !== 'string') {
        return this.fail(verb, type, id, 'ServiceToken is required (a Lambda function Arn)');
      }
      if (old && deepEqual(old.properties, sent)) {
        this.live.set(id, { ...old, dependsOn, ...policies });
        return;
      }
      this.markStarted();
      if (old && old.properties.ServiceToken !== sent.ServiceToken) {
        return this.fail(verb, type, id, `Modifying service token is not allowed (${String(old.properties.ServiceToken)} -> ${sent.ServiceToken})`);
      }
      this.ctx.progress.event({ stack: this.label, status: `${verb}_IN_PROGRESS`, resourceType: type, logicalId: id });
      let response;
      try {
        response = await this.invoke(old ? 'Update' : 'Create', id, type, sent, old?.properties, old?.physicalId);
      } catch (err) {
        return this.fail(verb, type, id, message(err));
      }
      if (response.status === 'FAILED') {
        if (!old) {
          attempt.failedCreates.set(id, { type, physicalId: response.physicalId ?? '', properties: sent, attributes: {}, dependsOn, ...policies });
        }
        return this.fail(verb, type, id, failedReason(response.reason, response.received));
      }
      const after: ResourceState = {
        type,
        physicalId: response.physicalId!,
        properties: sent,
        attributes: response.data,
        dependsOn,
        ...policies,
        ...(response.noEcho ? { noEcho: true } : {}),
      };
      this.live.set(id, after);
      if (old) attempt.updated.push({ id, before: old, after });
      else attempt.created.push(id);
      const replacement = old && old.physicalId !== after.physicalId ? `requested replacement: ${old.physicalId} -> ${after.physicalId}` : undefined;
      this.ctx.progress.event({
        stack: this.label,
        status: `${verb}_COMPLETE`,
        resourceType: type,
        logicalId: id,
        physicalId: after.physicalId,
        reason: replacement,
        data: response.noEcho ? maskData(response.data) : response.data,
      });
      return;
    }

    // plain resource
    if (old && deepEqual(old.properties, props)) {
      this.live.set(id, { ...old, dependsOn, ...policies });
      return;
    }
    this.markStarted();
    this.ctx.progress.event({ stack: this.label, status: `${verb}_IN_PROGRESS`, resourceType: type, logicalId: id });
    let result;
    try {
      result = plainResource({
        stackName: this.artifact.stackName,
        logicalId: id,
        type,
        account: this.artifact.account,
        region: this.artifact.region,
        partition: this.template.partition,
        urlSuffix: this.template.urlSuffix,
      }, props, old);
    } catch (err) {
      return this.fail(verb, type, id, message(err));
    }
    if (result.warning) this.ctx.progress.note(this.label, `WARNING ${id}: ${result.warning}`);
    let lambda: LambdaFunctionInfo | undefined;
    if (type === LAMBDA_FUNCTION) {
      lambda = this.lambdaInfo(id, def, props, result.physicalId, String(result.attributes.Arn));
    }
    const after: ResourceState = {
      type, physicalId: result.physicalId, properties: props, attributes: result.attributes, dependsOn, ...policies, ...(lambda ? { lambda } : {}),
    };
    this.live.set(id, after);
    if (old) attempt.updated.push({ id, before: old, after });
    else attempt.created.push(id);
    this.ctx.progress.event({ stack: this.label, status: `${verb}_COMPLETE`, resourceType: type, logicalId: id, physicalId: after.physicalId });
  }

  private fail(verb: string, type: string, id: string, reason: string): never {
    this.ctx.progress.event({ stack: this.label, status: `${verb}_FAILED`, resourceType: type, logicalId: id, reason });
    throw new Error(reason);
  }

  private lambdaInfo(id: string, def: CfnResource, props: Record<string, unknown>, name: string, arn: string): LambdaFunctionInfo | undefined {
    const code = (props.Code ?? {}) as Record<string, unknown>;
    let codeDirectory: string | undefined;
    if (typeof code.ZipFile === 'string') {
      codeDirectory = path.join(os.tmpdir(), `local-deployer-inline-${createHash('sha256').update(code.ZipFile).digest('hex').slice(0, 16)}`);
      fs.mkdirSync(codeDirectory, { recursive: true });
      fs.writeFileSync(path.join(codeDirectory, 'index.js'), code.ZipFile);
    } else {
      codeDirectory = findFunctionAssetPath(this.artifact, code.S3Key, def.Metadata);
    }
    if (!codeDirectory) {
      this.ctx.progress.note(this.label, `WARNING ${id}: the function's code (${JSON.stringify(code)}) was not found in the assembly; custom resources that use it cannot run`);
      return undefined;
    }
    const env = ((props.Environment as Record<string, unknown> | undefined)?.Variables ?? {}) as Record<string, unknown>;
    return {
      functionName: name,
      arn,
      handler: String(props.Handler ?? 'index.handler'),
      runtime: String(props.Runtime ?? ''),
      codeDirectory,
      timeoutSeconds: Number(props.Timeout ?? 3),
      memorySize: Number(props.MemorySize ?? 128),
      environment: stringifyLeaves(env) as Record<string, string>,
    };
  }

  /** The function a ServiceToken names: among the live resources, then the previously deployed ones. */
  private functionOf(token: unknown): ResourceState | undefined {
    return findFunction(String(token), this.live, this.old?.resources ?? {});
  }

  private async invoke(
    requestType: RequestType, id: string, type: string, properties: Record<string, unknown>,
    oldProperties: Record<string, unknown> | undefined, physicalId: string | undefined,
  ) {
    return invokeCustomResourceHandler(this.ctx, {
      label: this.label,
      stackId: this.stackId,
      account: this.artifact.account,
      region: this.artifact.region,
      requestType,
      logicalId: id,
      resourceType: type,
      properties,
      oldProperties,
      physicalId,
      fn: this.functionOf(properties.ServiceToken),
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // cleanup and rollback

  private async deleteResource(id: string, state: ResourceState, policy: string | undefined, why: string, rollbackOfCreate = false): Promise<void> {
    const replaced = why === 'replaced';
    await deleteOne(this.ctx, {
      label: this.label,
      stackId: this.stackId,
      account: this.artifact.account,
      region: this.artifact.region,
      logicalId: id,
      state,
      policy,
      why,
      rollbackOfCreate,
      fn: isCustomResourceType(state.type) ? this.functionOf(state.properties.ServiceToken) : undefined,
    });
    // a replaced resource's new physical resource lives on under the same logical id
    if (!replaced) this.deleted.add(id);
  }

  private async deleteCreated(attempt: Attempt, extra: Map<string, ResourceState>): Promise<boolean> {
    const toDelete = new Map<string, ResourceState>();
    for (const id of attempt.created) toDelete.set(id, this.live.get(id)!);
    for (const [id, s] of attempt.failedCreates) toDelete.set(id, s);
    for (const [id, s] of extra) toDelete.set(id, s);
    const ids = [...toDelete.keys()];
    const run = await runGraph(ids, dependents(ids, id => toDelete.get(id)!.dependsOn), async id => {
      const s = toDelete.get(id)!;
      if (!s.physicalId) {
        this.ctx.progress.event({ stack: this.label, status: 'DELETE_SKIPPED', resourceType: s.type, logicalId: id, reason: 'no PhysicalResourceId was returned' });
        return;
      }
      await this.deleteResource(id, s, s.deletionPolicy, 'rollback', true);
    }, { stopOnFailure: false });
    return run.failed.size === 0 && run.skipped.length === 0;
  }

  private async rollbackCreate(attempt: Attempt, reason: string): Promise<boolean> {
    this.ctx.progress.stack(this.label, 'ROLLBACK_IN_PROGRESS', reason);
    const ok = await this.deleteCreated(attempt, new Map());
    if (ok) {
      this.ctx.state.remove(this.artifact.id);
      this.ctx.progress.stack(this.label, 'ROLLBACK_COMPLETE');
    } else {
      this.ctx.state.put(this.stackState('ROLLBACK_FAILED', Object.fromEntries([...this.live.entries()].filter(([id]) => attempt.created.includes(id))), {}));
      this.ctx.progress.stack(this.label, 'ROLLBACK_FAILED');
    }
    return ok;
  }

  private async rollbackUpdate(attempt: Attempt, reason: string): Promise<boolean> {
    const old = this.old!;
    this.ctx.progress.stack(this.label, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
    const resources: Record<string, ResourceState> = { ...old.resources };
    const replacedNew = new Map<string, ResourceState>();
    let ok = true;
    for (const { id, before, after } of [...attempt.updated].reverse()) {
      this.ctx.progress.event({ stack: this.label, status: 'UPDATE_IN_PROGRESS', resourceType: after.type, logicalId: id, reason: 'rollback' });
      if (!isCustomResourceType(after.type)) {
        resources[id] = before;
        this.ctx.progress.event({ stack: this.label, status: 'UPDATE_COMPLETE', resourceType: after.type, logicalId: id });
        continue;
      }
      try {
        const response = await this.invoke('Update', id, after.type, before.properties, after.properties, after.physicalId);
        if (response.status === 'FAILED') throw new Error(failedReason(response.reason, response.received));
        const attributes = response.physicalId === before.physicalId ? before.attributes : response.data;
        resources[id] = { ...before, physicalId: response.physicalId!, attributes };
        if (response.physicalId !== after.physicalId) replacedNew.set(`${id}`, after);
        this.ctx.progress.event({ stack: this.label, status: 'UPDATE_COMPLETE', resourceType: after.type, logicalId: id, physicalId: response.physicalId });
      } catch (err) {
        ok = false;
        resources[id] = after;
        this.ctx.progress.event({ stack: this.label, status: 'UPDATE_FAILED', resourceType: after.type, logicalId: id, reason: message(err) });
      }
    }
    this.ctx.progress.stack(this.label, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    if (!(await this.deleteCreated(attempt, replacedNew))) ok = false;
    const status = ok ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED';
    this.ctx.state.put({ ...old, status, resources, lastUpdated: new Date().toISOString() });
    this.ctx.progress.stack(this.label, status);
    return ok;
  }
}
