/**
 * The local deployer: executes a synthesized CDK cloud assembly the way CloudFormation would (see README.md).
 */
import { credentialsForAccount as localCredentials } from '../local-credentials';
import { assertConcreteEnvironment, readCloudAssembly, StackArtifact } from './cloud-assembly';
import { DeployState, OutputState, ResourceState, StackState } from './deploy-state';
import type { LocalServices } from './lambda-invocation';
import { LiveStacks } from './live-stacks';
import { httpOrganization, OrganizationSource } from './organization-view';
import { DeployEvent, Progress } from './progress';
import { dependents, runGraph } from './resource-graph';
import { httpProtonEvents, LocalRules, LocalRulesOptions, ProtonEventSource, ScheduleClock } from './rule-runner';
import { LocalSsmEndpoint } from './ssm-endpoint';
import { parametersIn, StoredParameter } from './ssm-parameters';
import { destroyStack } from './stack-deletion';
import { StackDeployment } from './stack-deployment';
import type { StackOperationContext, StackOutcome } from './stack-operation';
import { cliOrder, findStack, selectStacks } from './stack-order';
import { StackSets, StackSetSyncResult, validateStackSets } from './stack-sets';

/** Why `deploy()` and `destroy()` refuse to run without a local endpoint in `LocalDeployerOptions.environment`. */
export const NO_LOCAL_ENDPOINT = 'the local deployer never calls AWS: give handlers a local endpoint '
  + '(environment.AWS_ENDPOINT_URL_PROTON, e.g. the url of startLocalProton(); CLI: --endpoint URL)';

export interface LocalDeployerOptions {
  /** The cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /** Persisted deployment state (JSON). In memory when omitted. */
  readonly stateFile?: string;
  /**
   * Extra environment for every handler process. It must point the handlers' SDK at a local endpoint:
   * `AWS_ENDPOINT_URL_PROTON` (e.g. the url of `startLocalProton()`) or `AWS_ENDPOINT_URL`; `deploy()` and `destroy()`
   * refuse to run without one. Handlers are offline whatever it says: a non-loopback endpoint such as
   * `https://proton.us-east-1.amazonaws.com` makes every call fail with `getaddrinfo ENOTFOUND` (see README.md).
   * A `NODE_OPTIONS` given here (or by the function) is kept; the deployer appends its offline preload to it.
   */
  readonly environment?: Record<string, string>;
  /** Credentials put in a handler's environment for the stack's account. Default: the `LOCAL<account>` convention. */
  readonly credentialsForAccount?: (account: string) => { accessKeyId: string; secretAccessKey: string };
  /** Progress lines. Default: console.log. */
  readonly log?: (line: string) => void;
  /** Structured progress events (the same as the lines). */
  readonly onEvent?: (event: DeployEvent) => void;
  /** Deliver every custom resource event twice (same RequestId), concurrently; the first response wins. */
  readonly duplicateDelivery?: boolean;
  /** Cap (ms) on a function's Timeout. Default: no cap (the function's Timeout, 3 s when unset). */
  readonly handlerTimeoutMs?: number;
  /** Template parameter values, by stack id (or stack name), then parameter name. */
  readonly parameters?: Record<string, Record<string, string>>;
  /**
   * How many stack operations one `deploy()` or `destroy()` call runs at once. Default 1, like `cdk deploy`: one
   * stack at a time, in dependency order, independent stacks in the CDK CLI's order (dependency rounds, each sorted
   * by artifact id); `destroy()` in the reverse order. More (like `cdk deploy --concurrency N`) lets independent stacks
   * overlap. Must be a positive integer. Independent resources within a stack always run concurrently, as
   * CloudFormation runs them. Separate `deploy()`/`destroy()` calls are not serialized against each other.
   */
  readonly concurrency?: number;
  /**
   * How the clock of the deployed schedule rules (`ScheduleExpression`) moves: `'manual'` (default: only
   * `rules.tick()` moves it, so nothing fires behind a test's back), or `{ speedup: n }`: also n ms of schedule time
   * per real ms while the rules run (during `deploy()`/`destroy()`, and between `rules.start()` and `rules.stop()`).
   */
  readonly scheduleClock?: ScheduleClock;
  /**
   * Where the deployed event-pattern rules get AWS Proton's status-change events: a local endpoint's admin API in
   * process (`proton.admin` of `startLocalProton()`), or `false` for none. Default: read over HTTP
   * (`GET /_local/events?account=`) from `environment.AWS_ENDPOINT_URL_PROTON` (or `AWS_ENDPOINT_URL`) when that is a
   * loopback http url; none otherwise.
   */
  readonly protonEvents?: ProtonEventSource | false;
  /** How often events are read while the rules run (ms), and the organization for StackSet auto-deployment. Default 100. */
  readonly eventPollIntervalMs?: number;
  /**
   * Where service-managed StackSets (`AWS::CloudFormation::StackSet`) find the organization they deploy to: a local
   * endpoint's Organizations admin in process (`proton.admin.organizations` of `startLocalProton({ organization })`,
   * or any object with an `organization()` method returning that snapshot), or `false` for none (deploying a StackSet
   * then fails). Default: read over HTTP (`GET /_local/organizations`) from `environment.AWS_ENDPOINT_URL_ORGANIZATIONS`
   * (else `AWS_ENDPOINT_URL_PROTON`, else `AWS_ENDPOINT_URL`) when that is a loopback http url. See README.md, StackSets.
   */
  readonly organization?: OrganizationSource | false;
}

