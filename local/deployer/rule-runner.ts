/**
 * EventBridge for the rules that exist (event-rules.ts): schedule rules fire on a clock that only moves when told
 * (`tick()`) or, with a speed-up, while the rules run; event-pattern rules on the default bus get the local AWS
 * Proton endpoint's status-change events for their account and Region. A target that is a Lambda function of the
 * rule's stack is invoked asynchronously (lambda-invocation.ts) with the target's Input, the InputPath's part of the
 * event, or the event; its result or error is logged and kept (`invocations()`).
 *
 * The rules run (events are polled, a sped-up clock advances) while a `deploy()` or `destroy()` of the deployer is
 * running and between `start()` and `stop()`; otherwise nothing fires unless `tick()` or `deliverEvents()` is called.
 * Operations wait for the invocations they started; `stop()` and `close()` leave no timer and no process behind.
 */
import { randomUUID } from 'crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ResourceState } from './deploy-state';
import { matchesPattern } from './event-patterns';
import { DeployedRule, RuleTarget, rulesOf, selectPath } from './event-rules';
import { findFunction, invokeAsync, LambdaContext } from './lambda-invocation';
import type { StackView } from './live-stacks';
import { getLoopbackJson, loopbackOrigin } from './loopback-http';
import { formatData, Progress } from './progress';

/**
 * How the schedule clock moves: `'manual'` (only `tick()` moves it), or `{ speedup: n }`: also n ms of schedule time
 * per real ms while the rules run. It starts at the deployer's creation time.
 */
export type ScheduleClock = 'manual' | { readonly speedup: number };

/** An EventBridge event (AWS Proton's status changes, a scheduled event). */
export type RuleEvent = EventBridgeEvent<string, unknown>;

/** Where the status-change events of the local AWS Proton endpoint are read (its `admin`, or over HTTP). */
export interface ProtonEventSource {
  /** Every event delivered to the default bus of `account`, oldest first. */
  events(filter: { account: string }): readonly RuleEvent[] | Promise<readonly RuleEvent[]>;
}

/** One invocation of a rule target (with its retries). */
export interface RuleInvocation {
  /** The stack's artifact id. */
  readonly stack: string;
  /** The rule's logical id. */
  readonly rule: string;
  /** The target's Id. */
  readonly target: string;
  readonly trigger: 'schedule' | 'event';
  /** The scheduled time (schedule clock) or the event's time. */
  readonly at: Date;
  /** The id of the event (the Proton event's, or the scheduled event's). */
  readonly eventId: string;
  /** What the handler got: the target's Input, the InputPath's part of the event, or the event. */
  readonly input: unknown;
  /** `not-delivered`: the target could not be invoked at all (not a function of the stack, no permission, ...). */
  readonly outcome: 'succeeded' | 'failed' | 'not-delivered';
  /** How many times the handler ran (Lambda retries a function error). */
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A rule that exists, as `rules.list()` shows it. */
export interface RuleInfo {
  readonly stack: string;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly arn: string;
  readonly enabled: boolean;
  readonly scheduleExpression?: string;
  readonly eventPattern?: Readonly<Record<string, unknown>>;
  /** When the schedule next fires, on the schedule clock. */
  readonly nextFireAt?: Date;
  /** Why it never fires here, if it does not. */
  readonly notEmulated?: string;
  readonly targets: readonly string[];
}

export interface LocalRulesOptions {
  readonly clock: ScheduleClock;
  /** How often events are polled (and a sped-up clock is looked at) while the rules run. */
  readonly pollIntervalMs: number;
  /** Undefined: no events are delivered. */
  readonly events?: ProtonEventSource;
  /** The stacks that exist now. */
  readonly stacks: () => StackView[];
  readonly lambda: LambdaContext;
  readonly progress: Progress;
}

/** Lambda's default retries of an asynchronous invocation that failed (`MaximumRetryAttempts` of EventInvokeConfig). */
const LAMBDA_ASYNC_RETRIES = 2;
/** At most this many target invocations run at once; the others wait. */
const MAX_CONCURRENT_INVOCATIONS = 4;
/** The longest result printed in a log line. */
const MAX_LOGGED = 400;

interface Anchor {
  readonly anchor: number;
  next: number | undefined;
}

/** The events of an account already read (the first read of an account only records what is there). */
interface Cursor {
  readonly seen: Set<string>;
}

export class LocalRules {
  private readonly speedup: number;
  private clockMs = Date.now();
  private runningSince: number | undefined;
  private holds = 0;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly anchors = new Map<string, Anchor>();
  private readonly cursors = new Map<string, Cursor>();
  private polling: Promise<Array<Promise<RuleInvocation>>> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly history: RuleInvocation[] = [];
  private readonly notes = new Set<string>();
  private readonly pollErrors = new Map<string, string>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: LocalRulesOptions) {
    const { clock } = options;
    if (clock !== 'manual' && !(typeof clock === 'object' && typeof clock.speedup === 'number' && clock.speedup > 0 && Number.isFinite(clock.speedup))) {
      throw new Error(`LocalDeployerOptions.scheduleClock must be 'manual' or { speedup: <a positive number> } (got ${JSON.stringify(clock)})`);
    }
    this.speedup = clock === 'manual' ? 0 : clock.speedup;
  }

