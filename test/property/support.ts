import { App, Aws, CfnParameter, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { partitionOfRegion, roleArnAccount } from './oracle';

/** Fixed seed so every CI failure reproduces; override with PROPERTY_SEED to explore. */
export const SEED = Number(process.env.PROPERTY_SEED ?? 20_260_707);

/** Runs per property; PROPERTY_RUNS_SCALE multiplies them (e.g. 0.1 locally, 10 for a soak). */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * Number(process.env.PROPERTY_RUNS_SCALE ?? 1)));
}

export const STACK_ACCOUNT = '222222222222';
export const OTHER_ACCOUNT = '111111111111';

// ---------------------------------------------------------------------------------------------
// Stacks

export type StackEnv = 'agnostic' | 'account-only' | 'eu-west-1' | 'cn-north-1' | 'us-gov-west-1';
export const stackEnvArb: fc.Arbitrary<StackEnv> = fc.constantFrom('agnostic', 'account-only', 'eu-west-1', 'cn-north-1', 'us-gov-west-1');

/** A fresh App (nothing is shared between runs) with one stack; asset copying off for speed. */
export function newStack(env: StackEnv, app = newApp(), id = 'Env', account = STACK_ACCOUNT): Stack {
  if (env === 'agnostic') return new Stack(app, id);
  if (env === 'account-only') return new Stack(app, id, { env: { account } });
  return new Stack(app, id, { env: { account, region: env } });
}

export function newApp(): App {
  return new App({ stackTraces: false, context: { 'aws:cdk:disable-asset-staging': true } });
}

// ---------------------------------------------------------------------------------------------
// String inputs: literals of any kind, or CDK tokens

export type StrInput =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'Aws.ACCOUNT_ID' }
  | { readonly kind: 'Lazy.string'; readonly produces: string }
  | { readonly kind: 'Token.asString' }
  | { readonly kind: 'CfnParameter' }
  | { readonly kind: 'prefixed'; readonly prefix: string };

export const isToken = (input: StrInput) => input.kind !== 'literal';

let parameterCounter = 0;

/** Turns an input into the value passed to the construct. */
export function materialize(stack: Stack, input: StrInput): any {
  switch (input.kind) {
    case 'literal': return input.value;
    case 'Aws.ACCOUNT_ID': return Aws.ACCOUNT_ID;
    case 'Lazy.string': return Lazy.string({ produce: () => input.produces });
    case 'Token.asString': return Token.asString(Fn.importValue('SharedValue'));
    case 'CfnParameter': return new CfnParameter(stack, `Param${parameterCounter++}`, { type: 'String' }).valueAsString;
    case 'prefixed': return `${input.prefix}${Aws.REGION}`;
  }
}

/** Tokens for any string prop; `lazyValues` are what a Lazy produces (checked only at deploy time). */
export function tokenArb(lazyValues: fc.Arbitrary<string>, validPrefix: fc.Arbitrary<string>): fc.Arbitrary<StrInput> {
  return fc.oneof(
    fc.constant<StrInput>({ kind: 'Aws.ACCOUNT_ID' }),
    lazyValues.map<StrInput>((produces) => ({ kind: 'Lazy.string', produces })),
    fc.constant<StrInput>({ kind: 'Token.asString' }),
    fc.constant<StrInput>({ kind: 'CfnParameter' }),
    validPrefix.map<StrInput>((prefix) => ({ kind: 'prefixed', prefix })),
  );
}

export const literal = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<StrInput> => arb.map((value) => ({ kind: 'literal' as const, value }));

// ---------------------------------------------------------------------------------------------
// Literal values

const DIGITS = '0123456789'.split('');
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const NAME_TAIL = [...ALNUM, '_', '-'];

export const validAccountArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 12, maxLength: 12 }),
  fc.constantFrom('000000000000', OTHER_ACCOUNT, '999999999999', '012345678901'),
);

export const accountLiteralArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: validAccountArb },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '11111111111', '1111111111111', ' 111111111111', '111111111111 ', '\t111111111111', '111111111111\n',
      '1111 1111 1111', '١٢٣٤٥٦٧٨٩٠١٢', '١٢٣', '１１１１１１１１１１１１', '11111111111a', '', '111111111111.0',
      '-11111111111', '0x1111111111', '1e11', '111111111111/', STACK_ACCOUNT + OTHER_ACCOUNT,
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...DIGITS, ' ', 'a'), minLength: 10, maxLength: 14 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 14 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(111111111111, 0, null) },
);

export const validEnvironmentNameArb = fc.oneof(
  fc.tuple(fc.constantFrom(...ALNUM), fc.string({ unit: fc.constantFrom(...NAME_TAIL), maxLength: 99 })).map(([h, t]) => h + t),
  fc.constantFrom('dev', 'prod', 'a', 'A'.repeat(100), '0', '9-_', 'Dev_Env-1'),
);

