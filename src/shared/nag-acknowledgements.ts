import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledgements of cdk-nag `AwsSolutions-IAM5` (wildcard) findings that exist by design.
 * Each names one exact finding, never the whole rule, and carries the reason.
 */
const WILDCARD_RULE = 'AwsSolutions-IAM5';

/** Acknowledges one wildcard finding, e.g. `Action::s3:*`, on `scope`. */
export function acknowledgeWildcard(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${WILDCARD_RULE}[${finding}]`, reason });
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