  /** The schedule clock's time. */
  now(): Date {
    return new Date(this.clock());
  }

  /** The rules that exist, with when each schedule next fires. */
  list(): RuleInfo[] {
    return this.observe().map(r => {
      const anchor = this.anchors.get(anchorKey(r));
      return {
        stack: r.stack,
        logicalId: r.logicalId,
        physicalId: r.physicalId,
        arn: r.arn,
        enabled: r.enabled,
        ...(r.schedule ? { scheduleExpression: r.schedule.expression } : {}),
        ...(r.pattern ? { eventPattern: r.pattern } : {}),
        ...(anchor?.next !== undefined ? { nextFireAt: new Date(anchor.next) } : {}),
        ...(r.notEmulated ? { notEmulated: r.notEmulated } : {}),
        targets: r.targets.map(t => t.id),
      };
    });
  }

  /**
   * Moves the schedule clock by `ms` (default: to the time the next schedule fires; nothing happens when none is due
   * ever), fires every enabled schedule rule that came due (once, however many periods passed) and resolves with
   * their target invocations once they ended.
   */
  async tick(ms?: number): Promise<RuleInvocation[]> {
    const rules = this.observe();
    let to: number;
    if (ms === undefined) {
      const nexts = rules.filter(r => r.schedule && r.enabled)
        .map(r => this.anchors.get(anchorKey(r))?.next)
        .filter((n): n is number => n !== undefined);
      if (nexts.length === 0) return [];
      to = Math.max(this.clock(), Math.min(...nexts));
    } else {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new Error(`rules.tick(ms): ms must be a non-negative number of milliseconds (got ${String(ms)})`);
      to = this.clock() + ms;
    }
    this.setClock(to);
    return Promise.all(this.fireDue(rules));
  }

  /** Reads the new AWS Proton events now, delivers them to the rules they match and resolves when their targets ended. */
  async deliverEvents(): Promise<RuleInvocation[]> {
    // a background read that started before this call may have missed what was just filed
    if (this.polling) await Promise.all(await this.polling);
    return Promise.all(await this.poll());
  }

