/**
 * One stack operation (create, update or delete) with CloudFormation's semantics: resources in dependency order and
 * concurrently where independent, custom resources run through their handlers, cleanup of replaced and removed
 * resources after success, rollback after failure.
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, findFunctionAssetPath, StackArtifact } from './cloud-assembly';
import { invokeCustomResource, RequestType } from './custom-resource-invoker';
import { DeployState, LambdaFunctionInfo, OutputState, ResourceState, StackState } from './deploy-state';
import { evaluateCondition, IntrinsicScope, partitionOf, resolveValue, stringifyLeaves, urlSuffixOf } from './intrinsics';
import { plainResource } from './plain-resources';
import { maskData, Progress } from './progress';
import { dependents, resourceDependencies, runGraph } from './resource-graph';

/** What a stack operation needs from the deployer. */
export interface StackOperationContext {
  readonly state: DeployState;
  readonly progress: Progress;
  readonly credentialsForAccount: (account: string) => { accessKeyId: string; secretAccessKey: string };
  readonly environment: Record<string, string>;
  readonly duplicateDelivery: boolean;
  readonly handlerTimeoutMs?: number;
  readonly parameters: Record<string, string>;
}

export type StackOutcome = 'CREATE_COMPLETE' | 'UPDATE_COMPLETE' | 'NO_CHANGES';

/** Plausible value for CDK's `/cdk-bootstrap/<qualifier>/version` SSM parameter. */
const BOOTSTRAP_VERSION = '30';

const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

