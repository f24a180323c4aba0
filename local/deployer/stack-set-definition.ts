/**
 * What a deployed `AWS::CloudFormation::StackSet` resource asks for, read from its resolved properties and checked as
 * CloudFormation checks them (only service-managed StackSets with a JSON `TemplateBody` are deployed locally), and the
 * capabilities its instance template requires (`InsufficientCapabilities`).
 */
import type { CfnTemplate } from './cloud-assembly';

export const STACK_SET_TYPE = 'AWS::CloudFormation::StackSet';

/** One `StackInstancesGroup` entry: instances in every account of the OUs (nested ones included), in each Region. */
export interface StackInstancesGroup {
  readonly organizationalUnitIds: readonly string[];
  readonly regions: readonly string[];
}

/** A service-managed StackSet, as its resource defines it. */
export interface StackSetDefinition {
  /** The resource's logical id in the management stack. */
  readonly logicalId: string;
  readonly name: string;
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  readonly autoDeployment: { readonly enabled: boolean; readonly retainStacksOnAccountRemoval: boolean };
  readonly groups: readonly StackInstancesGroup[];
  /** The instance template's parameter values. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly template: CfnTemplate;
  /** `OperationPreferences.MaxConcurrentCount` (default 1): instances deployed at once. */
  readonly maxConcurrentCount: number;
  /** `OperationPreferences.RegionOrder`: Regions in this order first. */
  readonly regionOrder: readonly string[];
}

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

/** IAM resource types that need a capability, with the property that gives them a custom name (then CAPABILITY_NAMED_IAM). */
const IAM_TYPES: Readonly<Record<string, string | undefined>> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::Policy': undefined,
  'AWS::IAM::RolePolicy': undefined,
  'AWS::IAM::UserPolicy': undefined,
  'AWS::IAM::GroupPolicy': undefined,
  'AWS::IAM::AccessKey': undefined,
  'AWS::IAM::UserToGroupAddition': undefined,
};

/** Whether a value is still an intrinsic function (`{ "Ref": ... }`, `{ "Fn::...": ... }`) somewhere. */
export function containsIntrinsic(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsIntrinsic);
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return true;
  return Object.values(value).some(containsIntrinsic);
}

/**
 * Reads a StackSet resource's resolved properties; throws an Error naming the property and the rule it breaks
 * (`StackSet <logicalId>: ...`).
 */
