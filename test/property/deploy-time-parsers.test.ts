import * as fc from 'fast-check';
import { canonicalInteger, validAccountId, validEnvironmentName, validRoleArn, validTags } from './oracle';
import { OTHER_ACCOUNT, STACK_ACCOUNT, accountLiteralArb, validAccountArb, validEnvironmentNameArb, assertPropError, check, environmentNameLiteralArb, roleArnLiteralArb } from './support';
import { parseAcceptanceSpec } from '../../src/acceptor/acceptor-contract';
import { decodePair, encodePair, pairProblem } from '../../src/acceptor/allow-list';
import { parseConnectionSpec, parseConnectionSpecLeniently } from '../../src/connection/connection-contract';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from '../../src/shared/handler-limits';

const counter = { cases: 0 };
afterAll(() => console.log(`[property] deploy-time-parsers: ${counter.cases} cases`));

/** What CloudFormation sends: every scalar a string; an absent property is absent. */
const absent = fc.constant(undefined);
const stringOnly = (arb: fc.Arbitrary<unknown>) => arb.filter((v) => typeof v === 'string') as fc.Arbitrary<string>;
const booleanString = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('true', 'false') }, { weight: 1, arbitrary: fc.constantFrom('True', 'FALSE', '1', '0', 'yes', ' true', '') });
const integerString = fc.oneof(
  fc.integer({ min: -5, max: 1000 }).map(String),
  fc.constantFrom('1', String(MAX_WAIT_SECONDS), String(MAX_WAIT_SECONDS + 1), '0', String(DEFAULT_WAIT_SECONDS), '1.5', ' 5', '5 ', '05', '+5', '1e2', '٥', 'abc', '', '-0', '0x10', 'Infinity', 'NaN'),
);
const tagsMap = fc.oneof(
  fc.dictionary(
    fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('', 'aws:x', 'AWS:y', 'k'.repeat(128), 'k'.repeat(129))),
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('v'.repeat(256), 'v'.repeat(257), '🚀'.repeat(129), '🚀'.repeat(257))),
    { maxKeys: 4 },
  ),
  fc.constantFrom(50, 51).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]))),
);
const roleArn = fc.oneof(roleArnLiteralArb(STACK_ACCOUNT), fc.constantFrom('', `arn:aws:iam::${STACK_ACCOUNT}:role/proton`));

const connectionProps = fc.record({
  ManagementAccountId: fc.oneof({ weight: 3, arbitrary: validAccountArb }, stringOnly(accountLiteralArb), absent),
  EnvironmentName: fc.oneof({ weight: 3, arbitrary: validEnvironmentNameArb }, stringOnly(environmentNameLiteralArb), absent),
  RoleArn: fc.oneof({ weight: 3, arbitrary: fc.constant(`arn:aws-cn:iam::${STACK_ACCOUNT}:role/path/proton`) }, roleArn, absent),
  CodebuildRoleArn: fc.oneof({ weight: 3, arbitrary: fc.constant(`arn:aws-cn:iam::${STACK_ACCOUNT}:role/path/proton`) }, roleArn, absent),
  ComponentRoleArn: fc.oneof({ weight: 3, arbitrary: fc.constant(`arn:aws-cn:iam::${STACK_ACCOUNT}:role/path/proton`) }, roleArn, absent),
  Tags: fc.oneof(tagsMap, absent, fc.constantFrom<unknown>('', 'k=v', ['k'])),
  WaitForAcceptance: fc.oneof(booleanString, absent),
  AcceptanceTimeoutSeconds: fc.oneof(integerString, absent),
  RetainOnDelete: fc.oneof(booleanString, absent),
  AdoptExisting: fc.oneof(booleanString, absent),
  ReplaceRejected: fc.oneof(booleanString, absent),
  EndOfSupport: fc.oneof(booleanString, absent),
}, { requiredKeys: [] });

function booleanOracle(v: unknown, fallback: boolean): boolean | 'invalid' {
  if (v === undefined || v === '') return fallback;
  return v === 'true' ? true : v === 'false' ? false : 'invalid';
}

function integerOracle(v: unknown, fallback: number, min: number, max: number): number | 'invalid' {
  if (v === undefined || v === '') return fallback;
  const n = canonicalInteger(v as string);
  return n !== undefined && n >= min && n <= max ? n : 'invalid';
}

/** '05', '+5', '-0': not what CloudFormation sends; either outcome is fine. */
function isAmbiguousInteger(v: unknown): boolean {
  return ['05', '+5', '-0'].includes(v as string);
}

/**
 * Runs the parser: it must refuse exactly when the oracle finds `bad` (or `ambiguous`)
 * properties, naming one of them. The parsed value, or undefined when it refused.
 */
function parsedAsTheOracleSays<T>(parse: () => T, bad: string[], ambiguous: string[]): T | undefined {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    if (bad.length + ambiguous.length === 0) throw new Error(`valid properties refused: ${(error as Error)?.message}`);
    assertPropError(error, undefined, [...bad, ...ambiguous]);
    return undefined;
  }
  if (bad.length > 0) throw new Error(`accepted invalid ${bad.join(', ')}`);
  return parsed;
}

