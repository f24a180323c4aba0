/**
 * EventBridge event patterns: which events a rule's `EventPattern` matches, as EventBridge matches them.
 *
 * A pattern is an object whose fields name event fields (`source`, `detail-type`, `detail`, ...); a nested object
 * matches a nested object, a list matches when the event's value (or, for a list value, one of its elements) matches
 * one of its entries, and a field the pattern does not name matches anything. Entries are exact values (strings,
 * numbers, true, false, null) or the content filters `prefix`, `suffix`, `equals-ignore-case`, `anything-but`,
 * `exists`, `numeric` and `wildcard`; `$or` takes a list of patterns. `cidr` is not emulated.
 */

export type EventPattern = Readonly<Record<string, unknown>>;

/** Why EventBridge would refuse the pattern (`invalid`), or why it is not emulated; undefined when it can be used. */
export function patternProblem(pattern: unknown): { readonly invalid: boolean; readonly reason: string } | undefined {
  try {
    checkObject(pattern, '');
    return undefined;
  } catch (err) {
    return { invalid: !(err instanceof NotEmulated), reason: (err as Error).message };
  }
}

class NotEmulated extends Error {}

const FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric', 'wildcard']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkObject(pattern: unknown, at: string): void {
  if (!isObject(pattern)) throw new Error(`Event pattern is not valid: ${at || 'the pattern'} must be a JSON object`);
  for (const [key, value] of Object.entries(pattern)) {
    const where = at ? `${at}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new Error(`Event pattern is not valid: ${where} must be a list of at least 2 patterns`);
      value.forEach((p, i) => checkObject(p, `${where}[${i}]`));
    } else if (Array.isArray(value)) {
      for (const entry of value) checkEntry(entry, where);
    } else if (isObject(value)) {
      checkObject(value, where);
    } else {
      throw new Error(`Event pattern is not valid: ${where} must be a list or an object (got ${JSON.stringify(value)})`);
    }
  }
}

function checkEntry(entry: unknown, where: string): void {
  if (entry === null || ['string', 'number', 'boolean'].includes(typeof entry)) return;
  if (!isObject(entry) || Object.keys(entry).length !== 1) throw new Error(`Event pattern is not valid: ${where}: ${JSON.stringify(entry)} is neither a value nor a content filter`);
  const [name] = Object.keys(entry);
  if (name === 'cidr') throw new NotEmulated(`${where}: the cidr filter is not emulated by the local deployer`);
  if (!FILTERS.has(name)) throw new Error(`Event pattern is not valid: ${where}: unknown content filter ${name}`);
  if (name === 'numeric') numericTest(entry.numeric, where);
}

/** Whether `event` matches `pattern` (a pattern `patternProblem` accepts). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as EventPattern[]).some(p => matchesPattern(p, event));
    const actual = event[key];
    if (Array.isArray(expected)) return matchesList(expected, actual);
    return isObject(actual) && matchesPattern(expected as EventPattern, actual);
  });
}

function matchesList(entries: readonly unknown[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return entries.some(entry => {
    if (isObject(entry) && 'exists' in entry) return (actual !== undefined) === (entry.exists === true);
    return values.some(v => v !== undefined && matchesEntry(entry, v));
  });
}

function matchesEntry(entry: unknown, value: unknown): boolean {
  if (!isObject(entry)) return entry === value;
  const [name] = Object.keys(entry);
  const arg = entry[name];
  switch (name) {
    case 'prefix': return typeof value === 'string' && textTest(arg, (v, s) => v.startsWith(s))(value);
    case 'suffix': return typeof value === 'string' && textTest(arg, (v, s) => v.endsWith(s))(value);
    case 'equals-ignore-case': return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard': return typeof value === 'string' && typeof arg === 'string' && wildcard(arg).test(value);
    case 'numeric': return typeof value === 'number' && numericTest(arg, '')(value);
    case 'anything-but': {
      if (isObject(arg)) return !matchesEntry(arg, value);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some(x => x === value);
    }
  }
  return false;
}

/** A `prefix`/`suffix` argument: a string, or `{ "equals-ignore-case": string }`. */
function textTest(arg: unknown, test: (value: string, text: string) => boolean): (value: string) => boolean {
  if (typeof arg === 'string') return v => test(v, arg);
  const folded = isObject(arg) && typeof arg['equals-ignore-case'] === 'string' ? arg['equals-ignore-case'].toLowerCase() : undefined;
  return v => folded !== undefined && test(v.toLowerCase(), folded);
}

function wildcard(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

const COMPARISONS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

function numericTest(arg: unknown, where: string): (value: number) => boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    throw new Error(`Event pattern is not valid: ${where}: numeric takes [op, number] or [op, number, op, number]`);
  }
  const tests: Array<(v: number) => boolean> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const compare = COMPARISONS[String(arg[i])];
    const bound = arg[i + 1];
    if (!compare || typeof bound !== 'number') throw new Error(`Event pattern is not valid: ${where}: numeric ${JSON.stringify(arg)}`);
    tests.push(v => compare(v, bound));
  }
  return v => tests.every(t => t(v));
}
