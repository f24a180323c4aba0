/**
 * Drives the connection and acceptance handlers in process the way CloudFormation and Lambda
 * would: events with a RequestId per request, duplicate delivery (concurrent or sequential) of
 * the same event, each invocation run by the real `runCustomResource` (its whole-step retries,
 * its FAILED answers and their physical ids) answering a loopback ResponseURL, first response
 * wins, stack operations with CloudFormation's cleanup and rollback phases.
 *
 * The stack operations model CloudFormation here, in process, rather than through the local
 * deployer (local/deployer/stack-deployment.ts), which applies the same rules to templates and
 * runs the bundled handlers in child processes: this emulation needs what a child process cannot
 * give, a shared endpoint with seeded faults per lane, the SDK's retries on a faster clock, and
 * hundreds of runs a minute. Each rule is written once below: `createStack` (ROLLBACK: `deleteAll`
 * of what was created, a failed Create by the id it answered), `updateStack` (its cleanup of
 * replaced ids), `rollbackUpdate` (UPDATE_ROLLBACK and its cleanup of replacements) and
 * `deleteAll`, as the deployer's `rollbackCreate`, `rollbackUpdate` and cleanup do; the layer-2
 * suite (deployer-faults.test.ts) runs the deployer's own.
 */
import { ProtonClient } from '@aws-sdk/client-proton';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FaultTally, REGION } from './fault-harness';
import { credentialsForAccount } from '../../local/local-credentials';
import type { LocalProton } from '../../local/proton-endpoint';
import { ACCEPTANCE_RESOURCE_TYPE } from '../../src/acceptor/acceptor-contract';
import { onAcceptanceEvent } from '../../src/acceptor/handler/acceptance-lifecycle';
import { CONNECTION_RESOURCE_TYPE } from '../../src/connection/connection-contract';
import { onConnectionEvent } from '../../src/connection/handler/connection-lifecycle';
import { RESPONSE_MARGIN_MS, runCustomResource } from '../../src/handler-runtime/custom-resource-runner';
import { PROTON_MAX_ATTEMPTS, ProtonRetryStrategy } from '../../src/handler-runtime/proton-client';
import { parseStackArn } from '../../src/handler-runtime/stack-arn';
import { ResponseEndpoint } from '../handler-runtime/response-endpoint';

export type Props = Record<string, unknown>;

export interface StackModel {
  readonly name: string;
  readonly account: string;
  readonly stackId: string;
}

/** What CloudFormation remembers about one custom resource. */
export interface ResourceModel {
  readonly stack: StackModel;
  readonly logicalId: string;
  readonly type: typeof CONNECTION_RESOURCE_TYPE | typeof ACCEPTANCE_RESOURCE_TYPE;
  props: Props;
  physicalId?: string;
  data?: Record<string, string>;
}

/** An Update that succeeded: the resource's new properties, physical id and data, and what it had before. */
interface AppliedUpdate {
  readonly res: ResourceModel;
  readonly props: Props;
  readonly physicalId: string;
  readonly data: Record<string, string>;
  readonly before: { readonly props: Props; readonly physicalId: string };
}

export interface CfnResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId: string;
  readonly data: Record<string, string>;
  readonly reason?: string;
}

/** How each event is delivered: chosen per event from the run's PRNG unless forced. */
export type DeliveryMode = 'single' | 'concurrent' | 'sequential';

const SERVICE_TOKEN = (account: string) => `arn:aws:lambda:${REGION}:${account}:function:handler`;
/** What Lambda's context reports at the start of an invocation: a lifecycle deadline 60 s away. */
const DEFAULT_REMAINING_TIME_MS = RESPONSE_MARGIN_MS + 60_000;

export function stackModel(name: string, account: string, seed: number): StackModel {
  const suffix = `${seed.toString(16).padStart(8, '0')}-0000-4000-8000-${name.length.toString(16).padStart(12, '0')}`;
  return { name, account, stackId: `arn:aws:cloudformation:${REGION}:${account}:stack/${name}/${suffix}` };
}