test('parseConnectionSpec: the oracle decides; valid values come back as typed values, invalid ones name the property', () => {
  check(connectionProps, 1000, (props) => {
    const p = props as Record<string, unknown>;
    const bad: string[] = [];
    const ambiguous: string[] = [];
    if (!validAccountId(p.ManagementAccountId)) bad.push('ManagementAccountId');
    if (!validEnvironmentName(p.EnvironmentName)) bad.push('EnvironmentName');
    if (!validRoleArn(p.RoleArn)) bad.push('RoleArn');
    for (const name of ['CodebuildRoleArn', 'ComponentRoleArn']) if (p[name] !== undefined && p[name] !== '' && !validRoleArn(p[name])) bad.push(name);
    if (p.Tags !== undefined && p.Tags !== '' && !validTags(p.Tags)) bad.push('Tags');
    const wait = booleanOracle(p.WaitForAcceptance, false);
    const timeout = integerOracle(p.AcceptanceTimeoutSeconds, DEFAULT_WAIT_SECONDS, 1, MAX_WAIT_SECONDS);
    const retain = booleanOracle(p.RetainOnDelete, false);
    const adopt = booleanOracle(p.AdoptExisting, false);
    const replaceRejected = booleanOracle(p.ReplaceRejected, false);
    const endOfSupport = booleanOracle(p.EndOfSupport, false);
    if (wait === 'invalid') bad.push('WaitForAcceptance');
    if (timeout === 'invalid') (isAmbiguousInteger(p.AcceptanceTimeoutSeconds) ? ambiguous : bad).push('AcceptanceTimeoutSeconds');
    if (retain === 'invalid') bad.push('RetainOnDelete');
    if (adopt === 'invalid') bad.push('AdoptExisting');
    if (replaceRejected === 'invalid') bad.push('ReplaceRejected');
    if (endOfSupport === 'invalid') bad.push('EndOfSupport');
    const spec = parsedAsTheOracleSays(() => parseConnectionSpec(p), bad, ambiguous);
    if (!spec) return;
    expect(spec).toEqual({
      managementAccountId: p.ManagementAccountId,
      environmentName: p.EnvironmentName,
      roleArn: p.RoleArn,
      codebuildRoleArn: p.CodebuildRoleArn || undefined,
      componentRoleArn: p.ComponentRoleArn || undefined,
      tags: p.Tags || {},
      waitForAcceptance: wait,
      acceptanceTimeoutSeconds: ambiguous.includes('AcceptanceTimeoutSeconds') ? spec.acceptanceTimeoutSeconds : timeout,
      retainOnDelete: retain,
      adoptExisting: adopt,
      replaceRejected,
      endOfSupport,
    });
  }, counter);
});

test('parseConnectionSpecLeniently (Delete, old side of an Update): never throws; what the oracle accepts comes back, the rest is left out', () => {
  check(connectionProps, 1000, (props) => {
    const p = props as Record<string, unknown>;
    const spec = parseConnectionSpecLeniently(p);
    const retain = booleanOracle(p.RetainOnDelete, false);
    const endOfSupport = booleanOracle(p.EndOfSupport, false);
    expect(spec).toEqual({
      managementAccountId: validAccountId(p.ManagementAccountId) ? p.ManagementAccountId : undefined,
      environmentName: validEnvironmentName(p.EnvironmentName) ? p.EnvironmentName : undefined,
      // the roles come back only all together (the old side of a role update), when every one is valid
      roles: validRoleArn(p.RoleArn) && ['CodebuildRoleArn', 'ComponentRoleArn'].every((name) => p[name] === undefined || p[name] === '' || validRoleArn(p[name]))
        ? { roleArn: p.RoleArn, codebuildRoleArn: p.CodebuildRoleArn || undefined, componentRoleArn: p.ComponentRoleArn || undefined }
        : undefined,
      tags: p.Tags === undefined || p.Tags === '' ? {} : validTags(p.Tags) ? p.Tags : undefined,
      retainOnDelete: retain === true,
      endOfSupport: endOfSupport === true,
    });
  }, counter);
});

const pairString = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(stringOnly(accountLiteralArb), stringOnly(environmentNameLiteralArb)).map(([a, n]) => encodePair(a, n)) },
  { weight: 1, arbitrary: fc.constantFrom('222222222222', '222222222222/', '/dev', '222222222222/dev/x', '222222222222//dev', '', '222222222222 /dev') },
);
const acceptanceProps = fc.record({
  Pairs: fc.oneof(fc.array(pairString, { maxLength: 5 }), absent, fc.constantFrom<unknown>('', '222222222222/dev', [1], [null])),
  ListedPairs: fc.oneof(fc.array(pairString, { maxLength: 3 }), absent, fc.constantFrom<unknown>('222222222222/dev', [2])),
  Accounts: fc.oneof(fc.array(stringOnly(accountLiteralArb), { maxLength: 3 }), absent, fc.constantFrom<unknown>('222222222222')),
  WaitTimeoutSeconds: fc.oneof(integerString, absent),
  EndOfSupport: fc.oneof(booleanString, absent),
}, { requiredKeys: [] });

