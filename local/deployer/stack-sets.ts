/**
 * The StackSet engine: the stack instances of the deployed service-managed `AWS::CloudFormation::StackSet`
 * resources, one per target account and Region, each a stack of the deployment state deployed with the resource
 * engine (stack-deployment.ts) and deleted with stack-deletion.ts under the target account's credentials.
 * Reconciling a StackSet against the organization creates the missing instances, updates the existing ones (on a
 * deploy of the management stack), and deletes (or, with RetainStacksOnAccountRemoval, keeps as standalone stacks)
 * those no longer targeted. Auto-deployment is the same reconcile, run when the organization changed. Reconciles run
 * one at a time.
 */
import { randomUUID } from 'crypto';
import type { StackArtifact } from './cloud-assembly';
import type { DeployState, StackState } from './deploy-state';
import { accountsUnder, isClosed, OrganizationSource, OrganizationView, organizationFingerprint } from './organization-view';
import type { Progress } from './progress';
import { runGraph } from './resource-graph';
import { destroyStack } from './stack-deletion';
import { StackDeployment } from './stack-deployment';
import { message, StackOperationContext } from './stack-operation';
import { containsIntrinsic, parseStackSet, STACK_SET_TYPE, StackSetDefinition } from './stack-set-definition';

/** One stack instance of a StackSet. */
export interface StackSetInstanceRef {
  /** The StackSetName. */
  readonly stackSet: string;
  /** The artifact id of the stack that holds the StackSet resource. */
  readonly managementStack: string;
  readonly account: string;
  readonly region: string;
  /** The instance's stack id in the deployment state (`<managementStack>/StackSet-<name>/<account>/<region>`). */
  readonly stack: string;
}

/** A StackSet (no account and Region) or one of its instances that could not be reconciled. */
export interface StackSetFailure extends Omit<StackSetInstanceRef, 'account' | 'region' | 'stack'> {
  readonly account?: string;
  readonly region?: string;
  readonly stack?: string;
  readonly error: string;
}

/** What a reconcile did. */
export interface StackSetSyncResult {
  readonly created: StackSetInstanceRef[];
  readonly updated: StackSetInstanceRef[];
  readonly deleted: StackSetInstanceRef[];
  /** Removed from their StackSet with RetainStacksOnAccountRemoval: their stacks are kept, as standalone stacks. */
  readonly retained: StackSetInstanceRef[];
  readonly failed: StackSetFailure[];
}

export interface StackSetsOptions {
  readonly state: DeployState;
  readonly progress: Progress;
  /** Where the organization is read, or why there is none (the error's end). */
  readonly organization: OrganizationSource | string;
  /** The operation context of an instance stack, with the instance's template parameter values. */
  readonly context: (id: string, parameters: Record<string, string>) => StackOperationContext;
  /** The management stack's artifact, for the file assets of its instance templates (undefined: not in the assembly). */
  readonly artifact: (managementStackId: string) => StackArtifact | undefined;
  /** Where asset directories are looked for when the management stack is not in the assembly. */
  readonly assemblyDir: string;
  /** Whether an operation of the deployer is changing stack `id` (auto-deployment leaves its StackSets to it). */
  readonly busy: (id: string) => boolean;
  /** How often the organization is read while auto-deployment runs (ms). */
  readonly pollIntervalMs: number;
}

const INSTANCE_ID = /^(.+)\/StackSet-([a-zA-Z][-a-zA-Z0-9]*)\/(\d{12})\/([a-z]{2}(?:-[a-z]+)+-\d+)$/;

/** The id of a StackSet instance's stack in the deployment state. */
export function instanceStackId(managementStack: string, stackSet: string, account: string, region: string): string {
  return `${managementStack}/StackSet-${stackSet}/${account}/${region}`;
}

/** The StackSet instance a state id names, if it names one. */
export function parseInstanceStackId(id: string): Omit<StackSetInstanceRef, 'stack'> | undefined {
  const m = INSTANCE_ID.exec(id);
  return m ? { managementStack: m[1], stackSet: m[2], account: m[3], region: m[4] } : undefined;
}

type Mode = 'deploy' | 'auto-deployment';

