/**
 * CloudFormation intrinsic functions and condition functions, resolved against a scope that knows the stack's
 * parameters, resources, conditions and the exports of other stacks.
 */
/** The value of `{ "Ref": "AWS::NoValue" }`: the enclosing property or list element is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface IntrinsicScope {
  /** `Stack/LogicalId` (or `Stack/Outputs/Name`), used in error messages. */
  readonly location: string;
  readonly region: string;
  /** AWS::AccountId, AWS::Region, AWS::Partition, ... */
  readonly pseudoParameters: Readonly<Record<string, unknown>>;
  readonly mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  /** `Ref` of a parameter or resource; throws when there is none. */
  ref(name: string): unknown;
  /** `Fn::GetAtt`; throws when the resource or attribute does not exist. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** `Fn::ImportValue`; throws when there is no such export. */
  importValue(exportName: string): unknown;
  /** The value of a named condition. */
  condition(name: string): boolean;
}

const SUPPORTED = new Set([
  'Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or',
  'Fn::ImportValue', 'Fn::GetAZs', 'Fn::Base64', 'Fn::FindInMap', 'Fn::Length', 'Fn::ToJsonString',
]);

/** Whether `value` is a single-key object whose key names an intrinsic function (`Ref`, `Fn::*`). */
export function intrinsicName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