/**
 * The oracle: a pair is valid when it is the encoding of a valid account and a valid environment
 * name, at some split; it knows the format only through the library's encoder.
 */
function pairAccount(pair: string): string | undefined {
  const separator = encodePair('', '');
  for (let i = 0; i <= pair.length; i++) {
    const [environmentAccountId, environmentName] = [pair.slice(0, i), pair.slice(i + separator.length)];
    if (pair.startsWith(separator, i) && validAccountId(environmentAccountId) && validEnvironmentName(environmentName)
      && encodePair(environmentAccountId, environmentName) === pair) return environmentAccountId;
  }
  return undefined;
}

function pairValid(pair: string): boolean {
  return pairAccount(pair) !== undefined;
}

test('the pair codec: valid pairs decode to their parts; anything else is refused with a reason, and decodePair throws it', () => {
  const parts = fc.tuple(fc.oneof(validAccountArb, stringOnly(accountLiteralArb)), fc.oneof(validEnvironmentNameArb, stringOnly(environmentNameLiteralArb)));
  check(fc.oneof(parts.map(([a, n]) => ({ pair: encodePair(a, n), a, n })), pairString.map((pair) => ({ pair, a: undefined, n: undefined }))), 1000, ({ pair, a, n }) => {
    const valid = pairValid(pair);
    expect(pairProblem(pair) === undefined).toBe(valid);
    if (!valid) {
      expect(() => decodePair(pair)).toThrow(`invalid pair ${JSON.stringify(pair)}: ${pairProblem(pair)}`);
      return;
    }
    const decoded = decodePair(pair);
    expect(encodePair(decoded.environmentAccountId, decoded.environmentName)).toBe(pair);
    if (a !== undefined) expect(decoded).toEqual({ environmentAccountId: a, environmentName: n });
  }, counter);
});

test('parseAcceptanceSpec: exactly the valid pairs and accounts pass, in order; anything else (or the management account itself) names the property', () => {
  check(fc.tuple(acceptanceProps, fc.nat(), fc.boolean()), 1000, ([props, pick, inManagementAccount]) => {
    const p = props as Record<string, unknown>;
    // the handler's own account: often one that the entries name
    const named = [p.Pairs, p.ListedPairs].flatMap((v) => (Array.isArray(v) ? v : [])).map((pair) => (typeof pair === 'string' ? pairAccount(pair) : undefined))
      .concat(Array.isArray(p.Accounts) ? p.Accounts : []).filter((account): account is string => validAccountId(account));
    const managementAccountId = !inManagementAccount ? undefined : named.length > 0 ? named[pick % named.length] : OTHER_ACCOUNT;
    const entryValid = (pair: string) => pairValid(pair) && pairAccount(pair) !== managementAccountId;
    const bad: string[] = [];
    const ambiguous: string[] = [];
    const list = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : undefined);
    const pairs = list(p.Pairs);
    const listedPairs = list(p.ListedPairs);
    const accounts = list(p.Accounts);
    const endOfSupport = booleanOracle(p.EndOfSupport, false);
    if (!pairs || !pairs.every(entryValid)) bad.push('Pairs');
    if (!listedPairs || !listedPairs.every(entryValid)) bad.push('ListedPairs');
    if (!accounts || !accounts.every((account) => validAccountId(account) && account !== managementAccountId)) bad.push('Accounts');
    if (endOfSupport === 'invalid') bad.push('EndOfSupport');
    const wait = integerOracle(p.WaitTimeoutSeconds, DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS);
    if (wait === 'invalid') (isAmbiguousInteger(p.WaitTimeoutSeconds) ? ambiguous : bad).push('WaitTimeoutSeconds');
    const spec = parsedAsTheOracleSays(() => parseAcceptanceSpec(p, managementAccountId), bad, ambiguous);
    if (!spec) return;
    expect(spec.entries).toEqual({ pairs, accounts });
    expect(spec.listedPairs).toEqual(listedPairs);
    expect(spec.endOfSupport).toBe(endOfSupport);
    if (!ambiguous.length) expect(spec.waitTimeoutSeconds).toBe(wait);
  }, counter);
});

test('fixed: a tag value of 129 emoji (129 characters, 258 UTF-16 units) is within the 256-character limit', () => {
  expect(() => parseConnectionSpec({
    ManagementAccountId: '111111111111', EnvironmentName: 'dev', RoleArn: `arn:aws:iam::${STACK_ACCOUNT}:role/proton`, Tags: { team: '🚀'.repeat(129) },
  })).not.toThrow();
});
