import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import {
  forbiddenService, partitionOfRegion, validAccountId, validAction, validBootstrapQualifier, validEnvironmentName,
  validIamRoleName, validRoleDescription, validServicePrefix,
} from './oracle';
import {
  OTHER_ACCOUNT, STACK_ACCOUNT, StackEnv, StrInput, accountLiteralArb, assertPropError, check, environmentNameLiteralArb, expectArn,
  isToken, literal, materialize, newStack, optionalBoolean, render, stackEnvArb, synthesize, tokenArb, validEnvironmentNameArb,
} from './support';
import { EnvironmentAccountProtonRole, ProvisioningPermissions } from '../../src';

const counter = { cases: 0 };
afterAll(() => console.log(`[property] environment-account-proton-role: ${counter.cases} cases`));

type PermissionInput = { kind: 'services'; values: string[] } | { kind: 'actions'; values: string[] } | { kind: 'broad' };

const permissionArb: fc.Arbitrary<PermissionInput> = fc.oneof(
  fc.array(fc.constantFrom('s3', 'sqs', 'iam', 'lambda', 'ec2-x', 'organizations', 'account', 'S3', '', '-bad', 's3*'), { maxLength: 3 })
    .map((values) => ({ kind: 'services' as const, values })),
  fc.array(fc.constantFrom('s3:CreateBucket', 'sqs:*', 'ec2:Describe*', 'iam:CreateRole', '*', 's3:', 'S3:CreateBucket', 'organizations:ListAccounts', 'account:GetContactInformation', 's3:Create-Bucket', 's3'), { maxLength: 3 })
    .map((values) => ({ kind: 'actions' as const, values })),
  fc.constant({ kind: 'broad' as const }),
);

function permissionValid(p: PermissionInput): boolean {
  if (p.kind === 'broad') return true;
  if (p.values.length === 0) return false;
  return p.kind === 'services' ? p.values.every((s) => validServicePrefix(s) && !forbiddenService(s)) : p.values.every(validAction);
}

function bind(p: PermissionInput): ProvisioningPermissions {
  if (p.kind === 'broad') return ProvisioningPermissions.allServicesExceptOrganizationsAndAccount();
  return p.kind === 'services' ? ProvisioningPermissions.fromServices(...p.values) : ProvisioningPermissions.fromActions(...p.values);
}

const accountInput = fc.oneof(
  { weight: 5, arbitrary: literal(accountLiteralArb) },
  // the stack's own account: refused when the stack names it (and always as Aws.ACCOUNT_ID, from tokenArb)
  { weight: 1, arbitrary: literal(fc.constant(STACK_ACCOUNT)) },
  { weight: 1, arbitrary: tokenArb(fc.constantFrom('111111111111', 'not-an-account'), fc.constant('1111')) },
);
const nameInput = fc.oneof({ weight: 5, arbitrary: literal(environmentNameLiteralArb) }, { weight: 1, arbitrary: tokenArb(fc.oneof(validEnvironmentNameArb, fc.constant('bad/name')), fc.constant('dev-')) });

interface RoleCase {
  env: StackEnv;
  managementAccountId: StrInput;
  environmentNames?: StrInput[];
  trustAllEnvironments?: boolean;
  roleName?: string;
  description?: string;
  provisioningPermissions?: PermissionInput[];
  codeBuildRole?: { assumeCdkBootstrapRoles?: boolean; cdkBootstrapQualifier?: string; roleName?: string };
  componentRole?: { provisioningPermissions?: PermissionInput[] };
}

const roleNameArb = fc.option(fc.oneof(fc.constantFrom('', 'ProtonRole', 'r'.repeat(64), 'r'.repeat(65), 'bad name', 'rôle'), fc.string({ minLength: 1, maxLength: 8 })), { nil: undefined });