/** The parts of the SDK's default adaptive retry strategy that `compressRetryTime` touches. */
interface AdaptiveStrategyInternals {
  rateLimiter: { getCurrentTimeInSeconds: () => number; constructor: { setTimeoutFn: (fn: () => void, delay: number) => unknown } };
  refreshRetryTokenForRetry: (token: RetryToken, errorInfo: unknown) => Promise<RetryToken>;
  /** Where this SDK version computes (and sleeps) the backoff. */
  standardRetryStrategy?: { retryBackoffStrategy?: { computeNextBackoffDelay: (attempt: number) => number } };
}
interface RetryToken {
  getRetryDelay(): number;
}

/**
 * Runs the client's own retry strategy (the SDK's default adaptive strategy: same attempts,
 * retry quota, error classification and client-side rate limiter) on a clock `scale` times
 * faster: backoff sleeps and rate-limiter waits are divided by `scale`, and the limiter measures
 * time on the same fast clock. Nothing else changes; scale 1 leaves the client untouched.
 */
export async function compressRetryTime(client: ProtonClient, scale: number): Promise<void> {
  if (scale === 1) return;
  const configured = (await client.config.retryStrategy()) as unknown;
  // the handlers' ProtonRetryStrategy hands every answer but "service gone" to the SDK's adaptive strategy
  const strategy = (configured instanceof ProtonRetryStrategy ? configured.adaptive : configured) as unknown as AdaptiveStrategyInternals;
  if (!strategy.rateLimiter || typeof strategy.refreshRetryTokenForRetry !== 'function') {
    throw new Error('compressRetryTime: the client does not use the SDK\'s adaptive retry strategy');
  }
  const t0 = Date.now();
  strategy.rateLimiter.getCurrentTimeInSeconds = () => (t0 + (Date.now() - t0) * scale) / 1000;
  strategy.rateLimiter.constructor.setTimeoutFn = (fn, delay) => setTimeout(fn, delay / scale);
  const backoff = strategy.standardRetryStrategy?.retryBackoffStrategy;
  if (!backoff) throw new Error('compressRetryTime: unknown SDK retry strategy layout');
  const compute = backoff.computeNextBackoffDelay.bind(backoff);
  backoff.computeNextBackoffDelay = (attempt) => compute(attempt) / scale;
  const refresh = strategy.refreshRetryTokenForRetry.bind(strategy);
  strategy.refreshRetryTokenForRetry = async (token, errorInfo) => {
    const next = await refresh(token, errorInfo);
    const scaled = Object.create(next) as RetryToken;
    scaled.getRetryDelay = () => next.getRetryDelay() / scale;
    return scaled;
  };
}

export interface EmulationOptions {
  /** Every event delivered this way; default: chosen per event. */
  readonly forcedMode?: DeliveryMode;
  /** The SDK's retry clock runs this much faster (see `compressRetryTime`); default 1. */
  readonly timeScale?: number;
  /**
   * What Lambda's context reports as remaining at the start of each invocation: the runner stops
   * running steps again `RESPONSE_MARGIN_MS` before it. Default: 70 s (a 60 s deadline).
   */
  readonly remainingTimeMs?: number;
}

export class CloudFormationEmulation {
  public readonly log: string[] = [];
  private readonly clients = new Map<string, Promise<ProtonClient>>();
  private responses?: Promise<ResponseEndpoint>;
  private requests = 0;
  private invocations = 0;

  constructor(
    private readonly seed: number,
    private readonly endpoint: LocalProton,
    private readonly tally: FaultTally,
    private readonly random: () => number,
    private readonly options: EmulationOptions = {},
  ) {}

  /**
   * One client per account per run (a warm Lambda container), configured as `createProtonClient()`
   * is (its retry strategy, 10 attempts). With `timeScale` its clock runs faster (see `compressRetryTime`).
   */
  public client(account: string): Promise<ProtonClient> {
    let client = this.clients.get(account);
    if (!client) {
      const created = new ProtonClient({
        endpoint: this.endpoint.url,
        region: REGION,
        credentials: credentialsForAccount(account),
        retryStrategy: new ProtonRetryStrategy(PROTON_MAX_ATTEMPTS),
      });
      client = compressRetryTime(created, this.options.timeScale ?? 1).then(() => created);
      this.clients.set(account, client);
    }
    return client;
  }

  /** Destroys the clients and closes the response endpoint. */
  public async close(): Promise<void> {
    for (const client of this.clients.values()) (await client).destroy();
    this.clients.clear();
    const responses = this.responses;
    this.responses = undefined;
    if (responses) await (await responses).close();
  }

