/**
 * The SSM parameters that exist: the `AWS::SSM::Parameter` resources of the stacks that exist (see live-stacks.ts),
 * by account and Region. They appear when their resource is created and disappear with it (and with their stack).
 */
import { partitionOf } from './intrinsics';
import type { StackView } from './live-stacks';

export const SSM_PARAMETER = 'AWS::SSM::Parameter';

/** A parameter as the SSM API describes it. */
export interface StoredParameter {
  readonly Name: string;
  readonly Type: 'String' | 'StringList';
  readonly Value: string;
  readonly Version: number;
  /** Epoch seconds (how the awsJson1_1 protocol sends timestamps). */
  readonly LastModifiedDate: number;
  readonly ARN: string;
  readonly DataType: string;
}

/** `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>` */
export function parameterArn(account: string, region: string, name: string): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
}

/** The parameters of `account` in `region`, sorted by name. */
export function parametersIn(stacks: readonly StackView[], account: string, region: string): StoredParameter[] {
  const found = new Map<string, StoredParameter>();
  for (const stack of stacks) {
    if (stack.account !== account || stack.region !== region) continue;
    for (const r of Object.values(stack.resources)) {
      if (r.type !== SSM_PARAMETER) continue;
      const type = r.properties.Type === 'StringList' ? 'StringList' : 'String';
      const value = r.properties.Value;
      found.set(r.physicalId, {
        Name: r.physicalId,
        Type: type,
        Value: Array.isArray(value) ? value.join(',') : String(value ?? ''),
        Version: 1,
        LastModifiedDate: Math.floor(Date.parse(stack.lastUpdated) / 1000),
        ARN: parameterArn(account, region, r.physicalId),
        DataType: typeof r.properties.DataType === 'string' ? r.properties.DataType : 'text',
      });
    }
  }
  return [...found.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
