/**
 * The AWS Proton service model's constraints on the fields this library handles
 * (botocore `proton/2020-07-20/service-2.json`). Shared by the constructs (synth-time
 * validation), the handlers (deploy-time validation of tokens) and the local endpoint.
 *
 * Every pattern is anchored: the model's patterns are full-match patterns.
 */

/** `^\d{12}$`: an AWS account id. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** Environment names: 1 to 100 characters, a letter or digit first, then letters, digits, `_` or `-`. */
export const ENVIRONMENT_NAME_PATTERN = /^[0-9A-Za-z]+[0-9A-Za-z_\-]*$/;
export const ENVIRONMENT_NAME_MAX_LENGTH = 100;

/** IAM role ARNs accepted for `roleArn`, `codebuildRoleArn` and `componentRoleArn` (1 to 2048 characters). */
export const ROLE_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/([\w+=,.@-]{1,512}[/:])*([\w+=,.@-]{1,64})$/;
export const ROLE_ARN_MAX_LENGTH = 2048;
/**
 * `roleArn` and `componentRoleArn` come back in shapes of at most 200 characters (the model's
 * `Arn`): a longer one would be accepted but never returned, so it is refused.
 */
export const RETURNED_ROLE_ARN_MAX_LENGTH = 200;

/** Connection ids are lowercase UUIDs. */
export const CONNECTION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `clientToken`: 0 to 64 printable ASCII characters. */
export const CLIENT_TOKEN_PATTERN = /^[!-~]*$/;
export const CLIENT_TOKEN_MAX_LENGTH = 64;

/** Tag limits. */
export const TAG_KEY_MIN_LENGTH = 1;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
export const MAX_TAGS = 50;
/** Tag keys with this prefix are reserved for AWS. */
export const RESERVED_TAG_PREFIX = 'aws:';

/** Connection statuses. */
export type ConnectionStatus = 'PENDING' | 'CONNECTED' | 'REJECTED';
export const CONNECTION_STATUSES: readonly ConnectionStatus[] = ['PENDING', 'CONNECTED', 'REJECTED'];

/** Returns why `name` is not a valid environment name, or `undefined` when it is. */
export function environmentNameProblem(name: string): string | undefined {
  if (characterLength(name) < 1 || characterLength(name) > ENVIRONMENT_NAME_MAX_LENGTH) {
    return `must be 1 to ${ENVIRONMENT_NAME_MAX_LENGTH} characters long (got ${characterLength(name)})`;
  }
  if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
    return 'must start with a letter or digit and contain only letters, digits, "_" and "-"';
  }
  return undefined;
}

/** Returns why `accountId` is not a valid account id, or `undefined` when it is. */
export function accountIdProblem(accountId: string): string | undefined {
  return ACCOUNT_ID_PATTERN.test(accountId) ? undefined : 'must be a 12-digit AWS account id';
}

/** Returns why `arn` is not a role ARN Proton accepts, or `undefined` when it is. */
export function roleArnProblem(arn: string, maxLength: number = ROLE_ARN_MAX_LENGTH): string | undefined {
  if (arn.length < 1 || arn.length > maxLength) {
    return maxLength < ROLE_ARN_MAX_LENGTH
      ? `must be 1 to ${maxLength} characters long (AWS Proton returns this role ARN in a shape of at most ${maxLength})`
      : `must be 1 to ${maxLength} characters long`;
  }
  return ROLE_ARN_PATTERN.test(arn)
    ? undefined
    : 'must be an IAM role ARN in the aws, aws-cn or aws-us-gov partition (arn:<partition>:iam::<12-digit account>:role/<name>)';
}

/** Length in Unicode characters (code points), as the service model's length constraints count. */
export function characterLength(text: string): number {
  return [...text].length;
}

/** Returns why a tag set is invalid for Proton, or `undefined` when it is valid. */
export function tagsProblem(tags: Record<string, string>): string | undefined {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) {
    return `must hold at most ${MAX_TAGS} tags (got ${keys.length})`;
  }
  for (const key of keys) {
    const keyLength = characterLength(key);
    if (keyLength < TAG_KEY_MIN_LENGTH || keyLength > TAG_KEY_MAX_LENGTH) {
      return `tag key "${key}" must be ${TAG_KEY_MIN_LENGTH} to ${TAG_KEY_MAX_LENGTH} characters long`;
    }
    if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
      return `tag key "${key}" uses the reserved prefix "${RESERVED_TAG_PREFIX}"`;
    }
    const value = tags[key];
    if (typeof value !== 'string' || characterLength(value) > TAG_VALUE_MAX_LENGTH) {
      return `tag "${key}" must have a string value of at most ${TAG_VALUE_MAX_LENGTH} characters`;
    }
  }
  return undefined;
}
