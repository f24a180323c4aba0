import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `arn:<partition>:proton:<region>:<account>:environment-account-connection/*` in the scope's
 * Region: the connections of `account` (default: the scope's account; `*` for any).
 */
export function connectionArnPattern(scope: IConstruct, account?: string): string {
  return Stack.of(scope).formatArn({ service: 'proton', account, resource: 'environment-account-connection', resourceName: '*' });
}
