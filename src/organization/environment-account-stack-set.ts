import { CfnParameter, CfnStackSet, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentNaming } from './environment-naming';
import { organizationalUnitIdProblem } from './naming-rule';
import { registerStackSet } from './organization-consistency';
import { checkAssetBucketNamePrefix } from './stack-set-asset-bucket';
import { StackSetTemplateSynthesizer } from './stack-set-template-synthesizer';
import { EnvironmentAccountConnection } from '../connection/environment-account-connection';
import { EnvironmentAccountProtonRole } from '../proton-role/environment-account-proton-role';
import { ProvisioningPermissions } from '../proton-role/provisioning-permissions';
import { checkAccountId, checkTags, checkUnique, invalidProp } from '../shared/validation';

/** Who creates the StackSet: the organization's management account or a delegated administrator. */
export enum StackSetCaller {
  /** The organization's management account. */
  SELF = 'SELF',
  /** A delegated administrator account for CloudFormation StackSets. */
  DELEGATED_ADMIN = 'DELEGATED_ADMIN',
}

/** Properties of `EnvironmentAccountStackSet`. */
export interface EnvironmentAccountStackSetProps {
  /**
   * The OUs (or the root) whose accounts get the environment side: accounts of nested OUs too,
   * and accounts that join them later (auto-deployment).
   */
  readonly organizationalUnitIds: string[];

  /** The Regions of the Proton environments: one stack instance per account and Region. */
  readonly regions: string[];

  /** The rule that names each account's environment: the same the acceptor uses. */
  readonly environmentNaming: EnvironmentNaming;

  /** The Proton management account (the template's `ProtonManagementAccountId` parameter). */
  readonly managementAccountId: string;

  /**
   * The handler code lives in bucket `<assetBucketNamePrefix>-<region>` of each Region, in the
   * account that deploys the StackSet, readable by the organization (`StackSetAssetBucket`).
   * `cdk deploy` publishes it there before it creates or updates the StackSet.
   */
  readonly assetBucketNamePrefix: string;

  /**
   * What the environment templates may create, usable only through CloudFormation.
   * @default - none: add them with `role.addProvisioningPermissions()`
   */
  readonly provisioningPermissions?: ProvisioningPermissions[];

  /**
   * The StackSet's name.
   * @default - a name generated from the construct path
   */
  readonly stackSetName?: string;

  /**
   * Whether the deploying account is the organization's management account or a delegated administrator.
   * @default StackSetCaller.SELF
   */
  readonly callAs?: StackSetCaller;

  /**
   * Tags of every connection request.
   * @default - none
   */
  readonly tags?: { [key: string]: string };

  /**
   * The most accounts deployed at once, as a percentage of the targets per Region.
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * The percentage of accounts per Region whose instance may fail before the operation stops.
   * @default 0
   */
  readonly failureTolerancePercentage?: number;
}

const MANAGEMENT_ACCOUNT_PARAMETER = 'ProtonManagementAccountId';

const STACK_SET_NAME_PATTERN = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * The environment side of every account of some OUs, as one service-managed StackSet with
 * auto-deployment: each account gets the scoped Proton role and the connection request for the
 * environment `environmentNaming` gives it, in each Region. An account that leaves the OUs loses
 * its stack instance, so its request is deleted. Deploy it in the organization's management
 * account or a CloudFormation StackSets delegated administrator.
 *
 * The template (`templateStack`) is environment-agnostic and inline (`TemplateBody`); add your
 * own resources to it if every account needs them.
 */
export class EnvironmentAccountStackSet extends Construct {
  /** The template's parameter that names the Proton management account (a stack instance may override it). */
  public static readonly MANAGEMENT_ACCOUNT_PARAMETER: string = MANAGEMENT_ACCOUNT_PARAMETER;

  /** The `AWS::CloudFormation::StackSet` resource. */
  public readonly stackSet: CfnStackSet;
  /** The stack whose template every account gets; it is not deployed as a stack. */
  public readonly templateStack: Stack;
  /** The scoped Proton role of each account. */
  public readonly role: EnvironmentAccountProtonRole;
  /** The connection request of each account. */
  public readonly connection: EnvironmentAccountConnection;
  /** The naming rule. */
  public readonly environmentNaming: EnvironmentNaming;
  /** The Proton management account. */
  public readonly managementAccountId: string;
  /** The target OUs. */
  public readonly organizationalUnitIds: string[];
  /** The target Regions. */
  public readonly regions: string[];
  private readonly synthesizer: StackSetTemplateSynthesizer;

