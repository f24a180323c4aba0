import { Aws, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './validation';

/**
 * The one check that a management account (or an environment account the management side
 * accepts) is not the stack's own account: a connection always links two different accounts.
 * It sees a literal equal to the stack's literal account, and the stack's own account given as a
 * token (`Aws.ACCOUNT_ID`, `stack.account` of an environment-agnostic stack); other tokens are
 * checked by the handlers at deploy.
 */
export function checkNotOwnAccount(scope: IConstruct, prop: string, account: string, why: string): void {
  if (isOwnAccount(scope, account)) {
    invalidProp(scope.node.path, prop, Token.isUnresolved(account) ? '${AWS::AccountId}' : account, `is this stack's own account: ${why}`);
  }
}

/** Whether `account` is, literally or as the `AWS::AccountId` token, the account of `scope`'s stack. */
export function isOwnAccount(scope: IConstruct, account: string): boolean {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(account)) return !Token.isUnresolved(stack.account) && stack.account === account;
  const resolved = JSON.stringify(stack.resolve(account));
  return resolved === JSON.stringify(stack.resolve(Aws.ACCOUNT_ID)) || resolved === JSON.stringify(stack.resolve(stack.account));
}