export function isCustomResourceType(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/** An error that already carries the stack/resource it is about. */
export class StackOperationError extends Error {}

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

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Deploys (creates or updates) one stack. */
export class StackDeployment {
  private readonly label: string;
  private readonly old: StackState | undefined;
  private readonly live = new Map<string, ResourceState>();
  private readonly imports = new Set<string>();
  private readonly conditions = new Map<string, boolean>();
  private parameters: Record<string, unknown> = {};
  private stackId = '';
  private started = false;

  constructor(private readonly ctx: StackOperationContext, private readonly artifact: StackArtifact) {
    this.label = artifact.id;
    this.old = ctx.state.get(artifact.id);
  }

  private get partition(): string { return partitionOf(this.artifact.region); }

  async deploy(): Promise<{ outcome: StackOutcome; state: StackState }> {
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
    this.stackId = old?.stackId ?? `arn:${this.partition}:cloudformation:${artifact.region}:${artifact.account}:stack/${artifact.stackName}/${randomUUID()}`;
    const isCreate = !old;
    if (isCreate) this.markStarted();

    let active: string[];
    let deps: Map<string, string[]>;
    try {
      this.parameters = this.resolveParameters();
      const all = template.Resources ?? {};
      active = Object.keys(all).filter(id => {
        const cond = all[id].Condition;
        return cond === undefined || this.condition(cond);
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
        outputs = this.resolveOutputs();
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
    const state: StackState = {
      id: artifact.id,
      stackName: artifact.stackName,
      account: artifact.account,
      region: artifact.region,
      stackId: this.stackId,
      status: isCreate ? 'CREATE_COMPLETE' : changed ? 'UPDATE_COMPLETE' : old!.status,
      resources: Object.fromEntries(active.map(id => [id, this.live.get(id)!])),
      outputs,
      imports: [...this.imports].sort(),
      dependencies: artifact.dependencies,
      lastUpdated: new Date().toISOString(),
    };
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
      props = resolveValue(def.Properties ?? {}, this.scope(id)) as Record<string, unknown>;
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
    const result = plainResource({
      stackName: this.artifact.stackName,
      logicalId: id,
      type,
      account: this.artifact.account,
      region: this.artifact.region,
      partition: this.partition,
      urlSuffix: urlSuffixOf(this.artifact.region),
    }, props, old);
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

  /** Finds the function a ServiceToken names among the live resources, then the previously deployed ones. */
  private findFunction(token: string, lookups: Array<Record<string, ResourceState> | Map<string, ResourceState>>): ResourceState | undefined {
    const unqualified = token.split(':').slice(0, 7).join(':');
    for (const l of lookups) {
      const values = l instanceof Map ? [...l.values()] : Object.values(l);
      const found = values.find(r => r.type === LAMBDA_FUNCTION && (r.attributes.Arn === unqualified || r.physicalId === token));
      if (found) return found;
    }
    return undefined;
  }

  private async invoke(
    requestType: RequestType, id: string, type: string, properties: Record<string, unknown>,
    oldProperties: Record<string, unknown> | undefined, physicalId: string | undefined,
  ) {
    return invokeHandler(this.ctx, {
      label: this.label,
      stackId: this.stackId,
      account: this.artifact.account,
      region: this.artifact.region,
      requestType,
      id,
      type,
      properties,
      oldProperties,
      physicalId,
      fn: this.findFunction(String(properties.ServiceToken), [this.live, this.old?.resources ?? {}]),
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // cleanup and rollback

  private async deleteResource(id: string, state: ResourceState, policy: string | undefined, why: string, rollbackOfCreate = false): Promise<void> {
    await deleteOne(this.ctx, {
      label: this.label,
      stackId: this.stackId,
      account: this.artifact.account,
      region: this.artifact.region,
      id,
      state,
      policy,
      why,
      rollbackOfCreate,
      fn: isCustomResourceType(state.type)
        ? this.findFunction(String(state.properties.ServiceToken), [this.live, this.old?.resources ?? {}])
        : undefined,
    });
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
      this.ctx.state.put(this.snapshot('ROLLBACK_FAILED', Object.fromEntries([...this.live.entries()].filter(([id]) => attempt.created.includes(id))), {}));
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

  private snapshot(status: string, resources: Record<string, ResourceState>, outputs: Record<string, OutputState>): StackState {
    return {
      id: this.artifact.id,
      stackName: this.artifact.stackName,
      account: this.artifact.account,
      region: this.artifact.region,
      stackId: this.stackId,
      status,
      resources,
      outputs,
      imports: [...this.imports],
      dependencies: this.artifact.dependencies,
      lastUpdated: new Date().toISOString(),
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // parameters, conditions, outputs, scope

  private resolveParameters(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(this.artifact.template.Parameters ?? {})) {
      let value: unknown = this.ctx.parameters[name];
      if (value === undefined) {
        if (p.Type.startsWith('AWS::SSM::Parameter::Value')) {
          if (typeof p.Default === 'string' && p.Default.startsWith('/cdk-bootstrap/')) {
            value = BOOTSTRAP_VERSION;
          } else {
            this.ctx.progress.note(this.label, `WARNING parameter ${name} reads SSM parameter ${String(p.Default)}, which the local deployer cannot read: using its name as the value (pass \`parameters\` to override)`);
            value = p.Default;
          }
        } else if (p.Default !== undefined) {
          value = p.Default;
        } else {
          throw new Error(`Parameter ${name} has no Default: pass a value for it (LocalDeployerOptions.parameters)`);
        }
      }
      if ((p.Type.includes('List<') || p.Type === 'CommaDelimitedList') && typeof value === 'string') value = value.split(',');
      else if (typeof value === 'number') value = String(value);
      result[name] = value;
    }
    return result;
  }

  private condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expr = this.artifact.template.Conditions?.[name];
    if (expr === undefined) throw new Error(`${this.label}: unknown condition ${name}`);
    const value = evaluateCondition(expr, this.scope(`Conditions/${name}`));
    this.conditions.set(name, value);
    return value;
  }

  private resolveOutputs(): Record<string, OutputState> {
    const outputs: Record<string, OutputState> = {};
    const { id: selfId, account, region } = this.artifact;
    const others = this.ctx.state.all().filter(s => s.id !== selfId && s.account === account && s.region === region);
    for (const [name, o] of Object.entries(this.artifact.template.Outputs ?? {})) {
      if (o.Condition !== undefined && !this.condition(o.Condition)) continue;
      const scope = this.scope(`Outputs/${name}`);
      const raw = resolveValue(o.Value, scope);
      const value = Array.isArray(raw) ? raw.join(',') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      const exportName = o.Export ? String(resolveValue(o.Export.Name, scope)) : undefined;
      if (exportName) {
        const clash = others.find(s => Object.values(s.outputs).some(x => x.exportName === exportName));
        if (clash) throw new Error(`Export with name ${exportName} is already exported by stack ${clash.id}`);
      }
      outputs[name] = { value, ...(o.Description ? { description: o.Description } : {}), ...(exportName ? { exportName } : {}) };
    }
    // exports in use by other stacks may neither disappear nor change
    for (const prev of Object.values(this.old?.outputs ?? {})) {
      if (!prev.exportName) continue;
      const importer = others.find(s => s.imports.includes(prev.exportName!));
      if (!importer) continue;
      const now = Object.values(outputs).find(x => x.exportName === prev.exportName);
      if (!now) throw new Error(`Cannot delete export ${prev.exportName} as it is in use by ${importer.id}`);
      if (now.value !== prev.value) throw new Error(`Cannot update export ${prev.exportName} as it is in use by ${importer.id}`);
    }
    return outputs;
  }

  private scope(where: string): IntrinsicScope {
    const { artifact } = this;
    const location = `${this.label}/${where}`;
    return {
      location,
      region: artifact.region,
      mappings: artifact.template.Mappings,
      pseudoParameters: {
        'AWS::AccountId': artifact.account,
        'AWS::Region': artifact.region,
        'AWS::Partition': this.partition,
        'AWS::URLSuffix': urlSuffixOf(artifact.region),
        'AWS::StackName': artifact.stackName,
        'AWS::StackId': this.stackId,
        'AWS::NotificationARNs': [],
      },
      ref: name => {
        if (name in this.parameters) return this.parameters[name];
        const r = this.live.get(name);
        if (r) return r.physicalId;
        if (artifact.template.Resources?.[name]) throw new Error(`${location}: Ref to ${name}, which is not deployed (its Condition is false?)`);
        throw new Error(`${location}: unresolved Ref "${name}" (no such parameter or resource)`);
      },
      getAtt: (id, attribute) => {
        const r = this.live.get(id);
        if (!r) {
          throw new Error(`${location}: Fn::GetAtt ${id}.${attribute}: ${artifact.template.Resources?.[id] ? 'the resource is not deployed' : 'no such resource'}`);
        }
        if (attribute in r.attributes) return r.attributes[attribute];
        if (isCustomResourceType(r.type)) {
          throw new Error(`${location}: CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${this.stackId}|${id}`);
        }
        const placeholder = `${r.physicalId}/${attribute}`;
        this.ctx.progress.note(this.label, `WARNING ${where}: attribute ${attribute} of ${r.type} is not modelled; using "${placeholder}"`);
        return placeholder;
      },
      importValue: name => {
        const exporter = this.ctx.state.all().find(s => s.id !== artifact.id && s.account === artifact.account && s.region === artifact.region
          && Object.values(s.outputs).some(o => o.exportName === name));
        if (!exporter) throw new Error(`${location}: No export named ${name} found in aws://${artifact.account}/${artifact.region}`);
        this.imports.add(name);
        return Object.values(exporter.outputs).find(o => o.exportName === name)!.value;
      },
      condition: name => this.condition(name),
    };
  }
}

function failedReason(reason: string | undefined, received: boolean): string {
  return received ? `Received response status [FAILED] from custom resource. Message returned: ${reason ?? '(none)'}` : (reason ?? 'failed');
}

interface HandlerCall {
  readonly label: string;
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
  readonly requestType: RequestType;
  readonly id: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
  readonly fn: ResourceState | undefined;
}

/** Runs a custom resource's handler for one request; throws when it cannot be run at all. */
export async function invokeHandler(ctx: StackOperationContext, call: HandlerCall) {
  const token = String(call.properties.ServiceToken);
  if (!call.fn) {
    throw new Error(`ServiceToken ${token} is not the Arn of an AWS::Lambda::Function in stack ${call.label} `
      + '(the local deployer runs only Lambda-backed custom resources whose function is in the same stack)');
  }
  const lambda = call.fn.lambda;
  if (!lambda) throw new Error(`the code of function ${call.fn.physicalId} was not found in the cloud assembly`);
  if (!lambda.runtime.startsWith('nodejs')) throw new Error(`function ${lambda.functionName} has runtime ${lambda.runtime}; only Node.js handlers can run locally`);
  if (!fs.existsSync(lambda.codeDirectory)) throw new Error(`the code directory ${lambda.codeDirectory} of function ${lambda.functionName} no longer exists`);
  const creds = ctx.credentialsForAccount(call.account);
  const env: Record<string, string> = {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...lambda.environment,
    AWS_REGION: call.region,
    AWS_DEFAULT_REGION: call.region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: lambda.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(lambda.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(lambda.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${lambda.functionName}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${lambda.runtime}`,
    LAMBDA_TASK_ROOT: lambda.codeDirectory,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...ctx.environment,
  };
  const timeoutMs = Math.min(lambda.timeoutSeconds * 1000, ctx.handlerTimeoutMs ?? Infinity);
  const deliveries = ctx.duplicateDelivery ? 2 : 1;
  const result = await invokeCustomResource({
    requestType: call.requestType,
    serviceToken: token,
    stackId: call.stackId,
    logicalId: call.id,
    resourceType: call.type,
    properties: call.properties,
    oldProperties: call.oldProperties,
    physicalId: call.physicalId,
    fn: lambda,
    region: call.region,
    env,
    timeoutMs,
    deliveries,
    onOutput: (line, delivery) => ctx.progress.handlerOutput(call.label, deliveries > 1 ? `${call.id}#${delivery}` : call.id, line),
  });
  for (const ignored of result.ignoredResponses) {
    ctx.progress.note(call.label, `${call.id}: duplicate delivery of ${call.requestType} (RequestId ${result.event.RequestId}): ignored later response `
      + `${ignored.status}${ignored.physicalId ? ` PhysicalResourceId=${ignored.physicalId}` : ''}${ignored.reason ? ` Reason=${ignored.reason}` : ''}`);
  }
  return result.response;
}

interface DeleteCall {
  readonly label: string;
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly state: ResourceState;
  readonly policy: string | undefined;
  readonly why: string;
  readonly rollbackOfCreate: boolean;
  readonly fn: ResourceState | undefined;
}

/** Deletes one resource (sends Delete to custom resources), honouring Retain policies. Throws on failure. */
export async function deleteOne(ctx: StackOperationContext, call: DeleteCall): Promise<void> {
  const { state, id, label } = call;
  const retain = call.policy === 'Retain' || (call.policy === 'RetainExceptOnCreate' && !call.rollbackOfCreate);
  if (retain) {
    ctx.progress.event({ stack: label, status: 'DELETE_SKIPPED', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason: `${call.policy} (${call.why}): ${state.physicalId} is kept` });
    return;
  }
  ctx.progress.event({ stack: label, status: 'DELETE_IN_PROGRESS', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason: call.why });
  if (isCustomResourceType(state.type)) {
    let reason: string | undefined;
    try {
      const response = await invokeHandler(ctx, {
        label,
        stackId: call.stackId,
        account: call.account,
        region: call.region,
        requestType: 'Delete',
        id,
        type: state.type,
        properties: state.properties,
        physicalId: state.physicalId,
        fn: call.fn,
      });
      if (response.status === 'FAILED') reason = failedReason(response.reason, response.received);
    } catch (err) {
      reason = message(err);
    }
    if (reason) {
      ctx.progress.event({ stack: label, status: 'DELETE_FAILED', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason });
      throw new Error(`${id} (${state.type}): ${reason}`);
    }
  }
  ctx.progress.event({ stack: label, status: 'DELETE_COMPLETE', resourceType: state.type, logicalId: id, physicalId: state.physicalId });
}

/** Deletes a deployed stack: Delete events in reverse dependency order, independent resources concurrently. */
export async function destroyStack(ctx: StackOperationContext, stack: StackState): Promise<void> {
  const label = stack.id;
  const others = ctx.state.all().filter(s => s.id !== stack.id && s.account === stack.account && s.region === stack.region);
  for (const o of Object.values(stack.outputs)) {
    const importer = o.exportName ? others.find(s => s.imports.includes(o.exportName!)) : undefined;
    if (importer) throw new StackOperationError(`Stack ${label} cannot be deleted: export ${o.exportName} is in use by ${importer.id}`);
  }
  ctx.progress.stack(label, 'DELETE_IN_PROGRESS');
  const ids = Object.keys(stack.resources);
  const findFn = (token: string) => {
    const unqualified = token.split(':').slice(0, 7).join(':');
    return Object.values(stack.resources).find(r => r.type === LAMBDA_FUNCTION && (r.attributes.Arn === unqualified || r.physicalId === token));
  };
  const run = await runGraph(ids, dependents(ids, id => stack.resources[id].dependsOn), id => {
    const state = stack.resources[id];
    return deleteOne(ctx, {
      label,
      stackId: stack.stackId,
      account: stack.account,
      region: stack.region,
      id,
      state,
      policy: state.deletionPolicy,
      why: 'stack deletion',
      rollbackOfCreate: false,
      fn: isCustomResourceType(state.type) ? findFn(String(state.properties.ServiceToken)) : undefined,
    });
  }, { stopOnFailure: false });
  if (run.failed.size === 0 && run.skipped.length === 0) {
    ctx.state.remove(stack.id);
    ctx.progress.stack(label, 'DELETE_COMPLETE');
    return;
  }
  const remaining = new Set([...run.failed.keys(), ...run.skipped]);
  ctx.state.put({ ...stack, status: 'DELETE_FAILED', resources: Object.fromEntries(Object.entries(stack.resources).filter(([id]) => remaining.has(id))) });
  const reasons = [...run.failed.values()].map(e => e.message).join('; ');
  ctx.progress.stack(label, 'DELETE_FAILED', reasons);
  throw new StackOperationError(`Stack ${label} could not be deleted: ${reasons}`);
}
