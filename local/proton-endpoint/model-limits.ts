/**
 * Constraints of AWS Proton's service model (botocore `proton/2020-07-20/service-2.json`, checked against
 * botocore 1.43.11 and 1.44.8) that the local endpoint enforces on top of `src/shared/proton-patterns.ts`:
 * the `Arn` shape (resource ARNs of the tag operations, and the output shape of `roleArn`), the output
 * limits of the role ARNs, and the `NextToken` pattern. Smithy patterns are ECMA-262 regular expressions,
 * so `$` matches only at the very end (a trailing newline does not match).
 */
import { characterLength } from '../../src/shared/proton-patterns';

/** Shape `Arn`: `resourceArn` of TagResource, UntagResource and ListTagsForResource; also output `roleArn`. */
export const ARN_SHAPE = {
  name: 'Arn',
  min: 1,
  max: 200,
  pattern: /^arn:(aws|aws-cn|aws-us-gov):[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:\d{12}:([\w+=,.@-]+[/:])*[\w+=,.@-]+$/,
} as const;

/** Shape `NextToken` (ListEnvironmentAccountConnections, input and output): no length limit, this pattern. */
export const NEXT_TOKEN_PATTERN = /^[A-Za-z0-9+=/]+$/;

export type RoleArnField = 'roleArn' | 'codebuildRoleArn' | 'componentRoleArn';

export interface OutputLimit {
  /** The longest value every output shape that returns the field can hold. */
  readonly max: number;
  /** The output members (and their shapes) that set `max`. */
  readonly shapes: string;
}

/**
 * Every role ARN comes in as shape `RoleArn` (1 to 2048 characters), but some outputs return it in the
 * shorter `Arn` shape (at most 200): a longer value could be stored but never returned.
 */
export const ROLE_ARN_OUTPUT_LIMITS: Readonly<Record<RoleArnField, OutputLimit>> = {
  roleArn: {
    max: 200,
    shapes: 'EnvironmentAccountConnection.roleArn and EnvironmentAccountConnectionSummary.roleArn (shape Arn, 1 to 200 characters)',
  },
  componentRoleArn: {
    max: 200,
    shapes: 'EnvironmentAccountConnectionSummary.componentRoleArn (shape Arn, 1 to 200 characters; ListEnvironmentAccountConnections)',
  },
  codebuildRoleArn: {
    max: 2048,
    shapes: 'EnvironmentAccountConnection.codebuildRoleArn (shape RoleArn, 1 to 2048 characters)',
  },
};

/** Why `arn` does not satisfy shape `Arn`, in the words of AWS's validation messages; `undefined` when it does. */
export function arnShapeProblem(arn: string): string | undefined {
  const length = characterLength(arn);
  if (length < ARN_SHAPE.min) return `Member must have length greater than or equal to ${ARN_SHAPE.min}`;
  if (length > ARN_SHAPE.max) return `Member must have length less than or equal to ${ARN_SHAPE.max} (got ${length})`;
  if (!ARN_SHAPE.pattern.test(arn)) return `Member must satisfy regular expression pattern: ${ARN_SHAPE.pattern.source}`;
  return undefined;
}
