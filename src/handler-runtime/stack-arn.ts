/**
 * Reading a custom resource event's `StackId`, the ARN of the stack that holds the resource:
 * `arn:<partition>:cloudformation:<region>:<account>:stack/<stack name>/<uuid>`. The account is
 * the handler's own (a stack's custom resources are served by a function of the same account).
 */
export interface StackArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

const STACK_ARN_PATTERN = /^arn:([^:]+):cloudformation:([^:]+):(\d{12}):stack\//;

/** The partition, Region and account of a stack ARN; throws for anything else. */
export function parseStackArn(stackId: string): StackArn {
  const match = STACK_ARN_PATTERN.exec(stackId);
  if (!match) throw new Error(`StackId ${JSON.stringify(stackId)} is not a CloudFormation stack ARN (arn:<partition>:cloudformation:<region>:<account>:stack/...)`);
  const [, partition, region, account] = match;
  return { partition, region, account };
}