interface Action {
  readonly kind: 'create' | 'update' | 'delete' | 'retain';
  readonly ref: StackSetInstanceRef;
  readonly existing?: StackState;
  readonly why: string;
}

function emptyResult(): StackSetSyncResult {
  return { created: [], updated: [], deleted: [], retained: [], failed: [] };
}

function merge(into: StackSetSyncResult, from: StackSetSyncResult): void {
  into.created.push(...from.created);
  into.updated.push(...from.updated);
  into.deleted.push(...from.deleted);
  into.retained.push(...from.retained);
  into.failed.push(...from.failed);
}

/** The failures as one Error message, one line each (`StackSet X (stack M): instance A/R: error`). */
export function describeFailures(failed: readonly StackSetFailure[]): string {
  return failed.map(f => `StackSet ${f.stackSet} (stack ${f.managementStack}): ${f.account ? `instance ${f.account}/${f.region}: ` : ''}${f.error}`).join('\n');
}

/** The StackSet resources of a deployed stack (logical id → resolved properties). */
function stackSetResources(stack: StackState): Array<[string, Record<string, unknown>]> {
  return Object.entries(stack.resources).filter(([, r]) => r.type === STACK_SET_TYPE).map(([id, r]) => [id, r.properties]);
}

/**
 * Checks the StackSet resources of a stack about to be deployed whose properties need no resolving (the usual
 * synthesized `CfnStackSet`), so that a StackSet CloudFormation would refuse fails the deploy before anything runs.
 */
export function validateStackSets(artifact: StackArtifact): void {
  for (const [id, r] of Object.entries(artifact.template.Resources ?? {})) {
    if (r.Type !== STACK_SET_TYPE || containsIntrinsic(r.Properties ?? {})) continue;
    try {
      parseStackSet(id, r.Properties ?? {});
    } catch (err) {
      throw new Error(`Stack ${artifact.id} failed: ${message(err)}`);
    }
  }
}

