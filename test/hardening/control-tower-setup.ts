import { App, CfnResource, InjectionContext, IPropertyInjector, PropertyInjectors, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { EnvironmentAccountProtonRole, HandlerOptions, HandlerOptionsInjection } from '../../src';
import { acknowledgeGuardRule } from '../support/guard';

/**
 * What a Control Tower-governed organization adds to an app of this library: its landing zone's
 * VPC (imported, one per account, private subnets with a NAT gateway or `proton`/`ssm` interface
 * endpoints) and a customer managed key for log groups, injected into every stack's handlers.
 */
export class ControlTowerHandlerOptions implements IPropertyInjector {
  public readonly constructUniqueId = HandlerOptionsInjection.PROPERTY_INJECTION_ID;
  /** The stacks the injector was called for, in order. */
  public readonly calls: string[] = [];

  public inject(originalProps: HandlerOptions, context: InjectionContext): HandlerOptions {
    const stack = Stack.of(context.scope);
    this.calls.push(`${stack.stackName}/${context.id}`);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'LandingZoneVpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: [`${stack.region}a`, `${stack.region}b`],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
    });
    const logGroupEncryptionKey = stack.node.tryFindChild('HandlerLogsKey') as kms.IKey | undefined ?? organizationKey(stack);
    return { vpc, logGroupEncryptionKey, reservedConcurrentExecutions: 2, ...originalProps };
  }
}

/** A key as the organization's controls want it: rotated, grants only for AWS services (CT.KMS.PR.3). */
function organizationKey(stack: Stack): kms.IKey {
  const key = new kms.Key(stack, 'HandlerLogsKey', { enableKeyRotation: true, description: 'Encrypts the Proton connection handlers\' log groups' });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}

/** Registers the organization's handler options on every stack of `app`. */
export function hardenApp(app: App): ControlTowerHandlerOptions {
  const injector = new ControlTowerHandlerOptions();
  PropertyInjectors.of(app).add(injector);
  return injector;
}

export const FULL_ACCESS_RULE = 'iam_inline_policy_no_statements_with_full_access_check';

/**
 * The examples' own choice, not the library's: they grant their environment templates whole
 * services (`ProvisioningPermissions.fromServices('ec2', …)`), which CT.IAM.PR.5 rejects. The
 * acknowledgement covers that one rule on each Proton role's L1 resource.
 */
export const FULL_ACCESS_REASON = 'Proton provisioning role: ProvisioningPermissions.fromServices grants the services the environment templates create (e.g. ec2:*), '
  + 'usable only through CloudFormation (aws:CalledVia = cloudformation.amazonaws.com) when AWS Proton provisions this environment; '
  + 'the role cannot call them directly. An organization that must pass CT.IAM.PR.5 unacknowledged lists the templates\' exact actions with ProvisioningPermissions.fromActions.';

export function acknowledgeExampleChoices(app: IConstruct): string[] {
  const roles = app.node.findAll().filter((c): c is EnvironmentAccountProtonRole => c instanceof EnvironmentAccountProtonRole);
  return roles.map((role) => {
    const resource = role.node.defaultChild as CfnResource;
    acknowledgeGuardRule(resource, FULL_ACCESS_RULE, FULL_ACCESS_REASON);
    return resource.node.path;
  });
}