export function parseStackSet(logicalId: string, props: Record<string, unknown>): StackSetDefinition {
  const fail = (text: string): never => {
    throw new Error(`${STACK_SET_TYPE} ${logicalId}: ${text}`);
  };
  const name = props.StackSetName;
  if (typeof name !== 'string' || !/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name)) {
    fail(`StackSetName must be a string of up to 128 letters, digits and hyphens starting with a letter (got ${JSON.stringify(name)})`);
  }
  if (props.PermissionModel === 'SELF_MANAGED') {
    fail('PermissionModel SELF_MANAGED is not supported by the local deployer: only SERVICE_MANAGED StackSets (deployed to organizational units through AWS Organizations) are deployed locally');
  }
  if (props.PermissionModel !== 'SERVICE_MANAGED') fail(`PermissionModel must be SERVICE_MANAGED or SELF_MANAGED (got ${JSON.stringify(props.PermissionModel)})`);
  const callAs = props.CallAs ?? 'SELF';
  if (callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') fail(`CallAs must be SELF or DELEGATED_ADMIN (got ${JSON.stringify(props.CallAs)})`);
  if (props.TemplateURL !== undefined) {
    fail('TemplateURL is not supported by the local deployer (it never reads S3): give the instance template as TemplateBody (a JSON string)');
  }
  if (typeof props.TemplateBody !== 'string' || props.TemplateBody.trim() === '') fail('TemplateBody is required (the instance template as a JSON string)');
  let template: CfnTemplate;
  try {
    template = JSON.parse(props.TemplateBody as string) as CfnTemplate;
  } catch (err) {
    return fail(`TemplateBody must be a JSON template (YAML is not read by the local deployer): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (template === null || typeof template !== 'object' || Array.isArray(template)) fail('TemplateBody must be a JSON object (a CloudFormation template)');

  const auto = (props.AutoDeployment ?? {}) as Record<string, unknown>;
  const flag = (key: string): boolean => {
    const v = auto[key];
    if (v === undefined) return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return fail(`AutoDeployment.${key} must be a boolean (got ${JSON.stringify(v)})`);
  };
  const autoDeployment = { enabled: flag('Enabled'), retainStacksOnAccountRemoval: flag('RetainStacksOnAccountRemoval') };

  const groupsProp = props.StackInstancesGroup ?? [];
  if (!Array.isArray(groupsProp)) fail('StackInstancesGroup must be a list of { DeploymentTargets, Regions }');
  const groups = (groupsProp as unknown[]).map((g, i): StackInstancesGroup => {
    const where = `StackInstancesGroup[${i}]`;
    const group = (g ?? {}) as Record<string, unknown>;
    const targets = (group.DeploymentTargets ?? {}) as Record<string, unknown>;
    if (targets.Accounts !== undefined || targets.AccountFilterType !== undefined) {
      fail(`${where}.DeploymentTargets: Accounts and AccountFilterType are not supported by the local deployer: target organizational units (OrganizationalUnitIds)`);
    }
    const ous = targets.OrganizationalUnitIds;
    if (!Array.isArray(ous) || ous.length === 0 || !ous.every(o => typeof o === 'string' && /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(o))) {
      fail(`${where}.DeploymentTargets.OrganizationalUnitIds must be a non-empty list of OU ids (ou-...) or the root id (r-...) (got ${JSON.stringify(ous)})`);
    }
    const regions = group.Regions;
    if (!Array.isArray(regions) || regions.length === 0 || !regions.every(r => typeof r === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r))) {
      fail(`${where}.Regions must be a non-empty list of Regions such as us-east-1 (got ${JSON.stringify(regions)})`);
    }
    return { organizationalUnitIds: ous as string[], regions: regions as string[] };
  });

  const paramsProp = props.Parameters ?? [];
  if (!Array.isArray(paramsProp)) fail('Parameters must be a list of { ParameterKey, ParameterValue }');
  const parameters: Record<string, string> = {};
  (paramsProp as unknown[]).forEach((p, i) => {
    const { ParameterKey: key, ParameterValue: value } = (p ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string' || key === '') fail(`Parameters[${i}].ParameterKey must be a non-empty string`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') fail(`Parameters[${i}].ParameterValue must be a string (parameter ${key as string})`);
    parameters[key as string] = String(value);
  });
  const declared = Object.keys(template.Parameters ?? {});
  const undeclared = Object.keys(parameters).filter(k => !declared.includes(k));
  if (undeclared.length > 0) fail(`Parameters: ${undeclared.join(', ')} ${undeclared.length > 1 ? 'are' : 'is'} not declared in the TemplateBody's Parameters`);

  const capabilities = props.Capabilities ?? [];
  if (!Array.isArray(capabilities) || !capabilities.every(c => CAPABILITIES.includes(c as string))) {
    fail(`Capabilities must be a list of ${CAPABILITIES.join(', ')} (got ${JSON.stringify(capabilities)})`);
  }
  const missing = missingCapability(template, capabilities as string[]);
  if (missing) fail(`InsufficientCapabilities: Requires capabilities : [${missing}]`);

  const prefs = (props.OperationPreferences ?? {}) as Record<string, unknown>;
  const max = prefs.MaxConcurrentCount === undefined ? 1 : Number(prefs.MaxConcurrentCount);
  if (!Number.isInteger(max) || max < 1) fail(`OperationPreferences.MaxConcurrentCount must be a positive integer (got ${JSON.stringify(prefs.MaxConcurrentCount)})`);
  const regionOrder = Array.isArray(prefs.RegionOrder) ? prefs.RegionOrder.map(String) : [];

  return {
    logicalId,
    name: name as string,
    callAs: callAs as StackSetDefinition['callAs'],
    autoDeployment,
    groups,
    parameters,
    template,
    maxConcurrentCount: max,
    regionOrder,
  };
}

/**
 * The capability CloudFormation requires for the template's IAM resources and the `Capabilities` lack:
 * `CAPABILITY_NAMED_IAM` when one has a custom name (RoleName, ...), else `CAPABILITY_IAM`; undefined when given.
 */
export function missingCapability(template: CfnTemplate, capabilities: readonly string[]): string | undefined {
  const iam = Object.values(template.Resources ?? {}).filter(r => r && Object.prototype.hasOwnProperty.call(IAM_TYPES, r.Type));
  if (iam.length === 0 || capabilities.includes('CAPABILITY_NAMED_IAM')) return undefined;
  const named = iam.some(r => {
    const nameProperty = IAM_TYPES[r.Type];
    return nameProperty !== undefined && r.Properties?.[nameProperty] !== undefined;
  });
  if (named) return 'CAPABILITY_NAMED_IAM';
  return capabilities.includes('CAPABILITY_IAM') ? undefined : 'CAPABILITY_IAM';
}