export const environmentNameLiteralArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: validEnvironmentNameArb },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '', 'A'.repeat(101), '-dev', '_dev', 'dev/prod', 'dev prod', ' dev', 'dev ', 'dév', '环境', 'dev🚀', '🚀',
      'dev\u0000', 'dev\n', 'de\tv', '*', 'dev.1', '١٢٣', 'dev:1', 'a'.repeat(99) + 'é', 'ｄｅｖ', 'dev\u200b',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...NAME_TAIL, '/', ' ', '.', 'é'), maxLength: 102 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(42, null) },
);

const IAM_CHARS = [...ALNUM, '_', '+', '=', ',', '.', '@', '-'];
const iamSegmentArb = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: fc.constantFrom(...IAM_CHARS), minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 62, max: 66 }).map((n) => 'r'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'ü', 'a b', '*', '\u0000', 'r'.repeat(512), 'r'.repeat(513)) },
);

/** Role (or user) ARNs, composed from parts: partitions, paths, accounts, resource types. */
export function roleArnLiteralArb(account: string): fc.Arbitrary<string> {
  const composed = fc.record({
    partition: fc.constantFrom('aws', 'aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', '', 'AWS'),
    service: fc.constantFrom('iam', 'iam', 'iam', 'sts'),
    region: fc.constantFrom('', '', '', 'us-east-1'),
    account: fc.oneof({ weight: 6, arbitrary: fc.constant(account) }, { weight: 2, arbitrary: fc.constantFrom(OTHER_ACCOUNT, '2222', '') }),
    type: fc.constantFrom('role', 'role', 'role', 'user', 'Role', 'assumed-role'),
    path: fc.array(fc.tuple(iamSegmentArb, fc.constantFrom('/', '/', ':')), { maxLength: 3 }),
    name: iamSegmentArb,
  }).map(({ partition, service, region, account: acct, type, path, name }) =>
    `arn:${partition}:${service}:${region}:${acct}:${type}/${path.map(([s, sep]) => s + sep).join('')}${name}`);
  return fc.oneof({ weight: 8, arbitrary: composed }, { weight: 1, arbitrary: fc.constantFrom(`arn:aws:iam::${account}:role/`, 'not-an-arn', `arn:aws:iam::${account}:role`) });
}

/** An IRole whose roleArn is exactly `arn`, even where `Role.fromRoleArn` would refuse to parse it. */
export function importedRole(stack: Stack, id: string, arn: string): iam.IRole {
  try {
    return iam.Role.fromRoleArn(stack, id, arn);
  } catch {
    const account = roleArnAccount(arn) || STACK_ACCOUNT;
    const base = iam.Role.fromRoleArn(stack, id, `arn:aws:iam::${account}:role/unparseable`);
    return new Proxy(base, { get: (target, p) => (p === 'roleArn' ? arn : Reflect.get(target, p)) });
  }
}

// Tags: keys/values of every documented edge, non-string values, tokens
export type TagValueInput = { kind: 'literal'; value: unknown } | { kind: 'token' };
export type TagsInput = undefined | Array<[StrInput, TagValueInput]>;

const tagKeyLiteral = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...ALNUM, ':', '/', '.', '-'), minLength: 1, maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', 'aws:x', 'AWS:cost', 'Aws:x', 'awsx', 'aws', ' ', 'k'.repeat(128), 'k'.repeat(129),
      'ü'.repeat(128), 'ü'.repeat(129), '🔑'.repeat(64), '🔑'.repeat(65), '🔑'.repeat(128), '🔑'.repeat(129)),
  },
);
const tagValueLiteral: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('', 'v'.repeat(256), 'v'.repeat(257), '🚀'.repeat(128), '🚀'.repeat(129), '🚀'.repeat(256), '🚀'.repeat(257)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, undefined, true, { nested: 'x' }, ['x']) },
);

export const tagsArb: fc.Arbitrary<TagsInput> = fc.oneof(
  fc.constant(undefined),
  fc.array(fc.tuple(
    fc.oneof({ weight: 9, arbitrary: literal(tagKeyLiteral) }, { weight: 1, arbitrary: fc.constant<StrInput>({ kind: 'Lazy.string', produces: 'lazy-key' }) }),
    fc.oneof({ weight: 9, arbitrary: tagValueLiteral.map<TagValueInput>((value) => ({ kind: 'literal', value })) }, { weight: 1, arbitrary: fc.constant<TagValueInput>({ kind: 'token' }) }),
  ), { maxLength: 4 }),
  fc.constantFrom(49, 50, 51, 60).map((n) => Array.from({ length: n }, (_, i): [StrInput, TagValueInput] => [{ kind: 'literal', value: `key${i}` }, { kind: 'literal', value: `v${i}` }])),
);

export function materializeTags(stack: Stack, input: TagsInput): Record<string, any> | undefined {
  if (input === undefined) return undefined;
  const tags: Record<string, any> = {};
  for (const [key, value] of input) {
    tags[materialize(stack, key)] = value.kind === 'token' ? Aws.REGION : value.value;
  }
  return tags;
}

/** Tags with every token key and value removed (what can be judged at synth). */
export function literalPartOfTags(tags: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) continue;
    out[key] = typeof value === 'string' && Token.isUnresolved(value) ? '' : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Durations, with their exact length in milliseconds

