/**
 * The EventBridge rules that exist (the `AWS::Events::Rule` resources of the stacks that exist, see live-stacks.ts):
 * their schedule or event pattern, state, bus and targets, and what EventBridge would refuse when the rule is created.
 */
import type { ResourceState } from './deploy-state';
import { EventPattern, patternProblem } from './event-patterns';
import type { StackView } from './live-stacks';
import { parseScheduleExpression, Schedule } from './schedule-expressions';

export const EVENTS_RULE = 'AWS::Events::Rule';

export interface RuleTarget {
  readonly id: string;
  readonly arn: string;
  /** `Input`, parsed: the constant JSON the target gets instead of the event. */
  readonly input?: unknown;
  /** `InputPath`: the part of the event the target gets (`$`, `$.detail`, `$.detail.id`, ...). */
  readonly inputPath?: string;
  /** `InputTransformer` is not emulated: the target is not invoked. */
  readonly transformed: boolean;
  /** `RetryPolicy.MaximumRetryAttempts` (EventBridge's default 185): retries of a failed delivery, not of function errors. */
  readonly retryAttempts: number;
}

export interface DeployedRule {
  /** The stack's artifact id. */
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly logicalId: string;
  /** The physical id (`name`, or `bus|name` on a custom bus). */
  readonly physicalId: string;
  readonly arn: string;
  readonly enabled: boolean;
  /** The rule is on the account's default event bus (where AWS services send their events). */
  readonly defaultBus: boolean;
  readonly schedule?: Schedule;
  readonly pattern?: EventPattern;
  /** Why the rule never fires here (not emulated), if it does not. */
  readonly notEmulated?: string;
  readonly targets: readonly RuleTarget[];
  /** The resources of its stack (its targets' functions, their permissions). */
  readonly stackResources: Readonly<Record<string, ResourceState>>;
}

/** EventBridge's default `RetryPolicy.MaximumRetryAttempts`. */
export const DEFAULT_RETRY_ATTEMPTS = 185;

/**
 * What EventBridge would answer to creating a rule with these (resolved) properties: `invalid` when it refuses them
 * (the resource fails), otherwise a reason why the local deployer does not run the rule, or undefined.
 */
export function ruleProblem(props: Record<string, unknown>): { readonly invalid: boolean; readonly reason: string } | undefined {
  const { ScheduleExpression: schedule, EventPattern: rawPattern } = props;
  if (schedule === undefined && rawPattern === undefined) return { invalid: true, reason: 'a rule needs a ScheduleExpression or an EventPattern' };
  if (schedule !== undefined) {
    if (typeof schedule !== 'string') return { invalid: true, reason: 'Parameter ScheduleExpression is not valid: it must be a string' };
    const parsed = parseScheduleExpression(schedule);
    if (!parsed.ok) return parsed;
  }
  if (rawPattern !== undefined) {
    const pattern = parsePattern(rawPattern);
    if (pattern === undefined) return { invalid: true, reason: 'Event pattern is not valid: it is not JSON' };
    const problem = patternProblem(pattern);
    if (problem) return problem;
  }
  const targets = props.Targets ?? [];
  if (!Array.isArray(targets)) return { invalid: true, reason: 'Targets must be a list' };
  for (const t of targets as Array<Record<string, unknown>>) {
    if (typeof t?.Id !== 'string' || typeof t.Arn !== 'string') return { invalid: true, reason: 'every target needs an Id and an Arn' };
    if (t.Input !== undefined && parseJson(t.Input) === undefined) return { invalid: true, reason: `target ${t.Id}: Input is not valid JSON` };
    if (t.InputPath !== undefined && !/^\$(\.[A-Za-z0-9_-]+)*$/.test(String(t.InputPath))) {
      return { invalid: false, reason: `target ${t.Id}: InputPath ${String(t.InputPath)} is not emulated (only $ and $.a.b paths are)` };
    }
  }
  return undefined;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

function parsePattern(raw: unknown): unknown {
  return typeof raw === 'string' ? parseJson(raw) : raw;
}

/** The rules of the stacks that exist. */
export function rulesOf(stacks: readonly StackView[]): DeployedRule[] {
  const rules: DeployedRule[] = [];
  for (const stack of stacks) {
    for (const [logicalId, r] of Object.entries(stack.resources)) {
      if (r.type !== EVENTS_RULE) continue;
      const p = r.properties;
      const problem = ruleProblem(p);
      const parsed = typeof p.ScheduleExpression === 'string' ? parseScheduleExpression(p.ScheduleExpression) : undefined;
      const bus = typeof p.EventBusName === 'string' ? p.EventBusName : 'default';
      rules.push({
        stack: stack.id,
        account: stack.account,
        region: stack.region,
        logicalId,
        physicalId: r.physicalId,
        arn: String(r.attributes.Arn),
        enabled: p.State === undefined || String(p.State).startsWith('ENABLED'),
        defaultBus: bus === 'default' || /:event-bus\/default$/.test(bus),
        ...(parsed?.ok ? { schedule: parsed.schedule } : {}),
        ...(p.EventPattern !== undefined && !problem ? { pattern: parsePattern(p.EventPattern) as EventPattern } : {}),
        ...(problem ? { notEmulated: problem.reason } : {}),
        targets: (Array.isArray(p.Targets) ? p.Targets as Array<Record<string, unknown>> : []).map(targetOf),
        stackResources: stack.resources,
      });
    }
  }
  return rules;
}

function targetOf(t: Record<string, unknown>): RuleTarget {
  const retry = (t.RetryPolicy ?? {}) as Record<string, unknown>;
  const attempts = retry.MaximumRetryAttempts === undefined ? DEFAULT_RETRY_ATTEMPTS : Number(retry.MaximumRetryAttempts);
  return {
    id: String(t.Id),
    arn: String(t.Arn),
    ...(t.Input !== undefined ? { input: parseJson(t.Input) } : {}),
    ...(t.InputPath !== undefined ? { inputPath: String(t.InputPath) } : {}),
    transformed: t.InputTransformer !== undefined,
    retryAttempts: Number.isInteger(attempts) && attempts >= 0 ? attempts : DEFAULT_RETRY_ATTEMPTS,
  };
}

/** The part of `event` an InputPath (`$`, `$.a.b`) selects. */
export function selectPath(event: unknown, inputPath: string): unknown {
  let value = event;
  for (const key of inputPath.split('.').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}
