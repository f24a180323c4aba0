/**
 * Input checks shared by the operations: JSON types, unknown members and the model's field
 * constraints (through `src/shared/proton-patterns.ts` and `./model-limits.ts`). Every failure is a
 * ValidationException naming the field.
 */
import { CallerIdentity } from './caller-identity';
import { validationError } from './errors';
import { arnShapeProblem, NEXT_TOKEN_PATTERN, ROLE_ARN_OUTPUT_LIMITS, RoleArnField } from './model-limits';
import {
  accountIdProblem,
  characterLength,
  CLIENT_TOKEN_MAX_LENGTH,
  CLIENT_TOKEN_PATTERN,
  CONNECTION_ID_PATTERN,
  CONNECTION_STATUSES,
  ConnectionStatus,
  environmentNameProblem,
  MAX_TAGS,
  roleArnProblem,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  tagsProblem,
} from '../../src/shared/proton-patterns';

export type JsonObject = Record<string, unknown>;

/** Rejects members the operation's input shape does not have (the local endpoint is strict on purpose). */
export function rejectUnknownMembers(input: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      throw validationError(key, `'${key}' is not a member of this operation's input (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function optionalString(input: JsonObject, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw validationError(field, `Member must be a string (got ${typeof value})`);
  }
  return value;
}

export function requiredString(input: JsonObject, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined) {
    throw validationError(field, 'Member must not be null');
  }
  return value;
}

export function checkConnectionId(id: string, field = 'id'): string {
  if (!CONNECTION_ID_PATTERN.test(id)) {
    throw validationError(field, `Member must satisfy regular expression pattern: ${CONNECTION_ID_PATTERN.source} (got '${id}')`);
  }
  return id;
}

export function checkEnvironmentName(name: string, field = 'environmentName'): string {
  const problem = environmentNameProblem(name);
  if (problem) throw validationError(field, `environment name ${problem}`);
  return name;
}

export function checkAccountId(accountId: string, field: string): string {
  const problem = accountIdProblem(accountId);
  if (problem) throw validationError(field, `'${accountId}' ${problem}`);
  return accountId;
}

/**
 * A role ARN passed to Create or Update: the model's input shape `RoleArn`, the length the output shapes can
 * return, the caller's partition, and (a local decision, see README) the environment account, which is where
 * the roles Proton assumes live.
 */
export function checkRoleArn(arn: string, field: RoleArnField, caller: CallerIdentity, environmentAccountId?: string): string {
  const problem = roleArnProblem(arn);
  if (problem) throw validationError(field, `'${arn}' ${problem}`);
  const output = ROLE_ARN_OUTPUT_LIMITS[field];
  const length = characterLength(arn);
  if (length > output.max) {
    throw validationError(field, `Member must have length less than or equal to ${output.max} (got ${length}): `
      + `AWS Proton returns ${field} in ${output.shapes}, so it could not return a connection with this ${field}`);
  }
  const partition = arn.split(':')[1];
  if (partition !== caller.partition) {
    throw validationError(field, `role ARN partition '${partition}' does not match the partition '${caller.partition}' of Region ${caller.region}`);
  }
  if (environmentAccountId !== undefined) checkRoleAccount(arn, field, environmentAccountId);
  return arn;
}

/** A role ARN must name a role in the connection's environment account. */
export function checkRoleAccount(arn: string, field: string, environmentAccountId: string): void {
  const account = arn.split(':')[4];
  if (account !== environmentAccountId) {
    throw validationError(field, `role '${arn}' must be in the environment account ${environmentAccountId} (it is in ${account})`);
  }
}

export function checkClientToken(token: string): string {
  if (token.length > CLIENT_TOKEN_MAX_LENGTH) {
    throw validationError('clientToken', `Member must have length less than or equal to ${CLIENT_TOKEN_MAX_LENGTH}`);
  }
  if (!CLIENT_TOKEN_PATTERN.test(token)) {
    throw validationError('clientToken', 'Member must contain only printable ASCII characters');
  }
  return token;
}

/**
 * A `resourceArn` of the tag operations: shape `Arn` (1 to 200 characters and its pattern). Only an ARN that
 * passes is looked up (and may then be ResourceNotFoundException).
 */
export function checkResourceArn(arn: string, field = 'resourceArn'): string {
  const problem = arnShapeProblem(arn);
  if (problem) throw validationError(field, `${problem} (got ${JSON.stringify(arn)})`);
  return arn;
}

/** The `nextToken` of ListEnvironmentAccountConnections: shape `NextToken`. */
export function checkNextToken(token: string, field = 'nextToken'): string {
  if (!NEXT_TOKEN_PATTERN.test(token)) {
    throw validationError(field, `Member must satisfy regular expression pattern: ${NEXT_TOKEN_PATTERN.source}`);
  }
  return token;
}

/**
 * `tags`: a list of `{key, value}`, at most 50, no duplicate keys, within the length limits. A Map, so that
 * every key the model allows (`__proto__`, `constructor`, ...) is kept as given.
 */
export function parseTagList(value: unknown, field = 'tags'): Map<string, string> {
  if (!Array.isArray(value)) {
    throw validationError(field, 'Member must be a list of {key, value} tags');
  }
  if (value.length > MAX_TAGS) {
    throw validationError(field, `Member must have length less than or equal to ${MAX_TAGS} (got ${value.length} tags)`);
  }
  const tags = new Map<string, string>();
  value.forEach((tag: unknown, index) => {
    if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) {
      throw validationError(`${field}.${index + 1}`, 'Member must be a {key, value} structure');
    }
    const { key, value: tagValue, ...rest } = tag as JsonObject;
    if (Object.keys(rest).length > 0) {
      throw validationError(`${field}.${index + 1}`, `unknown tag member(s) ${Object.keys(rest).join(', ')}`);
    }
    if (typeof key !== 'string') throw validationError(`${field}.${index + 1}.member.key`, 'Member must be a string');
    if (typeof tagValue !== 'string') throw validationError(`${field}.${index + 1}.member.value`, 'Member must be a string');
    if (tags.has(key)) {
      throw validationError(field, `duplicate tag key "${key}"`);
    }
    tags.set(key, tagValue);
  });
  const problem = tagsProblem(tagRecord(tags));
  if (problem) throw validationError(field, problem);
  return tags;
}

/** Tags as a record without a prototype: every key, `__proto__` included, is an own property. */
export function tagRecord(tags: Iterable<[string, string]>): Record<string, string> {
  const record: Record<string, string> = Object.create(null);
  for (const [key, value] of tags) record[key] = value;
  return record;
}

export function parseTagKeys(value: unknown, field = 'tagKeys'): string[] {
  if (!Array.isArray(value)) throw validationError(field, 'Member must be a list of strings');
  if (value.length > MAX_TAGS) {
    throw validationError(field, `Member must have length less than or equal to ${MAX_TAGS}`);
  }
  return value.map((key: unknown, index) => {
    if (typeof key !== 'string') throw validationError(`${field}.${index + 1}`, 'Member must be a string');
    const length = characterLength(key);
    if (length < TAG_KEY_MIN_LENGTH || length > TAG_KEY_MAX_LENGTH) {
      throw validationError(`${field}.${index + 1}`, `tag key must be ${TAG_KEY_MIN_LENGTH} to ${TAG_KEY_MAX_LENGTH} characters long`);
    }
    return key;
  });
}

export function parseStatuses(value: unknown): ConnectionStatus[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validationError('statuses', 'Member must be a list of statuses');
  return value.map((status: unknown, index) => {
    if (typeof status !== 'string' || !(CONNECTION_STATUSES as readonly string[]).includes(status)) {
      throw validationError(`statuses.${index + 1}`, `Member must satisfy enum value set: [${CONNECTION_STATUSES.join(', ')}] (got ${JSON.stringify(status)})`);
    }
    return status as ConnectionStatus;
  });
}

export function parseMaxResults(value: unknown, field = 'maxResults'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(field, 'Member must be an integer');
  }
  if (value < 1 || value > 100) {
    throw validationError(field, `Member must be between 1 and 100 (got ${value})`);
  }
  return value;
}
