import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledgements of cdk-nag `AwsSolutions-IAM5` (wildcard) findings that exist by design.
 * Each names one exact finding, never the whole rule, and carries the reason.
 */
const WILDCARD_RULE = 'AwsSolutions-IAM5';

/**
 * Acknowledges one wildcard finding, e.g. `Action::s3:*`, on `scope`.
 *
 * aws-cdk-lib releases before bracket-aware validation ids (2.263.0, the floor, among them) reserve
 * `::` as the one prefix separator and throw `InvalidValidationId` for a finding such as
 * `Resource::arn:<AWS::Partition>:…`. There the acknowledgement cannot be expressed at all, so it
 * is left out: a cdk-nag run on such a release reports that finding, and synth still succeeds.
 */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  try {
    acknowledgeFinding(scope, `${WILDCARD_RULE}[${finding}]`, reason);
  } catch (error) {
    if (!isInvalidValidationId(error)) throw error;
  }
}

/**
 * Acknowledges one finding (`AwsSolutions-S1`, `AwsSolutions-IAM5[…]`) on `scope`, with the reason.
 *
 * aws-cdk-lib records a stack trace with every acknowledgement. It would only name this function,
 * and capturing it is most of the acknowledgement's cost (about 0.4 ms of 0.5; three per
 * environment stack), so it is recorded without one.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    Validations.of(scope).acknowledge({ id, reason });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function isInvalidValidationId(error: unknown): boolean {
  return error instanceof Error && /InvalidValidationId|Invalid validation rule ID/.test(`${error.name} ${error.message}`);
}

/** Acknowledges the wildcard finding a resource ARN (which may hold tokens) raises on `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  acknowledgeWildcard(scope, `Resource::${renderedAsNagDoes(Stack.of(scope).resolve(arn))}`, reason);
}

/** Renders a resolved CloudFormation value the way cdk-nag names it in a finding. */
function renderedAsNagDoes(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, any>;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(renderedAsNagDoes).join(separator);
    }
    if ('Ref' in object) return `<${object.Ref}>`;
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  return JSON.stringify(value);
}