  /** Runs the rules in the background (events, a sped-up clock) until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.hold();
  }

  /** Ends `start()` and waits for the invocations that are running. */
  async stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      this.release();
    }
    await this.idle();
  }

  /** Every target invocation so far, oldest first. */
  invocations(): RuleInvocation[] {
    return [...this.history];
  }

  /** Resolves when no event poll and no target invocation is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.polling) {
      await Promise.allSettled([...this.inFlight, ...(this.polling ? [this.polling] : [])]);
    }
  }

  /**
   * Runs the rules while `operation` runs (a deploy or destroy), reads the events once more when it ended (so that
   * the rules it created watch their account from then on), and waits for the invocations it caused.
   */
  async during<T>(operation: () => Promise<T>): Promise<T> {
    this.hold();
    try {
      return await operation();
    } finally {
      this.release();
      await this.idle();
      await Promise.all(await this.poll());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private clock(): number {
    return this.runningSince !== undefined && this.speedup > 0 ? this.clockMs + (Date.now() - this.runningSince) * this.speedup : this.clockMs;
  }

  private setClock(ms: number): void {
    this.clockMs = ms;
    if (this.runningSince !== undefined) this.runningSince = Date.now();
  }

  private hold(): void {
    if (this.holds++ > 0) return;
    this.runningSince = Date.now();
    this.timer = setInterval(() => this.step(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  private release(): void {
    if (this.holds === 0 || --this.holds > 0) return;
    this.clockMs = this.clock();
    this.runningSince = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of the background loop. */
  private step(): void {
    try {
      const rules = this.observe();
      // the invocations are tracked (idle() waits for them)
      if (this.speedup > 0) void Promise.all(this.fireDue(rules));
      if (!this.polling) void this.poll();
    } catch (err) {
      this.noteOnce('rules', `WARNING the rules could not be run: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The rules that exist; schedules seen for the first time start now (on the schedule clock). */
  private observe(): DeployedRule[] {
    const rules = rulesOf(this.options.stacks());
    const keys = new Set<string>();
    for (const r of rules) {
      if (!r.schedule) continue;
      const key = anchorKey(r);
      keys.add(key);
      if (!this.anchors.has(key)) {
        const now = this.clock();
        this.anchors.set(key, { anchor: now, next: r.schedule.next(now, now) });
      }
    }
    for (const key of this.anchors.keys()) if (!keys.has(key)) this.anchors.delete(key);
    return rules;
  }

  /** Fires the enabled schedule rules that are due on the clock. */
  private fireDue(rules: readonly DeployedRule[]): Array<Promise<RuleInvocation>> {
    const now = this.clock();
    const invocations: Array<Promise<RuleInvocation>> = [];
    for (const rule of rules) {
      const anchor = rule.schedule ? this.anchors.get(anchorKey(rule)) : undefined;
      if (!rule.schedule || !anchor || anchor.next === undefined || anchor.next > now) continue;
      const at = anchor.next;
      anchor.next = rule.schedule.next(now, anchor.anchor);
      if (!rule.enabled || rule.notEmulated) continue;
      const event: RuleEvent = {
        'version': '0',
        'id': randomUUID(),
        'detail-type': 'Scheduled Event',
        'source': 'aws.events',
        'account': rule.account,
        'time': isoSeconds(at),
        'region': rule.region,
        'resources': [rule.arn],
        'detail': {},
      };
      invocations.push(...this.dispatch(rule, 'schedule', event, new Date(at)));
    }
    return invocations;
  }

  /** Reads the new events of every account with an event-pattern rule and dispatches them (one read at a time). */
  private poll(): Promise<Array<Promise<RuleInvocation>>> {
    if (this.polling) return this.polling;
    const polling = this.readAndDispatch().catch((err: unknown) => {
      this.noteOnce('rules', `WARNING the event rules could not be run: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }).finally(() => {
      if (this.polling === polling) this.polling = undefined;
    });
    this.polling = polling;
    return polling;
  }

  private async readAndDispatch(): Promise<Array<Promise<RuleInvocation>>> {
    const source = this.options.events;
    const listening = (r: DeployedRule) => r.pattern !== undefined && r.enabled && r.defaultBus && !r.notEmulated;
    const rules = this.observe().filter(listening);
    if (!source || rules.length === 0) return [];
    const invocations: Array<Promise<RuleInvocation>> = [];
    for (const account of new Set(rules.map(r => r.account))) {
      let events: readonly RuleEvent[];
      try {
        events = await source.events({ account });
        this.pollErrors.delete(account);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        if (this.pollErrors.get(account) !== text) {
          this.pollErrors.set(account, text);
          this.options.progress.note(rules.find(r => r.account === account)!.stack, `WARNING could not read AWS Proton's events for account ${account}: ${text} (read again every ${this.options.pollIntervalMs} ms)`);
        }
        continue;
      }
      const cursor = this.cursors.get(account);
      if (!cursor) {
        // the first read: what is there happened before the rules of the account were watched, and is not delivered
        this.cursors.set(account, { seen: new Set(events.map(e => e.id)) });
        continue;
      }
      for (const event of events) {
        if (cursor.seen.has(event.id)) continue;
        cursor.seen.add(event.id);
        // the rules as they are when the event arrives
        for (const rule of this.observe().filter(listening)) {
          if (rule.account !== event.account || rule.region !== event.region || !matchesPattern(rule.pattern!, event)) continue;
          invocations.push(...this.dispatch(rule, 'event', event, new Date(Date.parse(event.time))));
        }
      }
    }
    return invocations;
  }

  /** Invokes every target of `rule` with `event`; the invocations are tracked until they end. */
  private dispatch(rule: DeployedRule, trigger: RuleInvocation['trigger'], event: RuleEvent, at: Date): Array<Promise<RuleInvocation>> {
    return rule.targets.map(target => {
      const invocation = this.invokeTarget(rule, target, trigger, event, at).then(result => {
        this.history.push(result);
        this.report(rule, result, event);
        return result;
      });
      this.inFlight.add(invocation);
      void invocation.finally(() => this.inFlight.delete(invocation));
      return invocation;
    });
  }

  private async invokeTarget(rule: DeployedRule, target: RuleTarget, trigger: RuleInvocation['trigger'], event: RuleEvent, at: Date): Promise<RuleInvocation> {
    const input = target.input !== undefined ? target.input : target.inputPath !== undefined ? selectPath(event, target.inputPath) : event;
    const base = { stack: rule.stack, rule: rule.logicalId, target: target.id, trigger, at, eventId: event.id, input };
    const notDelivered = (error: string): RuleInvocation => ({ ...base, outcome: 'not-delivered', attempts: 0, error });
    if (target.transformed) return notDelivered('InputTransformer is not emulated by the local deployer: the target is not invoked');
    const fn = findFunction(target.arn, rule.stackResources);
    if (fn && !permitsEventBridge(rule, fn)) {
      return notDelivered(`no AWS::Lambda::Permission of stack ${rule.stack} lets events.amazonaws.com invoke ${fn.physicalId} for ${rule.arn}`);
    }
    const retries = fn ? asyncRetries(rule.stackResources, fn) : 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      let result;
      try {
        result = await this.limited(() => invokeAsync(this.options.lambda, {
          label: rule.stack,
          account: rule.account,
          region: rule.region,
          source: rule.logicalId,
          what: `target ${target.id} (${target.arn}) of rule ${rule.logicalId}`,
          fn,
          event: input,
        }));
      } catch (err) {
        // the handler process could not be started at all
        return notDelivered(err instanceof Error ? err.message : String(err));
      }
      if (result.ok) return { ...base, outcome: 'succeeded', attempts, result: result.result };
      // a target that cannot be invoked at all would fail the same way on every retry of its RetryPolicy
      if (!result.delivered) return notDelivered(result.error);
      if (attempts > retries) return { ...base, outcome: 'failed', attempts, error: result.error };
    }
  }

  /** Runs `fn` when fewer than MAX_CONCURRENT_INVOCATIONS run. */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_INVOCATIONS) await new Promise<void>(resolve => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private report(rule: DeployedRule, r: RuleInvocation, event: RuleEvent): void {
    const why = r.trigger === 'schedule'
      ? `schedule ${rule.schedule?.expression} at ${isoSeconds(r.at.getTime())}`
      : `${event.source} "${event['detail-type']}" ${event.id}${describeDetail(event.detail)}`;
    const what = r.outcome === 'succeeded'
      ? `succeeded${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}: ${clip(JSON.stringify(r.result))}`
      : r.outcome === 'failed' ? `FAILED after ${r.attempts} attempt${r.attempts > 1 ? 's' : ''}: ${r.error}` : `NOT DELIVERED: ${r.error}`;
    this.options.progress.note(r.stack, `${r.rule} (${why}) -> target ${r.target}: ${what}`);
  }

  private noteOnce(stack: string, text: string): void {
    if (this.notes.has(`${stack}|${text}`)) return;
    this.notes.add(`${stack}|${text}`);
    this.options.progress.note(stack, text);
  }
}

function anchorKey(rule: DeployedRule): string {
  return `${rule.stack}|${rule.logicalId}|${rule.physicalId}|${rule.schedule?.expression ?? ''}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function clip(text: string | undefined): string {
  const t = text ?? 'null';
  return t.length > MAX_LOGGED ? `${t.slice(0, MAX_LOGGED)}...` : t;
}

function describeDetail(detail: unknown): string {
  return detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? ` ${formatData(detail as Record<string, unknown>)}` : '';
}

/** Whether a permission of the rule's stack lets EventBridge invoke `fn` for the rule. */
function permitsEventBridge(rule: DeployedRule, fn: ResourceState): boolean {
  const names = new Set([fn.physicalId, String(fn.attributes.Arn)]);
  return Object.values(rule.stackResources).some(r => r.type === 'AWS::Lambda::Permission'
    && r.properties.Principal === 'events.amazonaws.com'
    && ['lambda:InvokeFunction', 'lambda:*'].includes(String(r.properties.Action))
    && names.has(String(r.properties.FunctionName))
    && (r.properties.SourceArn === undefined || r.properties.SourceArn === rule.arn));
}

/** Lambda's retries of the function's failed asynchronous invocations: its EventInvokeConfig's, else Lambda's default. */
function asyncRetries(resources: Readonly<Record<string, ResourceState>>, fn: ResourceState): number {
  const names = new Set([fn.physicalId, String(fn.attributes.Arn)]);
  const config = Object.values(resources).find(r => r.type === 'AWS::Lambda::EventInvokeConfig' && names.has(String(r.properties.FunctionName))
    && (r.properties.Qualifier === undefined || r.properties.Qualifier === '$LATEST'));
  const retries = Number(config?.properties.MaximumRetryAttempts ?? LAMBDA_ASYNC_RETRIES);
  return Number.isInteger(retries) && retries >= 0 ? retries : LAMBDA_ASYNC_RETRIES;
}

/**
 * The events of the local AWS Proton endpoint at `endpointUrl`, read over HTTP (`GET /_local/events?account=`), or
 * undefined when the url is not a loopback http url (such as a real or unresolvable Proton endpoint).
 */
export function httpProtonEvents(endpointUrl: string): ProtonEventSource | undefined {
  const origin = loopbackOrigin(endpointUrl);
  if (!origin) return undefined;
  return {
    events: async ({ account }) => {
      const body = await getLoopbackJson(origin, `/_local/events?account=${encodeURIComponent(account)}`) as { events?: RuleEvent[] };
      return body.events ?? [];
    },
  };
}