  constructor(scope: Construct, id: string, props: EnvironmentAccountStackSetProps) {
    super(scope, id);
    const path = this.node.path;
    checkTargets(path, props);
    checkAccountId(path, 'managementAccountId', props.managementAccountId);
    if (props.tags) checkTags(path, 'tags', props.tags);
    checkAssetBucketNamePrefix(path, 'assetBucketNamePrefix', props.assetBucketNamePrefix, props.regions);
    const stackSetName = props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128 }).replace(/^[^a-zA-Z]+/, 'S');
    if (!Token.isUnresolved(stackSetName) && !STACK_SET_NAME_PATTERN.test(stackSetName)) {
      invalidProp(path, 'stackSetName', stackSetName, 'must start with a letter and hold only letters, digits and "-", at most 128 characters');
    }
    const maxConcurrent = percentage(path, 'maxConcurrentPercentage', props.maxConcurrentPercentage ?? 25, 1);
    const failureTolerance = percentage(path, 'failureTolerancePercentage', props.failureTolerancePercentage ?? 0, 0);

    this.environmentNaming = props.environmentNaming;
    this.managementAccountId = props.managementAccountId;
    this.organizationalUnitIds = [...props.organizationalUnitIds];
    this.regions = [...props.regions];

    this.synthesizer = new StackSetTemplateSynthesizer({ bucketNamePrefix: props.assetBucketNamePrefix, regions: this.regions });
    this.templateStack = new Stack(this, 'Template', {
      synthesizer: this.synthesizer,
      analyticsReporting: false,
      description: `AWS Proton environment account connection for the environment "${props.environmentNaming.prefix}-<account id>" (StackSet ${stackSetName})`,
    });
    // The CDK CLI treats a stack's dependency as assets (not as a stack to list or deploy) by its
    // id's ".assets": the template's only artifact is its asset manifest, under this id.
    Object.defineProperty(this.templateStack, 'artifactId', { value: `${this.templateStack.artifactId}.assets` });
    const managementAccount = new CfnParameter(this.templateStack, MANAGEMENT_ACCOUNT_PARAMETER, {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The AWS Proton management account',
    });
    const environmentName = props.environmentNaming.environmentNameOfDeployingAccount();
    this.role = new EnvironmentAccountProtonRole(this.templateStack, 'ProtonRole', {
      managementAccountId: managementAccount.valueAsString,
      environmentNames: [environmentName],
      provisioningPermissions: props.provisioningPermissions,
    });
    this.connection = new EnvironmentAccountConnection(this.templateStack, 'Connection', {
      managementAccountId: managementAccount.valueAsString,
      environmentName,
      role: this.role,
      tags: props.tags,
    });

    this.stackSet = new CfnStackSet(this, 'Resource', {
      stackSetName,
      description: `The AWS Proton environment side of each account of ${this.organizationalUnitIds.join(', ')}`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs ?? StackSetCaller.SELF,
      capabilities: Lazy.uncachedList({ produce: () => capabilitiesOf(this.templateBody()) }),
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: maxConcurrent,
        failureTolerancePercentage: failureTolerance,
      },
      parameters: [{ parameterKey: MANAGEMENT_ACCOUNT_PARAMETER, parameterValue: props.managementAccountId }],
      stackInstancesGroup: [{
        deploymentTargets: { organizationalUnitIds: this.organizationalUnitIds },
        regions: this.regions,
      }],
      templateBody: Lazy.uncachedString({ produce: () => this.templateBody() }),
    });
    // `cdk deploy` publishes the template's assets (its artifact) before it deploys this stack
    Stack.of(this).addStackDependency(this.templateStack, 'the StackSet template\'s handler code is published before the StackSet');
    registerStackSet(this);
  }

  /**
   * The rendered template. The template stack is synthesized before the stack holding the StackSet
   * (children first); before synthesis (aspects, the reference pass of `prepare`) it is an empty one.
   */
  private templateBody(): string {
    return this.synthesizer.templateBody ?? '{}';
  }
}

function checkTargets(path: string, props: EnvironmentAccountStackSetProps): void {
  const ous = props.organizationalUnitIds;
  if (!Array.isArray(ous) || ous.length === 0) invalidProp(path, 'organizationalUnitIds', ous, 'must name at least one OU or root id');
  for (const ou of ous) {
    if (Token.isUnresolved(ou)) invalidProp(path, 'organizationalUnitIds', ou, 'must be a literal: the acceptor\'s trust is checked against it at synth');
    const problem = organizationalUnitIdProblem(ou);
    if (problem) invalidProp(path, 'organizationalUnitIds', ou, problem);
  }
  checkUnique(path, 'organizationalUnitIds', ous);
  const regions = props.regions;
  if (!Array.isArray(regions) || regions.length === 0) invalidProp(path, 'regions', regions, 'must name at least one Region');
  for (const region of regions) {
    if (Token.isUnresolved(region) || !REGION_PATTERN.test(region)) {
      invalidProp(path, 'regions', region, 'must be a literal Region name such as "us-east-1" (each needs its asset bucket)');
    }
  }
  checkUnique(path, 'regions', regions);
  if (!props.environmentNaming || typeof props.environmentNaming.prefix !== 'string') {
    invalidProp(path, 'environmentNaming', props.environmentNaming, 'must come from EnvironmentNaming.accountIdWithPrefix()');
  }
}

function percentage(path: string, prop: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 100) invalidProp(path, prop, value, `must be an integer from ${min} to 100`);
  return value;
}

const IAM_NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/** The capabilities CloudFormation asks of a template: `CAPABILITY_NAMED_IAM` when an IAM resource is named. */
export function capabilitiesOf(templateBody: string): string[] {
  type Resource = { Type: string; Properties?: Record<string, unknown> };
  const resources = Object.values((JSON.parse(templateBody).Resources ?? {}) as Record<string, Resource>);
  const iam = resources.filter((r) => r.Type.startsWith('AWS::IAM::'));
  if (iam.some((r) => IAM_NAME_PROPERTIES[r.Type] && r.Properties?.[IAM_NAME_PROPERTIES[r.Type]] !== undefined)) return ['CAPABILITY_NAMED_IAM'];
  return iam.length > 0 ? ['CAPABILITY_IAM'] : [];
}