export class StackSets {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  private holds = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private queuedSync: Promise<StackSetSyncResult> | undefined;
  /** The organization the last auto-deployment reconciled against. */
  private lastFingerprint: string | undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly options: StackSetsOptions) {}

  /** Whether any deployed stack has a StackSet resource. */
  private any(): boolean {
    return this.options.state.all().some(s => stackSetResources(s).length > 0);
  }

  /** Whether a deployed stack has StackSet resources, or instances of StackSets it had. */
  manages(stack: StackState): boolean {
    return stackSetResources(stack).length > 0 || this.instancesOf(stack.id).length > 0;
  }

  /**
   * After `management` was deployed (created, updated or unchanged): reconciles its StackSets, updating every
   * existing instance. Rejects naming each StackSet, account and Region that failed; the other instances complete.
   */
  async afterDeploy(artifact: StackArtifact): Promise<StackSetSyncResult> {
    const result = await this.serialized(async () => {
      const management = this.options.state.get(artifact.id);
      return management ? this.reconcileStack(management, artifact, 'deploy', this.lazyOrganization()) : emptyResult();
    });
    if (result.failed.length > 0) throw new Error(describeFailures(result.failed));
    return result;
  }

  /**
   * Before `management` is destroyed: deletes every instance of its StackSets (as the StackSet resource's deletion
   * does; StackSets with DeletionPolicy Retain keep theirs). Rejects, naming the instances left, when one fails.
   */
  async beforeDestroy(management: StackState): Promise<void> {
    const result = await this.serialized(async () => {
      const out = emptyResult();
      const retained = new Set(stackSetResources(management)
        .filter(([id]) => ['Retain', 'RetainExceptOnCreate'].includes(management.resources[id].deletionPolicy ?? ''))
        .map(([, props]) => String(props.StackSetName)));
      for (const name of retained) this.note(management.id, name, 'kept with its instances (DeletionPolicy Retain)');
      const actions = this.instancesOf(management.id).filter(i => !retained.has(i.stackSet))
        .map((ref): Action => ({ kind: 'delete', ref, existing: this.options.state.get(ref.stack), why: `deletion of stack ${management.id}` }));
      merge(out, await this.run(actions, 1));
      return out;
    });
    if (result.failed.length > 0) {
      throw new Error(`Stack ${management.id} cannot be deleted: its StackSets still have instances:\n${describeFailures(result.failed)}`);
    }
  }

  /**
   * Auto-deployment now: reconciles every deployed StackSet whose AutoDeployment is enabled against the organization
   * (creates the instances of accounts that joined its OUs, deletes or retains those of accounts that left). Runs
   * after the reconciles already running or queued; instance failures are in `failed`, not thrown.
   */
  sync(): Promise<StackSetSyncResult> {
    return this.serialized(() => this.syncAll());
  }

  /** Resolves when no background check and no reconcile is running or queued. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Runs auto-deployment in the background (reads the organization every pollIntervalMs) until as many `release()`s. */
  hold(): void {
    if (this.holds++ > 0) return;
    this.timer = setInterval(() => this.check(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  release(): void {
    if (this.holds === 0 || --this.holds > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The instances of `managementStack`'s StackSets in the state. */
  instancesOf(managementStack: string): StackSetInstanceRef[] {
    return this.options.state.all().flatMap(s => {
      const ref = parseInstanceStackId(s.id);
      return ref && ref.managementStack === managementStack ? [{ ...ref, stack: s.id }] : [];
    });
  }

  /** The StackSet instance a deployed stack is, when its management stack is deployed. */
  instance(stackId: string): StackSetInstanceRef | undefined {
    const ref = parseInstanceStackId(stackId);
    return ref && this.options.state.get(ref.managementStack) ? { ...ref, stack: stackId } : undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    this.track(run);
    return run;
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.catch(() => undefined).finally(() => this.inFlight.delete(p));
  }

  /** One background round: when the organization changed since the last auto-deployment, one (coalesced) sync. */
  private check(): void {
    if (this.checking || this.queuedSync || !this.any()) return;
    this.checking = true;
    const round = (async () => {
      const org = await this.organization();
      if (organizationFingerprint(org) === this.lastFingerprint) return;
      const queued = this.serialized(async () => {
        if (this.queuedSync === queued) this.queuedSync = undefined;
        return this.syncAll();
      });
      this.queuedSync = queued;
      const result = await queued;
      this.warned.clear();
      if (result.failed.length > 0) this.warnOnce(`WARNING StackSet auto-deployment: ${describeFailures(result.failed)}`);
    })().catch(err => this.warnOnce(`WARNING StackSet auto-deployment could not run: ${message(err)} (tried again every ${this.options.pollIntervalMs} ms)`))
      .finally(() => { this.checking = false; });
    this.track(round);
  }

  private async syncAll(): Promise<StackSetSyncResult> {
    const out = emptyResult();
    if (!this.any()) return out;
    const org = await this.organization();
    this.lastFingerprint = organizationFingerprint(org);
    for (const { id } of this.options.state.all()) {
      // as it is now: an operation of the deployer may have changed or deleted it meanwhile, and reconciles it itself
      const management = this.options.state.get(id);
      if (!management || stackSetResources(management).length === 0 || this.options.busy(id)) continue;
      merge(out, await this.reconcileStack(management, this.options.artifact(id), 'auto-deployment', () => org));
    }
    return out;
  }

  /** Reads the organization once, and only when a StackSet needs it. */
  private lazyOrganization(): () => Promise<OrganizationView> {
    let read: Promise<OrganizationView> | undefined;
    return () => (read ??= this.organization());
  }

  private async organization(): Promise<OrganizationView> {
    const source = this.options.organization;
    if (typeof source === 'string') throw new Error(`service-managed StackSets need AWS Organizations: ${source}`);
    try {
      return await source.organization();
    } catch (err) {
      throw new Error(`service-managed StackSets need AWS Organizations, and the organization could not be read: ${message(err)}`);
    }
  }

  /** Reconciles the StackSets of one management stack (and deletes the instances of StackSets it no longer has). */
  private async reconcileStack(
    management: StackState, artifact: StackArtifact | undefined, mode: Mode, organization: () => OrganizationView | Promise<OrganizationView>,
  ): Promise<StackSetSyncResult> {
    const out = emptyResult();
    const existing = this.instancesOf(management.id);
    const names = new Set<string>();
    for (const [logicalId, props] of stackSetResources(management)) {
      let definition: StackSetDefinition;
      try {
        definition = parseStackSet(logicalId, props);
      } catch (err) {
        out.failed.push({ stackSet: String(props.StackSetName ?? logicalId), managementStack: management.id, error: message(err) });
        continue;
      }
      names.add(definition.name);
      if (mode === 'auto-deployment' && !definition.autoDeployment.enabled) continue;
      const mine = existing.filter(i => i.stackSet === definition.name);
      let actions: Action[];
      try {
        actions = this.plan(management, definition, mine, await organization(), mode);
      } catch (err) {
        out.failed.push({ stackSet: definition.name, managementStack: management.id, error: message(err) });
        continue;
      }
      merge(out, await this.run(actions, definition.maxConcurrentCount, definition, artifact));
    }
    if (mode === 'deploy') {
      const orphans = existing.filter(i => !names.has(i.stackSet)).map((ref): Action => ({
        kind: 'delete', ref, existing: this.options.state.get(ref.stack), why: `StackSet ${ref.stackSet} is no longer in stack ${management.id}`,
      }));
      merge(out, await this.run(orphans, 1));
    }
    return out;
  }

  /** What reconciling one StackSet against the organization does, in CloudFormation's order (RegionOrder, then Region, then account). */
  private plan(management: StackState, d: StackSetDefinition, existing: readonly StackSetInstanceRef[], org: OrganizationView, mode: Mode): Action[] {
    this.checkCaller(management, d, org);
    const status = new Map(org.accounts.map(a => [a.id, a.status]));
    const targeted = new Map<string, StackSetInstanceRef>();
    for (const group of d.groups) {
      for (const account of accountsUnder(org, group.organizationalUnitIds)) {
        for (const region of group.regions) {
          const stack = instanceStackId(management.id, d.name, account, region);
          targeted.set(stack, { stackSet: d.name, managementStack: management.id, account, region, stack });
        }
      }
    }
    const stillUnder = new Set(accountsUnder(org, d.groups.flatMap(g => g.organizationalUnitIds)));
    const actions: Action[] = [];
    for (const ref of targeted.values()) {
      const old = existing.find(e => e.stack === ref.stack);
      const closed = isClosed(String(status.get(ref.account)));
      if (closed) {
        if (!old) this.note(management.id, d.name, `no instance in ${ref.account}/${ref.region}: the account is ${String(status.get(ref.account))}`);
        continue;
      }
      if (!old) actions.push({ kind: 'create', ref, why: mode === 'deploy' ? `deploy of stack ${management.id}` : `auto-deployment: account ${ref.account} is in the target OUs` });
      else if (mode === 'deploy') actions.push({ kind: 'update', ref, existing: this.options.state.get(ref.stack), why: `deploy of stack ${management.id}` });
    }
    for (const ref of existing) {
      if (targeted.has(ref.stack)) continue;
      const left = !stillUnder.has(ref.account);
      const why = !status.has(ref.account) ? `account ${ref.account} left the organization`
        : left ? `account ${ref.account} left the target OUs` : `${ref.account}/${ref.region} is no longer a target`;
      const kind = left && d.autoDeployment.retainStacksOnAccountRemoval ? 'retain' : 'delete';
      actions.push({ kind, ref, existing: this.options.state.get(ref.stack), why });
    }
    const rank = (r: string) => (d.regionOrder.includes(r) ? d.regionOrder.indexOf(r) : d.regionOrder.length);
    return actions.sort((a, b) => rank(a.ref.region) - rank(b.ref.region)
      || a.ref.region.localeCompare(b.ref.region) || a.ref.account.localeCompare(b.ref.account));
  }

  /** Service-managed StackSets are created from the management account (SELF) or a delegated administrator. */
  private checkCaller(management: StackState, d: StackSetDefinition, org: OrganizationView): void {
    const account = management.account;
    if (d.callAs === 'SELF' && account !== org.managementAccountId) {
      throw new Error(`CallAs SELF: stack ${management.id} is in account ${account}, not the organization's management account ${org.managementAccountId}; `
        + 'a service-managed StackSet is created from the management account, or with CallAs DELEGATED_ADMIN from a delegated administrator');
    }
    if (d.callAs === 'DELEGATED_ADMIN' && org.delegatedAdministrators && !org.delegatedAdministrators.includes(account)) {
      throw new Error(`CallAs DELEGATED_ADMIN: account ${account} of stack ${management.id} is not a delegated administrator of the organization `
        + `(delegatedAdministrators: [${org.delegatedAdministrators.join(', ')}])`);
    }
  }

  /** Runs the actions, `concurrency` at a time; a failure is reported and does not stop the others. */
  private async run(actions: readonly Action[], concurrency: number, d?: StackSetDefinition, artifact?: StackArtifact): Promise<StackSetSyncResult> {
    const out = emptyResult();
    const byId = new Map(actions.map(a => [a.ref.stack, a]));
    await runGraph([...byId.keys()], () => [], async id => {
      const action = byId.get(id)!;
      const { ref } = action;
      const where = `instance ${ref.account}/${ref.region}`;
      const verb = action.kind === 'create' ? 'CREATE' : action.kind === 'update' ? 'UPDATE' : 'DELETE';
      try {
        if (action.kind === 'retain') {
          this.retain(action);
          out.retained.push(ref);
          return;
        }
        this.note(ref.managementStack, ref.stackSet, `${where} ${verb}_IN_PROGRESS (${action.why})`);
        if (action.kind === 'delete') {
          if (action.existing) await destroyStack(this.options.context(ref.stack, {}), action.existing);
          out.deleted.push(ref);
          this.note(ref.managementStack, ref.stackSet, `${where} DELETE_COMPLETE`);
          return;
        }
        const instance = this.artifactOf(ref, d!, artifact, action.existing);
        const { outcome } = await new StackDeployment(this.options.context(ref.stack, { ...d!.parameters }), instance).deploy();
        if (outcome === 'CREATE_COMPLETE') out.created.push(ref);
        if (outcome === 'UPDATE_COMPLETE') out.updated.push(ref);
        this.note(ref.managementStack, ref.stackSet, `${where} ${outcome === 'NO_CHANGES' ? 'CURRENT (no changes)' : outcome}`);
      } catch (err) {
        out.failed.push({ ...ref, error: message(err) });
        this.note(ref.managementStack, ref.stackSet, `${where} ${action.kind === 'delete' ? 'DELETE_FAILED' : 'OUTDATED'}: ${message(err)}`);
      }
    }, { stopOnFailure: false, what: 'stack instance', concurrency });
    return out;
  }

  /** The instance's stack: the StackSet's template in the target account and Region, with the management stack's assets. */
  private artifactOf(
    ref: StackSetInstanceRef, d: StackSetDefinition, artifact: StackArtifact | undefined, existing: StackState | undefined,
  ): StackArtifact {
    return {
      id: ref.stack,
      stackName: existing?.stackName ?? `StackSet-${d.name}-${randomUUID()}`,
      displayName: ref.stack,
      account: ref.account,
      region: ref.region,
      dependencies: [],
      templateFile: artifact?.templateFile ?? '',
      template: d.template,
      assemblyDir: artifact?.assemblyDir ?? this.options.assemblyDir,
      fileAssets: artifact?.fileAssets ?? new Map(),
    };
  }

  /** RetainStacksOnAccountRemoval: the instance leaves its StackSet, its stack stays (as a standalone stack, by its name). */
  private retain(action: Action): void {
    const { ref, existing } = action;
    if (existing) {
      this.options.state.remove(ref.stack);
      this.options.state.put({ ...existing, id: existing.stackName, dependencies: [] });
    }
    this.note(ref.managementStack, ref.stackSet, `instance ${ref.account}/${ref.region} removed (${action.why}); `
      + `its stack ${existing?.stackName ?? ref.stack} is retained (RetainStacksOnAccountRemoval)`);
  }

  private note(managementStack: string, stackSet: string, text: string): void {
    this.options.progress.note(managementStack, `StackSet ${stackSet}: ${text}`);
  }

  private warnOnce(text: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.options.progress.note('StackSets', text);
  }
}