  /** A new request (deterministic RequestId per seed and request number). */
  public event(
    requestType: 'Create' | 'Update' | 'Delete',
    resource: ResourceModel,
    props: Props,
    physicalId?: string,
    oldProps?: Props,
  ): CloudFormationCustomResourceEvent {
    this.requests += 1;
    const requestId = `${this.seed.toString(16).padStart(8, '0')}-${this.requests.toString(16).padStart(4, '0')}-4000-8000-000000000000`;
    const base = {
      ServiceToken: SERVICE_TOKEN(resource.stack.account),
      ResponseURL: 'http://127.0.0.1:9/unused',
      StackId: resource.stack.stackId,
      RequestId: requestId,
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ResourceProperties: { ServiceToken: SERVICE_TOKEN(resource.stack.account), ...props },
    };
    if (requestType === 'Create') return { ...base, RequestType: 'Create' };
    if (requestType === 'Delete') return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalId! };
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: physicalId!,
      OldResourceProperties: { ServiceToken: SERVICE_TOKEN(resource.stack.account), ...oldProps },
    };
  }

  /** Delivers an event once or twice (same object, same RequestId); CloudFormation keeps the first response. */
  public async deliver(event: CloudFormationCustomResourceEvent): Promise<CfnResponse> {
    const r = this.random();
    const mode: DeliveryMode = this.options.forcedMode ?? (r < 0.5 ? 'single' : r < 0.75 ? 'concurrent' : 'sequential');
    if (mode === 'single') return this.invoke(event);
    this.tally.duplicateDeliveries += 1;
    const responses: CfnResponse[] = [];
    if (mode === 'concurrent') {
      await Promise.all([0, 1].map(async () => {
        responses.push(await this.invoke(event));
      }));
    } else {
      responses.push(await this.invoke(event));
      responses.push(await this.invoke(event));
    }
    const [first, second] = responses;
    if (first.status === 'SUCCESS' && second.status === 'SUCCESS' && first.physicalId !== second.physicalId) {
      this.tally.violation(this.seed, 'duplicates',
        `${mode} duplicate delivery of ${event.RequestType} ${event.LogicalResourceId} (${event.RequestId}) answered two physical ids: ${first.physicalId} and ${second.physicalId}`);
    }
    return first;
  }

  /**
   * One Lambda invocation: the real `runCustomResource` around the lifecycle, and what it answered
   * CloudFormation. A step it runs again after a transient failure is counted.
   */
  private async invoke(event: CloudFormationCustomResourceEvent): Promise<CfnResponse> {
    const responses = await (this.responses ??= ResponseEndpoint.start());
    const name = `${event.RequestId}#${++this.invocations}`;
    const context = { getRemainingTimeInMillis: () => this.options.remainingTimeMs ?? DEFAULT_REMAINING_TIME_MS };
    let lastFailure: string | undefined;
    await runCustomResource({ ...event, ResponseURL: responses.url(name) }, context, async (request, deadline) => {
      if (lastFailure !== undefined) {
        this.tally.stepRetries += 1;
        this.tally.stepRetryReasons.push(`seed ${this.seed} ${event.RequestType} ${event.LogicalResourceId}: ${lastFailure}`);
      }
      try {
        return await this.lifecycle(request, deadline);
      } catch (error) {
        lastFailure = error instanceof Error ? error.message : String(error);
        throw error;
      }
    }, { log: (line) => this.log.push(`  ${event.LogicalResourceId}: ${line}`) });
    const answers = responses.responsesTo(name);
    if (answers.length !== 1) throw new Error(`${event.RequestType} ${event.LogicalResourceId}: ${answers.length} responses to one invocation`);
    const answer = answers[0].body as { Status: 'SUCCESS' | 'FAILED'; PhysicalResourceId: string; Data?: Record<string, string>; Reason?: string };
    if (answer.Status === 'FAILED') this.tally.failedResponses += 1;
    this.log.push(`${event.RequestType} ${event.LogicalResourceId} ${answer.Status} ${answer.PhysicalResourceId}${answer.Reason ? `: ${answer.Reason}` : ''}`);
    return { status: answer.Status, physicalId: answer.PhysicalResourceId, data: answer.Data ?? {}, reason: answer.Reason };
  }

  private async lifecycle(event: CloudFormationCustomResourceEvent, deadline: number) {
    const deps = {
      proton: await this.client(parseStackArn(event.StackId).account),
      log: (line: string) => this.log.push(`  ${event.LogicalResourceId}: ${line}`),
      poll: { initialDelayMs: 20, maxDelayMs: 200 },
    };
    return event.ResourceType === CONNECTION_RESOURCE_TYPE ? onConnectionEvent(event, deadline, deps) : onAcceptanceEvent(event, deadline, deps);
  }

  // ---- stack operations ----

  /** CREATE: every resource concurrently; on a failure, ROLLBACK deletes everything created (the failed one by its reported id). */
  public async createStack(resources: ResourceModel[]): Promise<{ ok: boolean; rollbackOk: boolean }> {
    const responses = await Promise.all(resources.map(async (res) => {
      const response = await this.deliver(this.event('Create', res, res.props));
      res.physicalId = response.physicalId;
      res.data = response.data;
      return response;
    }));
    if (responses.every((r) => r.status === 'SUCCESS')) return { ok: true, rollbackOk: true };
    const rollbackOk = await this.deleteAll(resources);
    return { ok: false, rollbackOk };
  }

  /**
   * UPDATE: the changed resources concurrently; on success UPDATE_COMPLETE_CLEANUP deletes the
   * replaced physical ids, on a failure `rollbackUpdate` undoes the updates that succeeded.
   */
  public async updateStack(changes: Array<{ res: ResourceModel; props: Props }>): Promise<{ ok: boolean; rollbackOk: boolean }> {
    const responses = await Promise.all(changes.map(({ res, props }) =>
      this.deliver(this.event('Update', res, props, res.physicalId, res.props))));
    const updated: AppliedUpdate[] = [];
    responses.forEach((response, i) => {
      const { res, props } = changes[i];
      if (response.status === 'SUCCESS') updated.push({ res, props, physicalId: response.physicalId, data: response.data, before: { props: res.props, physicalId: res.physicalId! } });
    });
    if (updated.length < changes.length) return { ok: false, rollbackOk: await this.rollbackUpdate(updated) };
    for (const u of updated) {
      u.res.props = u.props;
      u.res.data = u.data;
      u.res.physicalId = u.physicalId;
    }
    const replaced = updated.filter((u) => u.physicalId !== u.before.physicalId);
    const cleanup = await Promise.all(replaced.map((u) =>
      this.deliver(this.event('Delete', u.res, u.before.props, u.before.physicalId))));
    return { ok: true, rollbackOk: cleanup.every((r) => r.status === 'SUCCESS') };
  }

  /**
   * UPDATE_ROLLBACK: the updated resources, last first, get an Update back to their old
   * properties (old and new swapped, on the physical id they have now); where that answers another
   * physical id, UPDATE_ROLLBACK_COMPLETE_CLEANUP deletes the replacement. A resource whose
   * rollback Update fails keeps its new state (UPDATE_ROLLBACK_FAILED).
   */
  private async rollbackUpdate(updated: AppliedUpdate[]): Promise<boolean> {
    let rollbackOk = true;
    const replacements: Array<{ res: ResourceModel; props: Props; physicalId: string }> = [];
    for (const u of [...updated].reverse()) {
      const response = await this.deliver(this.event('Update', u.res, u.before.props, u.physicalId, u.props));
      if (response.status !== 'SUCCESS') {
        rollbackOk = false;
        u.res.props = u.props;
        u.res.physicalId = u.physicalId;
        continue;
      }
      if (response.physicalId !== u.physicalId) replacements.push({ res: u.res, props: u.props, physicalId: u.physicalId });
      u.res.props = u.before.props;
      u.res.physicalId = response.physicalId;
    }
    for (const r of replacements) {
      const response = await this.deliver(this.event('Delete', r.res, r.props, r.physicalId));
      if (response.status !== 'SUCCESS') rollbackOk = false;
    }
    return rollbackOk;
  }

  /** DELETE (or rollback of a create): every resource with a physical id, concurrently. */
  public async deleteAll(resources: ResourceModel[]): Promise<boolean> {
    const responses = await Promise.all(resources.filter((res) => res.physicalId).map(async (res) => {
      const response = await this.deliver(this.event('Delete', res, res.props, res.physicalId));
      if (response.status === 'SUCCESS') res.physicalId = undefined;
      return response;
    }));
    return responses.every((r) => r.status === 'SUCCESS');
  }
}
