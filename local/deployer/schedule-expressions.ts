/**
 * EventBridge schedule expressions: `rate(<n> minute[s]|hour[s]|day[s])` and
 * `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` (UTC), and when they next fire.
 *
 * A rate fires every period from the moment the rule starts (`anchor`). Cron fields take values, ranges (`a-b`),
 * lists (`a,b`), increments (`*` or a value, then `/n`), `*`, `?`, month names (JAN-DEC) and day names (SUN-SAT, 1 is
 * Sunday), as EventBridge does. `L`, `W` and `#` are valid in EventBridge but not emulated: such a schedule is
 * reported as unsupported and never fires.
 */

export interface Schedule {
  readonly expression: string;
  /** The first time (epoch ms) after `after` at which it fires; `anchor` is when the rule started. Undefined: never. */
  next(after: number, anchor: number): number | undefined;
}

export type ParsedSchedule =
  | { readonly ok: true; readonly schedule: Schedule }
  /** `invalid`: EventBridge refuses the expression; otherwise it is valid but not emulated. */
  | { readonly ok: false; readonly invalid: boolean; readonly reason: string };

const MINUTE = 60_000;
const UNITS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 24 * 60 * MINUTE };

export function parseScheduleExpression(expression: string): ParsedSchedule {
  const rate = /^rate\(\s*(\S+)\s+(\S+)\s*\)$/.exec(expression);
  if (rate) return parseRate(expression, rate[1], rate[2]);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(expression, cron[1].trim().split(/\s+/));
  return invalid(`"${expression}" is neither rate(...) nor cron(...)`);
}

function invalid(reason: string): ParsedSchedule {
  return { ok: false, invalid: true, reason: `Parameter ScheduleExpression is not valid: ${reason}` };
}

function parseRate(expression: string, value: string, unit: string): ParsedSchedule {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) return invalid(`the rate value must be a positive integer (got ${value})`);
  const singular = unit.replace(/s$/, '');
  const period = UNITS[singular];
  if (period === undefined) return invalid(`the rate unit must be minute(s), hour(s) or day(s) (got ${unit})`);
  if ((n === 1) !== (unit === singular)) return invalid(`the rate unit must be ${n === 1 ? 'singular' : 'plural'} for ${n} (got ${unit})`);
  const every = n * period;
  return {
    ok: true,
    schedule: {
      expression,
      next: (after, anchor) => anchor + (Math.floor(Math.max(0, after - anchor) / every) + 1) * every,
    },
  };
}

type FieldTest = (value: number) => boolean;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], question: true },
  { name: 'year', min: 1970, max: 2199 },
];

class Unsupported extends Error {}

function parseCron(expression: string, parts: string[]): ParsedSchedule {
  if (parts.length !== 6) return invalid(`cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`);
  const [, , dom, , dow] = parts;
  if ((dom === '?') === (dow === '?')) return invalid('exactly one of day-of-month and day-of-week must be ?');
  let tests: FieldTest[];
  try {
    tests = parts.map((p, i) => parseField(p, FIELDS[i]));
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, invalid: false, reason: err.message };
    return invalid((err as Error).message);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = tests;
  const dayMatches = (d: Date) => (dom === '?' ? dayOfWeek(d.getUTCDay() + 1) : dayOfMonth(d.getUTCDate()));
  return {
    ok: true,
    schedule: {
      expression,
      next: (after) => {
        let t = (Math.floor(after / MINUTE) + 1) * MINUTE;
        // each step moves to the next candidate year, month, day, hour or minute: a few thousand steps at most
        for (let steps = 0; steps < 100_000; steps++) {
          const d = new Date(t);
          const y = d.getUTCFullYear();
          if (y > FIELDS[5].max) return undefined;
          if (!year(y)) {
            t = Date.UTC(y + 1, 0, 1);
          } else if (!month(d.getUTCMonth() + 1)) {
            t = Date.UTC(y, d.getUTCMonth() + 1, 1);
          } else if (!dayMatches(d)) {
            t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate() + 1);
          } else if (!hour(d.getUTCHours())) {
            t = Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
          } else if (!minute(d.getUTCMinutes())) {
            t += MINUTE;
          } else {
            return t;
          }
        }
        return undefined;
      },
    },
  };
}

function parseField(text: string, spec: FieldSpec): FieldTest {
  if (text === '?') {
    if (!spec.question) throw new Error(`? is allowed only in day-of-month and day-of-week (${spec.name})`);
    return () => true;
  }
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, m => (spec.names?.includes(m) ? '' : m)))) {
    throw new Unsupported(`cron ${spec.name} "${text}": L, W and # are not emulated by the local deployer`);
  }
  const tests = text.split(',').map(item => parseItem(item, spec));
  return v => tests.some(t => t(v));
}

function parseItem(item: string, spec: FieldSpec): FieldTest {
  const [range, stepText, extra] = item.split('/');
  if (extra !== undefined) throw new Error(`cron ${spec.name} "${item}" has more than one /`);
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`cron ${spec.name} "${item}": the increment must be a positive integer`);
  let from: number;
  let to: number;
  if (range === '*') {
    [from, to] = [spec.min, spec.max];
  } else if (range.includes('-')) {
    const [a, b] = range.split('-');
    [from, to] = [fieldValue(a, spec), fieldValue(b, spec)];
    if (from > to) throw new Error(`cron ${spec.name} "${item}": the range is reversed`);
  } else {
    from = fieldValue(range, spec);
    to = stepText === undefined ? from : spec.max;
  }
  return v => v >= from && v <= to && (v - from) % step === 0;
}

function fieldValue(text: string, spec: FieldSpec): number {
  const byName = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = byName >= 0 ? byName + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) throw new Error(`cron ${spec.name} "${text}" is not a value from ${spec.min} to ${spec.max}`);
  return n;
}
