import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Who a Proton provisioning role trusts: a service principal, only on behalf of the
 * management account's named environments (the confused-deputy conditions from the
 * AWS Proton user guide). In the cross-account case the environment lives in the
 * management account, so that is the account both conditions name.
 */
export interface EnvironmentTrust {
  /** The management account that owns the Proton environments. */
  readonly managementAccountId: string;
  /** Environment names; `['*']` only when every environment of the account is trusted. */
  readonly environmentNames: string[];
}

/** `arn:<partition>:proton:<region>:<management account>:environment/<name>` in the scope's Region. */
export function protonEnvironmentArn(scope: IConstruct, managementAccountId: string, environmentName: string): string {
  return Stack.of(scope).formatArn({
    service: 'proton',
    account: managementAccountId,
    resource: 'environment',
    resourceName: environmentName,
  });
}

/** The environment ARNs a trust covers. */
export function trustedEnvironmentArns(scope: IConstruct, trust: EnvironmentTrust): string[] {
  return trust.environmentNames.map((name) => protonEnvironmentArn(scope, trust.managementAccountId, name));
}

/** `service` as a principal that can act only for the trusted environments. */
export function confusedDeputySafePrincipal(scope: IConstruct, service: string, trust: EnvironmentTrust): iam.IPrincipal {
  const sourceArns = trustedEnvironmentArns(scope, trust);
  return new iam.ServicePrincipal(service).withConditions({
    StringEquals: { 'aws:SourceAccount': trust.managementAccountId },
    ArnLike: { 'aws:SourceArn': sourceArns.length === 1 ? sourceArns[0] : sourceArns },
  });
}