export interface DurationInput {
  readonly unit: 'millis' | 'seconds' | 'minutes';
  readonly amount: number;
  readonly millis: number;
}

export const durationArb: fc.Arbitrary<DurationInput> = fc.oneof(
  fc.integer({ min: 0, max: 900 }).map((n) => ({ unit: 'seconds' as const, amount: n, millis: n * 1000 })),
  fc.integer({ min: 0, max: 3600 }).map((n) => ({ unit: 'seconds' as const, amount: n / 4, millis: n * 250 })),
  fc.oneof(fc.integer({ min: 0, max: 900 }).map((n) => n * 1000), fc.integer({ min: 0, max: 900_000 })).map((n) => ({ unit: 'millis' as const, amount: n, millis: n })),
  fc.integer({ min: 0, max: 130 }).map((n) => ({ unit: 'minutes' as const, amount: n / 8, millis: n * 7500 })),
  fc.constantFrom(
    { unit: 'minutes' as const, amount: 14, millis: 840_000 },
    { unit: 'minutes' as const, amount: 15, millis: 900_000 },
    { unit: 'seconds' as const, amount: 0, millis: 0 },
    { unit: 'seconds' as const, amount: 841, millis: 841_000 },
    { unit: 'seconds' as const, amount: 0.5, millis: 500 },
  ),
);

export const optionalBoolean = fc.option(fc.boolean(), { nil: undefined });

// ---------------------------------------------------------------------------------------------
// Templates

/** `Template.fromStack` plus checks that the template is valid, fully resolved JSON. */
export function synthesize(stack: Stack): Template {
  const template = Template.fromStack(stack);
  assertValidTemplate(template.toJSON());
  return template;
}

export function assertValidTemplate(json: any): void {
  const text = JSON.stringify(json);
  if (!text) throw new Error('template does not serialize');
  if (Buffer.byteLength(text) > 1_000_000) throw new Error('template exceeds 1 MB');
  walk(json, '$');
  const resources = Object.entries(json.Resources ?? {});
  if (resources.length === 0 || resources.length > 500) throw new Error(`template has ${resources.length} resources`);
  for (const [id, resource] of resources as Array<[string, any]>) {
    if (!/^[A-Za-z0-9]{1,255}$/.test(id) || typeof resource.Type !== 'string') throw new Error(`invalid resource ${id}`);
  }
}

function walk(value: unknown, at: string): void {
  if (value === undefined) throw new Error(`undefined at ${at}`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`non-finite number at ${at}`);
  if (typeof value === 'string' && /\$\{Token\[|#\{Token|\[TOKEN\./.test(value)) throw new Error(`unresolved token at ${at}: ${value}`);
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Error(`non-JSON at ${at}`);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
  }
}

/** Renders a resolved CloudFormation value as text: `{Ref}`, `{Logical.Attr}`, joins joined. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const o = value as Record<string, any>;
    if ('Ref' in o) return `{${o.Ref}}`;
    if ('Fn::Join' in o) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
    if ('Fn::GetAtt' in o) return `{${(o['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::ImportValue' in o) return `{import:${render(o['Fn::ImportValue'])}}`;
  }
  return JSON.stringify(value);
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` with the partition right for the stack's Region. */
export function expectArn(stack: Stack, rendered: string, service: string, account: string, resource: string): void {
  const region = render(stack.resolve(stack.region));
  const partitions = ['{AWS::Partition}'];
  if (!Token.isUnresolved(stack.region)) partitions.push(partitionOfRegion(stack.region));
  const ok = partitions.some((p) => rendered === `arn:${p}:${service}:${region}:${account}:${resource}`);
  if (!ok) throw new Error(`ARN ${rendered} is not arn:<${partitions.join('|')}>:${service}:${region}:${account}:${resource}`);
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The error must be an `Error` whose message is `<path>[/<child>]: invalid <one of props> ...`
 * (`invalid <prop> ...` when path is undefined, for the deploy-time parsers).
 */
export function assertPropError(error: unknown, path: string | undefined, props: string[]): void {
  if (!(error instanceof Error)) throw new Error(`threw a non-Error: ${String(error)}`);
  const message = error.message;
  const named = props.some((prop) => {
    if (path === undefined) return message.startsWith(`invalid ${prop} `);
    const at = message.indexOf(`: invalid ${prop} `);
    const where = at < 0 ? '' : message.slice(0, at);
    return at >= 0 && (where === path || where.startsWith(`${path}/`));
  });
  if (!named) {
    throw new Error(`expected an error "${path ?? ''}: invalid <${props.join(' | ')}> ...", got ${error.constructor.name}: ${message}`);
  }
}

/** Runs a property with the fixed seed; counts cases. */
export function check<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (value: T) => void, counter: { cases: number }): void {
  fc.assert(fc.property(arb, (value) => {
    counter.cases++;
    body(value);
  }), { seed: SEED, numRuns: runs(numRuns) });
}
