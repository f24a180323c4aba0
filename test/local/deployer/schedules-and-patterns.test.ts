import { matchesPattern, patternProblem } from '../../../local/deployer/event-patterns';
import { ruleProblem } from '../../../local/deployer/event-rules';
import { parseScheduleExpression, Schedule } from '../../../local/deployer/schedule-expressions';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function schedule(expression: string): Schedule {
  const parsed = parseScheduleExpression(expression);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.schedule;
}

/** The next `n` firings after `from` (the rule started at `from`). */
function firings(expression: string, from: string, n = 3): Array<string | undefined> {
  const s = schedule(expression);
  const anchor = at(from);
  const out: Array<string | undefined> = [];
  let t = anchor;
  for (let i = 0; i < n; i++) {
    const next = s.next(t, anchor);
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
}

describe('schedule expressions', () => {
  test('rate: every period from the moment the rule starts', () => {
    expect(firings('rate(15 minutes)', '2026-01-01T10:07:30Z')).toEqual(['2026-01-01T10:22:30.000Z', '2026-01-01T10:37:30.000Z', '2026-01-01T10:52:30.000Z']);
    expect(firings('rate(1 hour)', '2026-01-01T10:00:00Z', 2)).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
    expect(firings('rate(2 days)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T00:00:00.000Z']);
    // however long the clock stood still, the next firing is the next period boundary
    expect(iso(schedule('rate(5 minutes)').next(at('2026-01-01T01:01:00Z'), at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T01:05:00.000Z');
  });

  test('cron: UTC fields, ranges, lists, increments, names, ? in one of the day fields', () => {
    expect(firings('cron(0 12 * * ? *)', '2026-03-01T13:00:00Z', 2)).toEqual(['2026-03-02T12:00:00.000Z', '2026-03-03T12:00:00.000Z']);
    expect(firings('cron(0/15 * * * ? *)', '2026-03-01T13:07:00Z')).toEqual(['2026-03-01T13:15:00.000Z', '2026-03-01T13:30:00.000Z', '2026-03-01T13:45:00.000Z']);
    // 10:15 Monday to Friday (1 is Sunday): 2026-03-06 is a Friday
    expect(firings('cron(15 10 ? * MON-FRI *)', '2026-03-06T11:00:00Z', 2)).toEqual(['2026-03-09T10:15:00.000Z', '2026-03-10T10:15:00.000Z']);
    expect(firings('cron(0 8 1 JAN,JUL ? *)', '2026-03-01T00:00:00Z', 2)).toEqual(['2026-07-01T08:00:00.000Z', '2027-01-01T08:00:00.000Z']);
    // the year field bounds the schedule: after the last Monday or Friday of 2026, it never fires
    expect(firings('cron(30 6 ? * 2,6 2026)', '2026-12-24T07:00:00Z')).toEqual(['2026-12-25T06:30:00.000Z', '2026-12-28T06:30:00.000Z', undefined]);
  });

  test('what EventBridge refuses, and what is valid but not emulated', () => {
    for (const [expression, reason] of [
      ['rate(1 minutes)', /must be singular for 1/],
      ['rate(5 minute)', /must be plural for 5/],
      ['rate(0 minutes)', /positive integer/],
      ['rate(5 weeks)', /minute\(s\), hour\(s\) or day\(s\)/],
      ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
      ['cron(0 12 * *)', /6 fields/],
      ['cron(61 12 * * ? *)', /minutes "61" is not a value from 0 to 59/],
      ['every 5 minutes', /neither rate\(\.\.\.\) nor cron\(\.\.\.\)/],
    ] as const) {
      expect(parseScheduleExpression(expression)).toEqual({ ok: false, invalid: true, reason: expect.stringMatching(reason) });
    }
    expect(parseScheduleExpression('cron(0 10 L * ? *)')).toEqual({ ok: false, invalid: false, reason: expect.stringMatching(/L, W and # are not emulated/) });
    expect(parseScheduleExpression('cron(0 10 ? * 6#3 *)')).toEqual({ ok: false, invalid: false, reason: expect.stringMatching(/not emulated/) });
  });
});

const PROTON_EVENT = {
  'version': '0',
  'id': 'e1',
  'detail-type': 'AWS Proton Environment Account Connection Status Change',
  'source': 'aws.proton',
  'account': '111111111111',
  'time': '2026-01-01T00:00:00Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:proton:us-east-1:111111111111:environment-account-connection/abc'],
  'detail': { id: 'abc', status: 'PENDING' },
};

describe('event patterns', () => {
  test('the pattern the acceptor emits: source, detail-type and detail.status, exact values in lists', () => {
    const pattern = { 'source': ['aws.proton'], 'detail-type': ['AWS Proton Environment Account Connection Status Change'], 'detail': { status: ['PENDING'] } };
    expect(patternProblem(pattern)).toBeUndefined();
    expect(matchesPattern(pattern, PROTON_EVENT)).toBe(true);
    expect(matchesPattern(pattern, { ...PROTON_EVENT, detail: { id: 'abc', status: 'CONNECTED', previousStatus: 'PENDING' } })).toBe(false);
    expect(matchesPattern(pattern, { ...PROTON_EVENT, source: 'aws.events' })).toBe(false);
    expect(matchesPattern(pattern, { ...PROTON_EVENT, detail: undefined })).toBe(false);
    expect(matchesPattern({ detail: { status: ['PENDING', 'REJECTED'] } }, { ...PROTON_EVENT, detail: { status: 'REJECTED' } })).toBe(true);
    // a list value matches when one of its elements does
    expect(matchesPattern({ resources: [PROTON_EVENT.resources[0]] }, PROTON_EVENT)).toBe(true);
  });

  test('content filters', () => {
    const m = (pattern: Record<string, unknown>, event: Record<string, unknown> = PROTON_EVENT) => matchesPattern(pattern, event);
    expect(m({ source: [{ prefix: 'aws.' }] })).toBe(true);
    expect(m({ source: [{ suffix: '.proton' }] })).toBe(true);
    expect(m({ source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] })).toBe(true);
    expect(m({ source: [{ 'equals-ignore-case': 'AWS.PROTON' }] })).toBe(true);
    expect(m({ detail: { status: [{ 'anything-but': ['CONNECTED', 'REJECTED'] }] } })).toBe(true);
    expect(m({ detail: { status: [{ 'anything-but': 'PENDING' }] } })).toBe(false);
    expect(m({ detail: { status: [{ 'anything-but': { prefix: 'PEN' } }] } })).toBe(false);
    expect(m({ detail: { previousStatus: [{ exists: false }] } })).toBe(true);
    expect(m({ detail: { previousStatus: [{ exists: true }] } })).toBe(false);
    expect(m({ detail: { n: [{ numeric: ['>', 0, '<=', 5] }] } }, { detail: { n: 5 } })).toBe(true);
    expect(m({ detail: { n: [{ numeric: ['>', 5] }] } }, { detail: { n: 5 } })).toBe(false);
    expect(m({ resources: [{ wildcard: 'arn:aws:proton:*:environment-account-connection/*' }] })).toBe(true);
    expect(m({ $or: [{ source: ['x'] }, { detail: { status: ['PENDING'] } }] })).toBe(true);
  });

  test('patterns EventBridge refuses fail the rule; cidr is not emulated', () => {
    expect(patternProblem({ source: 'aws.proton' })).toEqual({ invalid: true, reason: expect.stringMatching(/source must be a list or an object/) });
    expect(patternProblem({ source: [{ nope: 1 }] })).toEqual({ invalid: true, reason: expect.stringMatching(/unknown content filter nope/) });
    expect(patternProblem({ detail: { ip: [{ cidr: '10.0.0.0/8' }] } })).toEqual({ invalid: false, reason: expect.stringMatching(/cidr filter is not emulated/) });
    expect(ruleProblem({ EventPattern: '{not json', Targets: [] })).toEqual({ invalid: true, reason: expect.stringMatching(/not JSON/) });
    expect(ruleProblem({ Targets: [] })).toEqual({ invalid: true, reason: expect.stringMatching(/needs a ScheduleExpression or an EventPattern/) });
    expect(ruleProblem({ ScheduleExpression: 'rate(1 minute)', Targets: [{ Id: 'T', Arn: 'arn', Input: '{' }] }))
      .toEqual({ invalid: true, reason: 'target T: Input is not valid JSON' });
    expect(ruleProblem({ ScheduleExpression: 'rate(1 minute)', EventPattern: JSON.stringify({ source: ['aws.proton'] }), Targets: [] })).toBeUndefined();
  });
});
