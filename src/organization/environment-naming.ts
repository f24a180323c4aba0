import { Aws, Fn, Token } from 'aws-cdk-lib';
import { environmentNameFor, namePrefixProblem } from './naming-rule';
import { accountIdProblem } from '../shared/proton-patterns';
import { invalidProp } from '../shared/validation';

/**
 * How each account of an organizational unit names its Proton environment, the one rule both
 * sides share: the environment side's StackSet derives each account's name with it, and the
 * management side's acceptor accepts exactly that name from each account of its trusted OUs.
 */
export class EnvironmentNaming {
  /**
   * The environment of account `<id>` is `<prefix>-<id>` (e.g. `platform-222222222222`): valid for
   * every 12-digit account, and no two accounts share a name.
   * @param prefix letters, digits, `_` and `-`, starting with a letter or digit; at most 87 characters
   */
  public static accountIdWithPrefix(prefix: string): EnvironmentNaming {
    if (Token.isUnresolved(prefix)) {
      invalidProp('EnvironmentNaming.accountIdWithPrefix', 'prefix', prefix, 'must be a literal: both sides must know the rule at synth');
    }
    const problem = namePrefixProblem(prefix);
    if (problem) invalidProp('EnvironmentNaming.accountIdWithPrefix', 'prefix', prefix, problem);
    return new EnvironmentNaming(prefix);
  }

  /** The prefix before `-<account id>`. */
  public readonly prefix: string;

  private constructor(prefix: string) {
    this.prefix = prefix;
  }

  /**
   * The environment name of `accountId`.
   * @param accountId a 12-digit account id, or a token such as `Aws.ACCOUNT_ID` (then the name is a token too)
   */
  public environmentNameFor(accountId: string): string {
    const problem = Token.isUnresolved(accountId) ? undefined : accountIdProblem(accountId);
    if (problem) invalidProp('EnvironmentNaming.environmentNameFor', 'accountId', accountId, problem);
    return Token.isUnresolved(accountId) ? Fn.join('', [environmentNameFor(this.prefix, ''), accountId]) : environmentNameFor(this.prefix, accountId);
  }

  /** The environment name of the account a stack (or StackSet instance) is deployed in. */
  public environmentNameOfDeployingAccount(): string {
    return this.environmentNameFor(Aws.ACCOUNT_ID);
  }
}