const roleCaseArb: fc.Arbitrary<RoleCase> = fc.record({
  env: stackEnvArb,
  managementAccountId: accountInput,
  environmentNames: fc.option(fc.oneof(
    fc.array(nameInput, { maxLength: 4 }),
    nameInput.map((n) => [n, n]),
  ), { nil: undefined }),
  trustAllEnvironments: optionalBoolean,
  roleName: roleNameArb,
  description: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('d'.repeat(1000), 'd'.repeat(1001))), { nil: undefined }),
  provisioningPermissions: fc.option(fc.array(permissionArb, { maxLength: 2 }), { nil: undefined }),
  codeBuildRole: fc.option(fc.record({
    assumeCdkBootstrapRoles: optionalBoolean,
    cdkBootstrapQualifier: fc.option(fc.constantFrom('hnb659fds', 'custom_1', '', 'q'.repeat(10), 'q'.repeat(11), 'bad q', 'ü'), { nil: undefined }),
    roleName: roleNameArb,
  }, { requiredKeys: [] }), { nil: undefined }),
  componentRole: fc.option(fc.record({ provisioningPermissions: fc.option(fc.array(permissionArb, { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: ['env', 'managementAccountId'] });

/** What the documented constraints say about a case: the props that must be refused. */
function offendingProps(c: RoleCase): { proton: string[]; cdk: string[] } {
  const proton: string[] = [];
  const cdk: string[] = [];
  const m = c.managementAccountId;
  if (m.kind === 'literal' && !validAccountId(m.value)) proton.push('managementAccountId');
  // a connection links two different accounts: the stack's own account, literal or Aws.ACCOUNT_ID, is refused
  if (m.kind === 'Aws.ACCOUNT_ID' || (m.kind === 'literal' && m.value === STACK_ACCOUNT && c.env !== 'agnostic')) proton.push('managementAccountId');
  const names = c.environmentNames ?? [];
  if (c.trustAllEnvironments ? names.length > 0 : names.length === 0) proton.push('environmentNames');
  if (names.some((n) => n.kind === 'literal' && !validEnvironmentName(n.value))) proton.push('environmentNames');
  if ((c.provisioningPermissions ?? []).some((p) => !permissionValid(p))) proton.push('provisioningPermissions');
  if ((c.componentRole?.provisioningPermissions ?? []).some((p) => !permissionValid(p))) proton.push('provisioningPermissions');
  const cb = c.codeBuildRole;
  if (cb && cb.cdkBootstrapQualifier !== undefined && (!cb.assumeCdkBootstrapRoles || !validBootstrapQualifier(cb.cdkBootstrapQualifier))) {
    proton.push('codeBuildRole.cdkBootstrapQualifier');
  }
  if (c.roleName !== undefined && !validIamRoleName(c.roleName)) cdk.push('roleName');
  if (cb?.roleName !== undefined && !validIamRoleName(cb.roleName)) cdk.push('roleName');
  if (c.description !== undefined && !validRoleDescription(c.description)) cdk.push('description');
  return { proton, cdk };
}

function trustStatement(role: any): any {
  const statements = role.Properties.AssumeRolePolicyDocument.Statement;
  if (statements.length !== 1) throw new Error(`expected one trust statement, got ${JSON.stringify(statements)}`);
  return statements[0];
}

function checkTrust(stack: Stack, statement: any, service: string, account: string, names: string[]): void {
  expect(statement.Effect).toBe('Allow');
  expect(statement.Action).toBe('sts:AssumeRole');
  expect(statement.Principal).toEqual({ Service: service });
  expect(Object.keys(statement.Condition).sort()).toEqual(['ArnLike', 'StringEquals']);
  expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': stack.resolve(account) });
  const sourceArns = statement.Condition.ArnLike['aws:SourceArn'];
  const arns: unknown[] = Array.isArray(sourceArns) ? sourceArns : [sourceArns];
  expect(arns).toHaveLength(names.length);
  arns.forEach((arn, i) => expectArn(stack, render(arn), 'proton', render(stack.resolve(account)), `environment/${render(stack.resolve(names[i]))}`));
}

test('every EnvironmentAccountProtonRole input synthesizes the exact trust, or throws naming the prop', () => {
  check(roleCaseArb, 300, (c) => {
    const stack = newStack(c.env);
    const managementAccountId = materialize(stack, c.managementAccountId);
    const environmentNames = c.environmentNames?.map((n) => materialize(stack, n));
    const { proton, cdk } = offendingProps(c);
    const mayRefuse = (c.environmentNames ?? []).length !== new Set(environmentNames).size ? ['environmentNames'] : [];
    let role: EnvironmentAccountProtonRole;
    try {
      role = new EnvironmentAccountProtonRole(stack, 'Role', {
        managementAccountId,
        environmentNames,
        trustAllEnvironments: c.trustAllEnvironments,
        roleName: c.roleName,
        description: c.description,
        provisioningPermissions: c.provisioningPermissions?.map(bind),
        codeBuildRole: c.codeBuildRole,
        componentRole: c.componentRole && { provisioningPermissions: c.componentRole.provisioningPermissions?.map(bind) },
      });
    } catch (error) {
      const refusable = [...proton, ...mayRefuse];
      // roleName and description are validated by aws-cdk-lib's iam.Role, whose message names the prop but not the path
      const namesCdkProp = error instanceof Error && cdk.some((prop) => error.message.includes(prop));
      if (refusable.length + cdk.length === 0) throw new Error(`valid input refused: ${(error as Error)?.message}`);
      if (!namesCdkProp) assertPropError(error, 'Env/Role', refusable);
      return;
    }
    if (proton.length + cdk.length > 0) throw new Error(`accepted invalid input (should refuse ${[...proton, ...cdk].join(', ')})`);

    const template = synthesize(stack).toJSON();
    const roles = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::IAM::Role') as any[];
    expect(roles).toHaveLength(1 + (c.codeBuildRole ? 1 : 0) + (c.componentRole ? 1 : 0));
    const trusted = c.trustAllEnvironments ? ['*'] : environmentNames!;
    const main = roles.find((r) => r.Properties.Policies?.[0]?.PolicyName === 'ProtonProvisioning');
    checkTrust(stack, trustStatement(main), 'proton.amazonaws.com', managementAccountId, trusted);
    expect(main.Properties.RoleName).toEqual(c.roleName);
    if (c.description !== undefined) expect(main.Properties.Description).toBe(c.description);
    else expect(main.Properties.Description).toBeUndefined();
    expect(role.environmentNames).toEqual(trusted);
    if (c.codeBuildRole) {
      const cb = roles.find((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'codebuild.amazonaws.com');
      checkTrust(stack, trustStatement(cb), 'codebuild.amazonaws.com', managementAccountId, trusted);
    }
    if (c.componentRole) {
      const component = roles.find((r) => r.Properties.Policies?.[0]?.PolicyName === 'ProtonComponentProvisioning');
      checkTrust(stack, trustStatement(component), 'proton.amazonaws.com', managementAccountId, trusted);
    }
    for (const r of roles) {
      for (const policy of r.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          if (statement.Sid === 'ManageProtonStacks') {
            expectArn(stack, render(statement.Resource), 'cloudformation', render(stack.resolve(stack.account)), 'stack/AWSProton-*');
            continue;
          }
          if (['ProtonCodeBuildLogs', 'NotifyProtonOfDeploymentStatus', 'AssumeCdkBootstrapRoles'].includes(statement.Sid)) continue;
          // never administrator: everything else only through CloudFormation, never organizations/account
          expect(statement.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } });
          expect([statement.Action].flat()).not.toContain('*');
          for (const action of [statement.Action ?? []].flat() as string[]) expect(forbiddenService(action.split(':')[0])).toBe(false);
        }
      }
    }
    if (!Token.isUnresolved(stack.account) && !isToken(c.managementAccountId)) expect(stack.account).toBe(STACK_ACCOUNT);
  }, counter);
});

// ---------------------------------------------------------------------------------------------
// The guarantee on the final policy: a statement added to any of the three roles afterwards

/** The 16 documented CloudFormation actions (copied from the README, not imported from the library). */
const BASE_ACTIONS = [
  'CancelUpdateStack', 'ContinueUpdateRollback', 'CreateChangeSet', 'CreateStack', 'DeleteChangeSet', 'DeleteStack', 'DescribeChangeSet',
  'DescribeStackDriftDetectionStatus', 'DescribeStackEvents', 'DescribeStackResourceDrifts', 'DescribeStacks', 'DetectStackResourceDrift',
  'ExecuteChangeSet', 'ListChangeSets', 'ListStackResources', 'UpdateStack',
].map((action) => `cloudformation:${action}`);

type Target = 'proton' | 'component' | 'codebuild';
type ResourceInput = 'base' | 'base-literal' | 'star' | 'other-account-stacks' | 'all-stacks' | 'bucket';
type ConditionInput = 'called-via' | 'called-via-string' | 'called-via-and-region' | 'called-via-two-services' | 'called-via-if-exists' | 'region-only' | 'none';

interface AddedStatement {
  env: StackEnv;
  via: 'policy' | 'override';
  target: Target;
  effect: 'Allow' | 'Deny';
  notAction: boolean;
  actions: string[];
  notResource: boolean;
  resources: ResourceInput[];
  condition: ConditionInput;
}

const actionPool = fc.constantFrom(
  's3:GetObject', 's3:*', 'iam:CreateRole', 'sts:AssumeRole', 'lambda:Create*', 'organizations:ListAccounts', 'organizations:*', 'account:CloseAccount',
  '*', '*:Get*', 's3*:GetObject', 'S3:GetObject', 'cloudformation:SetStackPolicy', 'cloudformation:*', ...BASE_ACTIONS,
);
const addedStatementArb: fc.Arbitrary<AddedStatement> = fc.record({
  env: stackEnvArb,
  via: fc.constantFrom<'policy' | 'override'>('policy', 'override'),
  target: fc.constantFrom<Target>('proton', 'component', 'codebuild'),
  effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Allow', 'Deny'),
  notAction: fc.boolean(),
  actions: fc.oneof(
    fc.uniqueArray(actionPool, { minLength: 1, maxLength: 3 }),
    fc.constant<string[]>(['organizations:*', 'account:*']),
    fc.constant<string[]>(['account:*', 'organizations:*']),
    fc.uniqueArray(fc.constantFrom(...BASE_ACTIONS), { minLength: 1, maxLength: 4 }),
  ),
  notResource: fc.constantFrom(false, false, false, true),
  resources: fc.uniqueArray(fc.constantFrom<ResourceInput>('base', 'base-literal', 'star', 'other-account-stacks', 'all-stacks', 'bucket'), { minLength: 1, maxLength: 2 }),
  condition: fc.constantFrom<ConditionInput>('called-via', 'called-via-string', 'called-via-and-region', 'called-via-two-services', 'called-via-if-exists', 'region-only', 'none'),
});

function resourceArn(stack: Stack, env: StackEnv, resource: ResourceInput): string {
  const region = env === 'agnostic' || env === 'account-only' ? undefined : env;
  switch (resource) {
    case 'base': return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' });
    case 'base-literal': return region && env !== 'agnostic'
      ? `arn:${partitionOfRegion(region)}:cloudformation:${region}:${STACK_ACCOUNT}:stack/AWSProton-*`
      : stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' });
    case 'star': return '*';
    case 'other-account-stacks': return `arn:aws:cloudformation:eu-west-1:${OTHER_ACCOUNT}:stack/AWSProton-*`;
    case 'all-stacks': return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: '*' });
    case 'bucket': return 'arn:aws:s3:::bucket/*';
  }
}

