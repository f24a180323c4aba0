import { Duration, Token } from 'aws-cdk-lib';
import { MAX_TAGS, accountIdProblem, environmentNameProblem, roleArnProblem, tagsProblem } from './proton-patterns';

/**
 * Synth-time checks shared by every construct. Each is token-aware: an unresolved value
 * is accepted here and checked by the handler at deploy time instead. Errors name the
 * construct path, the prop and the rule that was broken.
 */

/** Throws an `Error` naming the construct path and the prop. */
export function invalidProp(constructPath: string, prop: string, value: unknown, rule: string): never {
  throw new Error(`${constructPath}: invalid ${prop} ${JSON.stringify(value)}: ${rule}`);
}

/** Validates a 12-digit account id unless it is a token. */
export function checkAccountId(constructPath: string, prop: string, value: string): void {
  if (typeof value !== 'string') invalidProp(constructPath, prop, value, 'must be a string');
  if (Token.isUnresolved(value)) return;
  const problem = accountIdProblem(value);
  if (problem) invalidProp(constructPath, prop, value, problem);
}

/** Validates an environment name unless it is a token. */
export function checkEnvironmentName(constructPath: string, prop: string, value: string): void {
  if (typeof value !== 'string') invalidProp(constructPath, prop, value, 'must be a string');
  if (Token.isUnresolved(value)) return;
  const problem = environmentNameProblem(value);
  if (problem) invalidProp(constructPath, prop, value, problem);
}

/** Validates a role ARN (at most `maxLength` characters) unless it (or any part of it) is a token. */
export function checkRoleArn(constructPath: string, prop: string, value: string, maxLength?: number): void {
  if (Token.isUnresolved(value)) return;
  const problem = roleArnProblem(value, maxLength);
  if (problem) invalidProp(constructPath, prop, value, problem);
}

/** Validates tags; keys and values that are tokens are checked at deploy time. */
export function checkTags(constructPath: string, prop: string, tags: Record<string, string>): void {
  const count = Object.keys(tags).length;
  if (count > MAX_TAGS) invalidProp(constructPath, prop, tags, `must hold at most ${MAX_TAGS} tags (got ${count})`);
  const literal: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!Token.isUnresolved(key)) literal[key] = Token.isUnresolved(value) ? '' : value;
  }
  const problem = tagsProblem(literal);
  if (problem) invalidProp(constructPath, prop, tags, problem);
}

/** Rejects duplicates in a list of literal strings. */
export function checkUnique(constructPath: string, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (Token.isUnresolved(value)) continue;
    if (seen.has(value)) invalidProp(constructPath, prop, values, `lists "${value}" more than once`);
    seen.add(value);
  }
}

/**
 * Whole seconds of a duration within [min, max] seconds, or an error naming the prop.
 * Checked from milliseconds so that fractional seconds get this error, not aws-cdk-lib's.
 */
export function wholeSeconds(constructPath: string, prop: string, duration: Duration, min: number, max: number, rule: string): number {
  const millis = duration.toMilliseconds();
  if (Token.isUnresolved(millis) || !Number.isInteger(millis / 1000) || millis / 1000 < min || millis / 1000 > max) {
    invalidProp(constructPath, prop, duration.toHumanString(), rule);
  }
  return millis / 1000;
}

/** IAM role names: 1 to 64 of letters, digits and `+=,.@_-`. */
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/** Validates an optional IAM role name unless it is a token. */
export function checkRoleName(constructPath: string, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (!ROLE_NAME_PATTERN.test(name)) {
    invalidProp(constructPath, prop, name, 'an IAM role name is 1 to 64 letters, digits and "+=,.@_-"');
  }
}