/** Resolves every intrinsic in `value`. `AWS::NoValue` removes object properties and list elements. */
export function resolveValue(value: unknown, scope: IntrinsicScope): unknown {
  const name = intrinsicName(value);
  if (name) return resolveIntrinsic(name, (value as Record<string, unknown>)[name], scope);
  if (Array.isArray(value)) {
    return value.map(v => resolveValue(v, scope)).filter(v => v !== NO_VALUE);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveValue(v, scope);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return value;
}

function fail(scope: IntrinsicScope, message: string): never {
  throw new Error(`${scope.location}: ${message}`);
}

function asString(value: unknown, scope: IntrinsicScope, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(scope, `${fn} expects a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, scope: IntrinsicScope, fn: string): unknown[] {
  if (Array.isArray(value)) return value;
  return fail(scope, `${fn} expects a list, got ${JSON.stringify(value)}`);
}

function resolveIntrinsic(name: string, arg: unknown, scope: IntrinsicScope): unknown {
  if (!SUPPORTED.has(name)) {
    fail(scope, `unsupported intrinsic function ${name} (the local deployer supports ${[...SUPPORTED].join(', ')})`);
  }
  switch (name) {
    case 'Ref': {
      const ref = asString(arg, scope, 'Ref');
      if (ref === 'AWS::NoValue') return NO_VALUE;
      if (ref.startsWith('AWS::')) {
        if (!(ref in scope.pseudoParameters)) fail(scope, `unsupported pseudo parameter ${ref}`);
        return scope.pseudoParameters[ref];
      }
      return scope.ref(ref);
    }
    case 'Fn::GetAtt': {
      let target: unknown[];
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        target = [arg.slice(0, dot), arg.slice(dot + 1)];
      } else {
        target = asList(arg, scope, 'Fn::GetAtt');
      }
      const logicalId = asString(target[0], scope, 'Fn::GetAtt');
      const attribute = asString(resolveValue(target[1], scope), scope, 'Fn::GetAtt');
      return scope.getAtt(logicalId, attribute);
    }
    case 'Fn::Sub': return resolveSub(arg, scope);
    case 'Fn::Join': {
      const [delimiter, list] = asList(arg, scope, 'Fn::Join');
      const items = asList(resolveValue(list, scope), scope, 'Fn::Join');
      return items.filter(i => i !== NO_VALUE).map(i => asString(i, scope, 'Fn::Join')).join(asString(delimiter, scope, 'Fn::Join'));
    }
    case 'Fn::Select': {
      const [index, list] = asList(arg, scope, 'Fn::Select');
      const i = Number(resolveValue(index, scope));
      const items = asList(resolveValue(list, scope), scope, 'Fn::Select');
      if (!Number.isInteger(i) || i < 0 || i >= items.length) fail(scope, `Fn::Select index ${i} is out of bounds for a list of ${items.length}`);
      return items[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asList(arg, scope, 'Fn::Split');
      return asString(resolveValue(source, scope), scope, 'Fn::Split').split(asString(delimiter, scope, 'Fn::Split'));
    }
    case 'Fn::If': {
      const [cond, whenTrue, whenFalse] = asList(arg, scope, 'Fn::If');
      return resolveValue(scope.condition(asString(cond, scope, 'Fn::If')) ? whenTrue : whenFalse, scope);
    }
    case 'Fn::Equals': case 'Fn::Not': case 'Fn::And': case 'Fn::Or':
      return evaluateCondition({ [name]: arg }, scope);
    case 'Fn::ImportValue':
      return scope.importValue(asString(resolveValue(arg, scope), scope, 'Fn::ImportValue'));
    case 'Fn::GetAZs': {
      const region = asString(resolveValue(arg, scope), scope, 'Fn::GetAZs') || scope.region;
      return ['a', 'b', 'c'].map(s => `${region}${s}`);
    }
    case 'Fn::Base64':
      return Buffer.from(asString(resolveValue(arg, scope), scope, 'Fn::Base64'), 'utf8').toString('base64');
    case 'Fn::FindInMap': {
      const [map, top, second] = asList(arg, scope, 'Fn::FindInMap').map(v => asString(resolveValue(v, scope), scope, 'Fn::FindInMap'));
      const value = scope.mappings?.[map]?.[top]?.[second];
      if (value === undefined) fail(scope, `Fn::FindInMap: no value for [${map}, ${top}, ${second}]`);
      return value;
    }
    case 'Fn::Length':
      return asList(resolveValue(arg, scope), scope, 'Fn::Length').length;
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(arg, scope));
  }
  return fail(scope, `unsupported intrinsic function ${name}`);
}

function resolveSub(arg: unknown, scope: IntrinsicScope): string {
  const [template, varsRaw] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
  const str = asString(template, scope, 'Fn::Sub');
  const vars = (varsRaw ? resolveValue(varsRaw, scope) : {}) as Record<string, unknown>;
  return str.replace(/\$\{([^}]*)\}/g, (_match, rawName: string) => {
    const name = rawName.trim();
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in vars) return asString(vars[name], scope, 'Fn::Sub');
    if (name.startsWith('AWS::')) return asString(resolveIntrinsic('Ref', name, scope), scope, 'Fn::Sub');
    const dot = name.indexOf('.');
    if (dot > 0) return asString(scope.getAtt(name.slice(0, dot), name.slice(dot + 1)), scope, 'Fn::Sub');
    return asString(scope.ref(name), scope, 'Fn::Sub');
  });
}

/** Evaluates a condition expression (Fn::Equals/Not/And/Or, `{ "Condition": name }`). */
export function evaluateCondition(expr: unknown, scope: IntrinsicScope): boolean {
  if (typeof expr === 'boolean') return expr;
  if (expr === 'true' || expr === 'false') return expr === 'true';
  if (expr !== null && typeof expr === 'object' && !Array.isArray(expr)) {
    const keys = Object.keys(expr);
    const obj = expr as Record<string, unknown>;
    if (keys.length === 1) {
      const arg = obj[keys[0]];
      switch (keys[0]) {
        case 'Condition': return scope.condition(asString(arg, scope, 'Condition'));
        case 'Fn::Equals': {
          const [a, b] = asList(arg, scope, 'Fn::Equals').map(v => resolveValue(v, scope));
          return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
        }
        case 'Fn::Not': return !evaluateCondition(asList(arg, scope, 'Fn::Not')[0], scope);
        case 'Fn::And': return asList(arg, scope, 'Fn::And').every(c => evaluateCondition(c, scope));
        case 'Fn::Or': return asList(arg, scope, 'Fn::Or').some(c => evaluateCondition(c, scope));
      }
    }
  }
  const resolved = resolveValue(expr, scope);
  if (typeof resolved === 'boolean') return resolved;
  if (resolved === 'true' || resolved === 'false') return resolved === 'true';
  return fail(scope, `not a condition: ${JSON.stringify(expr)}`);
}

function normalize(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

/** The partition of a Region: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** The URL suffix of a Region's partition. */
export function urlSuffixOf(region: string): string {
  switch (partitionOf(region)) {
    case 'aws-cn': return 'amazonaws.com.cn';
    case 'aws-iso': return 'c2s.ic.gov';
    case 'aws-iso-b': return 'sc2s.sgov.gov';
    default: return 'amazonaws.com';
  }
}

/** Deep-converts numbers and booleans to strings, as CloudFormation does for custom resource properties. */
export function stringifyLeaves(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringifyLeaves);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyLeaves(v)]));
  }
  return value;
}