function conditionOf(condition: ConditionInput): Record<string, unknown> | undefined {
  const region = { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } };
  switch (condition) {
    case 'called-via': return { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    case 'called-via-string': return { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' } };
    case 'called-via-and-region': return { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] }, ...region };
    case 'called-via-two-services': return { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com', 'lambda.amazonaws.com'] } };
    case 'called-via-if-exists': return { 'ForAnyValue:StringEqualsIfExists': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    case 'region-only': return region;
    case 'none': return undefined;
  }
}

/** What the README promises about one added statement: accepted, or refused at synth. */
function guaranteeAccepts(c: AddedStatement): boolean {
  if (c.effect === 'Deny') return true;
  const calledVia = ['called-via', 'called-via-string', 'called-via-and-region'].includes(c.condition);
  const throughCloudFormation = c.target !== 'codebuild';
  if (c.notAction) {
    const broadDefault = c.actions.length === 2 && c.actions.includes('organizations:*') && c.actions.includes('account:*');
    return throughCloudFormation && broadDefault && !c.notResource && c.resources.length === 1 && c.resources[0] === 'star' && calledVia;
  }
  if (c.notResource) return false;
  if (!c.actions.every(validAction)) return false;
  if (!throughCloudFormation || calledVia) return true;
  return c.actions.every((action) => BASE_ACTIONS.includes(action)) && c.resources.every((r) => r === 'base' || r === 'base-literal');
}

const verdicts = { accepted: 0, refused: 0 };
afterAll(() => console.log(`[property] guarantee on the final policy: ${verdicts.accepted} accepted, ${verdicts.refused} refused`));

test('a statement added to any of the three roles synthesizes exactly when the documented rules allow it', () => {
  check(addedStatementArb, 300, (c) => {
    const stack = newStack(c.env);
    const proton = new EnvironmentAccountProtonRole(stack, 'Role', { managementAccountId: OTHER_ACCOUNT, environmentNames: ['dev'], codeBuildRole: {}, componentRole: {} });
    const role = { proton, component: proton.componentRole!, codebuild: proton.codeBuildRole! }[c.target];
    const resources = c.resources.map((r) => resourceArn(stack, c.env, r));
    const condition = conditionOf(c.condition);
    // raw JSON (aws-cdk-lib's PolicyStatement would refuse some malformed actions itself)
    const statement = {
      Effect: c.effect,
      [c.notAction ? 'NotAction' : 'Action']: c.actions,
      [c.notResource ? 'NotResource' : 'Resource']: resources,
      ...(condition ? { Condition: condition } : {}),
    };
    const document = { Version: '2012-10-17', Statement: [statement] };
    if (c.via === 'policy') {
      new iam.CfnPolicy(stack, 'Added', { policyName: 'added', roles: [role.roleName], policyDocument: document });
    } else {
      (role.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies.1', { PolicyName: 'Added', PolicyDocument: document });
    }
    const path = { proton: 'Env/Role', component: 'Env/Role/ComponentRole', codebuild: 'Env/Role/CodeBuildRole' }[c.target];
    const kind = { proton: 'Proton role', component: 'component role', codebuild: 'CodeBuild provisioning role' }[c.target];
    let error: unknown;
    try {
      synthesize(stack);
    } catch (e) {
      error = e;
    }
    verdicts[guaranteeAccepts(c) ? 'accepted' : 'refused']++;
    if (guaranteeAccepts(c)) {
      if (error) throw new Error(`accepted by the rules, refused at synth: ${(error as Error).message}`);
      return;
    }
    if (!error) throw new Error('refused by the rules, synthesized');
    const message = (error as Error).message;
    const where = c.via === 'policy' ? `[${path}] ${path}: AWS::IAM::Policy Added (Env/Added): statement {` : `[${path}] ${path}: inline policy "Added" of the role: statement {`;
    if (!message.includes(where) || !message.includes(`breaks the guarantee of the ${kind}: `)) {
      throw new Error(`refused without naming the role, the policy and the rule: ${message}`);
    }
  }, counter);
});

// KNOWN BUG (reported, excluded from the generator above): roleName '' passes aws-cdk-lib's check
// (it skips falsy names) and lands in the template as RoleName "", which IAM refuses at deploy.
// This repro fails while the bug exists; when it starts passing, drop `.failing` and re-add '' above.
test('fixed: roleName "" is refused at synth, naming roleName', () => {
  const stack = newStack('eu-west-1');
  expect(() => new EnvironmentAccountProtonRole(stack, 'Role', { managementAccountId: '111111111111', environmentNames: ['dev'], roleName: '' }))
    .toThrow(/roleName/);
});