/**
 * Checks a stack concurrency (a positive integer, or a string of digits from a command line) and returns it as a
 * number. `name` is the option or flag the value came from, for the error message.
 */
export function checkConcurrency(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive integer (got ${typeof value === 'string' ? JSON.stringify(value) : String(value)})`);
  }
  return n;
}

export interface StackDeployResult {
  readonly stackId: string;
  readonly outcome: StackOutcome;
  readonly outputs: Record<string, string>;
  /** What the reconcile of the stack's StackSets did (stacks with StackSet resources or instances only). */
  readonly stackSets?: StackSetSyncResult;
}

export interface DeployResult {
  /** By stack artifact id. */
  readonly stacks: Record<string, StackDeployResult>;
}

export class LocalDeployer {
  /**
   * The EventBridge rules of the deployed stacks: `tick(ms?)` moves the schedule clock and fires what came due,
   * `deliverEvents()` delivers the new AWS Proton events now, `start()`/`stop()` run them in the background,
   * `list()`, `invocations()` and `now()` tell what there is and what happened (see README.md).
   */
  readonly rules: LocalRules;
  private readonly state: DeployState;
  private readonly live: LiveStacks;
  private readonly ssm: LocalSsmEndpoint;
  private readonly services: LocalServices;
  private readonly progress: Progress;
  private readonly busy = new Set<string>();
  private readonly concurrency: number;
  private readonly stackSets: StackSets;

  constructor(private readonly options: LocalDeployerOptions) {
    this.concurrency = options.concurrency === undefined ? 1 : checkConcurrency(options.concurrency, 'LocalDeployerOptions.concurrency');
    this.state = new DeployState(options.stateFile);
    this.live = new LiveStacks(this.state);
    this.progress = new Progress(options.log ?? (line => console.log(line)), options.onEvent);
    this.ssm = new LocalSsmEndpoint({ parameters: (account, region) => this.ssmParameters(account, region) });
    this.services = {
      open: async (account, accessKeyId) => {
        this.ssm.identify(accessKeyId, account);
        const url = await this.ssm.acquire();
        return { env: { AWS_ENDPOINT_URL_SSM: url }, close: () => this.ssm.release() };
      },
    };
    const env = options.environment ?? {};
    const pollIntervalMs = options.eventPollIntervalMs ?? 100;
    if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 1) {
      throw new Error(`LocalDeployerOptions.eventPollIntervalMs must be a positive number of milliseconds (got ${String(options.eventPollIntervalMs)})`);
    }
    const organizationUrl = env.AWS_ENDPOINT_URL_ORGANIZATIONS ?? env.AWS_ENDPOINT_URL_PROTON ?? env.AWS_ENDPOINT_URL ?? '';
    this.stackSets = new StackSets({
      state: this.state,
      progress: this.progress,
      organization: options.organization === false ? 'LocalDeployerOptions.organization is false'
        : options.organization ?? httpOrganization(organizationUrl)
          ?? `no loopback endpoint to read it from (environment.AWS_ENDPOINT_URL_ORGANIZATIONS, AWS_ENDPOINT_URL_PROTON or AWS_ENDPOINT_URL: ${JSON.stringify(organizationUrl)}); `
          + 'start the local endpoint with an organization (startLocalProton({ organization }), cdk-proton-local endpoint --organization FILE) or pass LocalDeployerOptions.organization',
      context: (id, parameters) => ({ ...this.context(id), parameters }),
      artifact: id => {
        try {
          return readCloudAssembly(options.assemblyDir).stacks.find(s => s.id === id);
        } catch {
          return undefined; // the assets are then looked for as asset.<hash> of the assembly directory
        }
      },
      assemblyDir: options.assemblyDir,
      busy: id => this.busy.has(id),
      pollIntervalMs,
    });
    this.rules = new RulesWithAutoDeployment({
      clock: options.scheduleClock ?? 'manual',
      pollIntervalMs,
      events: options.protonEvents === false ? undefined
        : options.protonEvents ?? httpProtonEvents(env.AWS_ENDPOINT_URL_PROTON ?? env.AWS_ENDPOINT_URL ?? ''),
      stacks: () => this.live.all(),
      lambda: this.lambdaContext(),
      progress: this.progress,
    }, this.stackSets);
  }

  /**
   * StackSet auto-deployment now: reconciles every deployed StackSet whose AutoDeployment is enabled against the
   * organization as it is (instances for accounts that joined its OUs, none for those that left), after the
   * reconciles already running; resolves with what it did, instance failures included (`failed`). It also runs by
   * itself when the organization changes while the rules run (`rules.start()`, `deploy()`, `destroy()`).
   */
  async syncStackSets(): Promise<StackSetSyncResult> {
    this.assertLocalEndpoint('syncStackSets');
    return this.stackSets.sync();
  }

  /** Resolves when no StackSet reconcile (auto-deployment in the background included) is running or queued. */
  stackSetsIdle(): Promise<void> {
    return this.stackSets.idle();
  }

  /**
   * Creates or updates the named stacks (all when omitted) in dependency order, `concurrency` stacks at a time (default
   * one). Only the named stacks are deployed (their dependencies must have been deployed already). Rejects with an
   * Error naming the stack and resource that failed; the other independent stacks still complete. A stack with
   * StackSet resources then reconciles their instances (see README.md, StackSets); an instance that fails makes it
   * reject naming the StackSet, account and Region, after the other instances completed. Rejects at once,
   * before running anything, when `environment` gives no local endpoint.
   */
  async deploy(stackNames?: string[]): Promise<DeployResult> {
    this.assertLocalEndpoint('deploy');
    return this.rules.during(() => this.deployStacks(stackNames));
  }

  private async deployStacks(stackNames?: string[]): Promise<DeployResult> {
    const assembly = readCloudAssembly(this.options.assemblyDir);
    const stacks = selectStacks(assembly.stacks, stackNames);
    stacks.forEach(assertConcreteEnvironment);
    const selected = new Set(stacks.map(s => s.id));
    for (const s of stacks) {
      for (const d of s.dependencies) {
        if (!selected.has(d) && !this.state.get(d)) this.progress.note(s.id, `WARNING depends on stack ${d}, which is neither selected nor deployed`);
      }
    }
    const byId = new Map(stacks.map(s => [s.id, s]));
    const results: Record<string, StackDeployResult> = {};
    const run = await runGraph([...byId.keys()], id => byId.get(id)!.dependencies, async id => {
      results[id] = await this.exclusive(id, () => this.deployOne(byId.get(id)!));
    }, { stopOnFailure: false, what: 'stack', concurrency: this.concurrency });
    this.throwIfFailed('deploy', run.failed, run.skipped);
    return { stacks: results };
  }

  /**
   * Deletes the named stacks (all deployed ones when omitted) in reverse dependency order, `concurrency` stacks at a
   * time (default one, in the reverse of the deploy order). A stack's StackSet instances are deleted before it; an
   * instance is not destroyed on its own. Rejects at once when `environment` gives no local endpoint.
   */
  async destroy(stackNames?: string[]): Promise<void> {
    this.assertLocalEndpoint('destroy');
    await this.rules.during(() => this.destroyStacks(stackNames));
  }

  /**
   * Stops the rules (`rules.stop()`), waits for the invocations that are running and for the loopback endpoints to
   * close. The deployer can still be used afterwards.
   */
  async close(): Promise<void> {
    await this.rules.stop();
    await this.ssm.closed();
  }

  /** The SSM parameters that exist in `account` and `region` (those of the deployed stacks), sorted by name. */
  ssmParameters(account: string, region: string): StoredParameter[] {
    return parametersIn(this.live.all(), account, region);
  }

  private async destroyStacks(stackNames?: string[]): Promise<void> {
    const deployed = this.state.all();
    let ids: string[];
    if (stackNames && stackNames.length > 0) {
      let artifacts: StackArtifact[] = [];
      try {
        artifacts = readCloudAssembly(this.options.assemblyDir).stacks;
      } catch {
        // the assembly is not needed to destroy: the state has everything
      }
      ids = stackNames.map(name => {
        const artifact = findStack(artifacts, name);
        const st = deployed.find(s => s.id === name || s.stackName === name) ?? (artifact ? { id: artifact.id } : undefined);
        if (!st) throw new Error(`No stack named "${name}" is deployed or in the cloud assembly`);
        return st.id;
      });
      const instance = ids.map(id => this.stackSets.instance(id)).find(i => i !== undefined);
      if (instance) {
        throw new Error(`Stack ${instance.stack} is the instance of StackSet ${instance.stackSet} in ${instance.account}/${instance.region}: `
          + `destroy its management stack ${instance.managementStack}, or move the account out of the StackSet's organizational units`);
      }
    } else {
      // the instances of deployed StackSets go with their management stack
      ids = deployed.filter(s => !this.stackSets.instance(s.id)).map(s => s.id);
    }
    const depsOf = (id: string) => this.state.get(id)?.dependencies ?? [];
    const order = cliOrder(ids, depsOf).reverse();
    const run = await runGraph(order, dependents(order, depsOf), async id => {
      await this.exclusive(id, async () => {
        const st = this.state.get(id);
        if (!st) {
          this.progress.note(id, 'not deployed, nothing to destroy');
          return;
        }
        if (this.stackSets.manages(st)) await this.stackSets.beforeDestroy(st);
        await destroyStack(this.context(id), st);
      });
    }, { stopOnFailure: false, what: 'stack', concurrency: this.concurrency });
    this.throwIfFailed('destroy', run.failed, run.skipped);
  }

  /** The deployed stack's outputs (name → value). */
  outputs(stackName: string): Record<string, string> {
    return Object.fromEntries(Object.entries(this.stack(stackName).outputs).map(([k, o]) => [k, String(o.value)]));
  }

  /** The deployed stack's exports (export name → value). */
  exports(stackName: string): Record<string, string> {
    return Object.fromEntries(Object.values(this.stack(stackName).outputs).filter(o => o.exportName).map(o => [o.exportName!, String(o.value)]));
  }

  /** A deployed resource's state (physical id, resolved properties, attributes). */
  resource(stackName: string, logicalId: string): ResourceState {
    const r = this.stack(stackName).resources[logicalId];
    if (!r) throw new Error(`Stack ${stackName} has no deployed resource ${logicalId}`);
    return r;
  }

  /** A deployed resource's `Fn::GetAtt` values (a custom resource's Data). */
  resourceAttributes(stackName: string, logicalId: string): Record<string, unknown> {
    return this.resource(stackName, logicalId).attributes;
  }

  /** A deployed resource's physical id (what `Ref` returns). */
  physicalResourceId(stackName: string, logicalId: string): string {
    return this.resource(stackName, logicalId).physicalId;
  }

  /** The deployed stack's state, or undefined when it is not deployed. */
  stackState(stackName: string): StackState | undefined {
    return this.state.all().find(s => s.id === stackName || s.stackName === stackName);
  }

  /** All deployed stacks. */
  deployedStacks(): StackState[] {
    return this.state.all();
  }

  private stack(name: string): StackState {
    const st = this.stackState(name);
    if (!st) throw new Error(`Stack ${name} is not deployed`);
    return st;
  }

  private async deployOne(artifact: StackArtifact): Promise<StackDeployResult> {
    validateStackSets(artifact);
    const { outcome, state } = await new StackDeployment(this.context(artifact.id, artifact.stackName), artifact).deploy();
    const result = { stackId: state.stackId, outcome, outputs: outputValues(state.outputs) };
    if (!this.stackSets.manages(state)) return result;
    return { ...result, stackSets: await this.stackSets.afterDeploy(artifact) };
  }

  private context(id: string, stackName?: string): StackOperationContext {
    const params = this.options.parameters ?? {};
    return {
      ...this.lambdaContext(),
      state: this.state,
      live: this.live,
      parameters: { ...(stackName ? params[stackName] : {}), ...params[id] },
    };
  }

  private lambdaContext() {
    return {
      progress: this.progress,
      credentialsForAccount: this.options.credentialsForAccount ?? localCredentials,
      environment: this.options.environment ?? {},
      duplicateDelivery: this.options.duplicateDelivery ?? false,
      handlerTimeoutMs: this.options.handlerTimeoutMs,
      services: this.services,
    };
  }

  private assertLocalEndpoint(operation: 'deploy' | 'destroy' | 'syncStackSets'): void {
    const env = this.options.environment ?? {};
    const given = (name: string) => typeof env[name] === 'string' && env[name].trim() !== '';
    if (given('AWS_ENDPOINT_URL_PROTON') || given('AWS_ENDPOINT_URL')) return;
    throw new Error(`LocalDeployer.${operation}(): ${NO_LOCAL_ENDPOINT}; LocalDeployerOptions.environment sets neither AWS_ENDPOINT_URL_PROTON nor AWS_ENDPOINT_URL`);
  }

  /** One operation per stack at a time on this deployer. */
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new Error(`Stack ${id} is already being deployed or destroyed by this deployer`);
    this.busy.add(id);
    try {
      return await fn();
    } finally {
      this.busy.delete(id);
    }
  }

  private throwIfFailed(op: string, failed: Map<string, Error>, skipped: string[]): void {
    if (failed.size === 0) return;
    const lines = [...failed.values()].map(e => e.message);
    if (skipped.length > 0) lines.push(`Not ${op === 'deploy' ? 'deployed' : 'destroyed'} because of the failure: ${skipped.join(', ')}`);
    throw new Error(lines.join('\n'));
  }
}

/** The EventBridge rules, with StackSet auto-deployment running whenever they run in the background. */
class RulesWithAutoDeployment extends LocalRules {
  private autoDeploying = false;

  constructor(options: LocalRulesOptions, private readonly stackSets: StackSets) {
    super(options);
  }

  override start(): void {
    super.start();
    if (this.autoDeploying) return;
    this.autoDeploying = true;
    this.stackSets.hold();
  }

  override async stop(): Promise<void> {
    if (this.autoDeploying) {
      this.autoDeploying = false;
      this.stackSets.release();
    }
    await Promise.all([super.stop(), this.stackSets.idle()]);
  }

  override async during<T>(operation: () => Promise<T>): Promise<T> {
    this.stackSets.hold();
    try {
      return await super.during(operation);
    } finally {
      this.stackSets.release();
      await this.stackSets.idle();
    }
  }
}

function outputValues(outputs: Record<string, OutputState>): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, String(o.value)]));
}
