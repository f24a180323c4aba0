import { accountIdProblem, environmentNameProblem, roleArnProblem, tagsProblem } from '../shared/proton-patterns';

/**
 * Deploy-time parsing of custom resource properties. CloudFormation passes every value as a
 * string (booleans and numbers too), and values that were tokens at synth are checked here for
 * the first time; errors name the property and the rule, like synth-time errors do.
 */
export class PropertyError extends Error {
  constructor(property: string, value: unknown, rule: string) {
    super(`invalid ${property} ${JSON.stringify(value)}: ${rule}`);
    this.name = 'PropertyError';
  }
}

type Properties = Record<string, unknown>;

export function requiredString(props: Properties, name: string): string {
  const value = props[name];
  if (typeof value !== 'string' || value.length === 0) throw new PropertyError(name, value, 'is required');
  return value;
}

export function optionalString(props: Properties, name: string): string | undefined {
  const value = props[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new PropertyError(name, value, 'must be a string');
  return value;
}

/** `'true'`/`'false'` (as CloudFormation sends them) or real booleans. */
export function booleanProperty(props: Properties, name: string, fallback: boolean): boolean {
  const value = props[name];
  if (value === undefined || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new PropertyError(name, value, 'must be "true" or "false"');
}

/** A whole number (CloudFormation sends numbers as strings) within bounds. */
export function integerProperty(props: Properties, name: string, fallback: number, min: number, max: number): number {
  const value = props[name];
  if (value === undefined || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new PropertyError(name, value, `must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}

export function accountIdProperty(props: Properties, name: string): string {
  const value = requiredString(props, name);
  const problem = accountIdProblem(value);
  if (problem) throw new PropertyError(name, value, problem);
  return value;
}

export function environmentNameProperty(props: Properties, name: string): string {
  const value = requiredString(props, name);
  const problem = environmentNameProblem(value);
  if (problem) throw new PropertyError(name, value, problem);
  return value;
}

export function roleArnProperty(props: Properties, name: string, required: true, maxLength?: number): string;
export function roleArnProperty(props: Properties, name: string, required: false, maxLength?: number): string | undefined;
export function roleArnProperty(props: Properties, name: string, required: boolean, maxLength?: number): string | undefined {
  const value = required ? requiredString(props, name) : optionalString(props, name);
  if (value === undefined) return undefined;
  const problem = roleArnProblem(value, maxLength);
  if (problem) throw new PropertyError(name, value, problem);
  return value;
}

/** A `{ key: value }` tag map. */
export function tagsProperty(props: Properties, name: string): Record<string, string> {
  const value = props[name];
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PropertyError(name, value, 'must be a map of tag keys to values');
  }
  const tags = value as Record<string, string>;
  const problem = tagsProblem(tags);
  if (problem) throw new PropertyError(name, value, problem);
  return { ...tags };
}
