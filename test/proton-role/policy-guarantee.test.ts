import { App, Aspects, Aws, CfnCondition, CfnElement, CfnParameter, Fn, IAspect, Lazy, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EnvironmentAccountProtonRole, EnvironmentAccountProtonRoleProps, ProvisioningPermissions } from '../../src';
import { PROTON_CLOUDFORMATION_ACTIONS } from '../../src/proton-role/cloudformation-base';

const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'eu-west-1';
const ROLE = 'EnvironmentAccount/ProtonRole';
const VIA_CLOUDFORMATION = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };

const CALLED_VIA = 'every statement except the CloudFormation base (only the 16 documented CloudFormation actions, only on '
  + 'arn:<partition>:cloudformation:<this Region>:<this account>:stack/AWSProton-*) must carry the condition '
  + 'ForAnyValue:StringEquals aws:CalledVia = cloudformation.amazonaws.com';
const ACTION_FORMAT = 'an action is "<service>:<Action>" with a literal, lowercase service prefix (e.g. "s3:CreateBucket"); "*" is never allowed';
const NOT_ACTION_PROTON = 'NotAction is refused in an Allow statement: it grants every action it does not name '
  + '(the one exception is the documented broad default of ProvisioningPermissions.allServicesExceptOrganizationsAndAccount(): '
  + 'NotAction exactly ["organizations:*","account:*"] on "*", with the CalledVia condition)';
const NOT_ACTION = 'NotAction is refused in an Allow statement: it grants every action it does not name';
const NOT_RESOURCE = 'NotResource is refused in an Allow statement: it grants on every resource it does not name';
const MANAGED = 'only AWS::IAM::ManagedPolicy resources of this stack may be attached: the library cannot see what any other '
  + 'managed policy grants (AWS managed policies included)';
const NOT_LITERAL = 'a statement must be a literal JSON object (not a token or an intrinsic function), so that what it grants can be checked';
const forbidden = (service: string) => `"${service}" actions are never granted to a Proton provisioning role`;

function environmentStack(): Stack {
  return new Stack(new App(), 'EnvironmentAccount', { env: { account: ENVIRONMENT, region: REGION } });
}

function agnosticStack(): Stack {
  return new Stack(new App(), 'EnvironmentAccount');
}

function makeRole(props: Partial<EnvironmentAccountProtonRoleProps> = {}, stack = environmentStack()) {
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev'], ...props });
  return { stack, role };
}

/** The logical id of an L2's resource (or of an L1) in its stack. */
function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

/** Where a statement sits when an IAM resource of the stack holds it. */
function resource(type: string, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return `${type} ${logicalId(construct)} (${element.node.path})`;
}

/** The exact error line for one refused statement. */
function refused(where: string, statement: unknown, rule: string, path = ROLE, kind = 'Proton role'): string {
  return `${path}: ${where}: statement ${JSON.stringify(statement)} breaks the guarantee of the ${kind}: ${rule}`;
}

function expectRefused(stack: Stack, message: string): void {
  expect(() => Template.fromStack(stack)).toThrow(`[${message.slice(0, message.indexOf(':'))}] ${message}`);
}

const adminStatement = () => new iam.PolicyStatement({ actions: ['iam:*', 'organizations:*'], resources: ['*'] });
const ADMIN_JSON = { Action: ['iam:*', 'organizations:*'], Effect: 'Allow', Resource: '*' };
const ADMIN_RULE = 'action "organizations:*": "organizations" actions are never granted to a Proton provisioning role';

describe('every way of putting a statement on the Proton role is checked on the final policy', () => {
  test('a subclass of ProvisioningPermissions cannot bind: only the static factories do', () => {
    // @ts-expect-error the constructor is private: ProvisioningPermissions cannot be subclassed
    class AdminPermissions extends ProvisioningPermissions {
      public bind() {
        return { statements: [adminStatement()], intendedWildcards: [] };
      }
      public _bind() {
        return this.bind();
      }
    }
    const message = `${ROLE}: invalid provisioningPermissions "AdminPermissions": provisioning permissions come only from the static factories of `
      + 'ProvisioningPermissions (fromServices, fromActions, fromStatements, allServicesExceptOrganizationsAndAccount)';
    // what plain JavaScript (no type check) can still do
    const admin = () => new (AdminPermissions as unknown as new () => ProvisioningPermissions)();
    expect(() => makeRole({ provisioningPermissions: [admin()] })).toThrow(message);
    expect(() => makeRole().role.addProvisioningPermissions(admin())).toThrow(message);
    const lookalike = Object.create(ProvisioningPermissions.prototype, { _bind: { value: () => ({ statements: [adminStatement()], intendedWildcards: [] }) } });
    expect(() => makeRole({ provisioningPermissions: [lookalike] })).toThrow(/invalid provisioningPermissions "ProvisioningPermissions": provisioning permissions come only from the static factories/);
  });

  test('role.addToPrincipalPolicy', () => {
    const { stack, role } = makeRole();
    role.addToPrincipalPolicy(adminStatement());
    expectRefused(stack, refused(resource('AWS::IAM::Policy', role.node.findChild('DefaultPolicy')), ADMIN_JSON, ADMIN_RULE));
  });

  test('role.addToPrincipalPolicy without CalledVia', () => {
    const { stack, role } = makeRole();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expectRefused(stack, refused(resource('AWS::IAM::Policy', role.node.findChild('DefaultPolicy')), { Action: 's3:GetObject', Effect: 'Allow', Resource: '*' }, CALLED_VIA));
  });

  test('role.attachInlinePolicy(new iam.Policy(...))', () => {
    const { stack, role } = makeRole();
    const policy = new iam.Policy(stack, 'Extra', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    role.attachInlinePolicy(policy);
    expectRefused(stack, refused(resource('AWS::IAM::Policy', policy), { Action: 's3:*', Effect: 'Allow', Resource: '*' }, CALLED_VIA));
  });

  test('new iam.Policy(scope, id, { roles: [role] })', () => {
    const { stack, role } = makeRole();
    const policy = new iam.Policy(stack, 'Extra', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['organizations:ListAccounts'], resources: ['*'], conditions: VIA_CLOUDFORMATION })] });
    expectRefused(stack, refused(resource('AWS::IAM::Policy', policy),
      { Action: 'organizations:ListAccounts', Condition: VIA_CLOUDFORMATION, Effect: 'Allow', Resource: '*' },
      `action "organizations:ListAccounts": ${forbidden('organizations')}`));
  });

  test('role.addManagedPolicy(new iam.ManagedPolicy(...)): its document is checked', () => {
    const { stack, role } = makeRole();
    const policy = new iam.ManagedPolicy(stack, 'Managed', { statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'], conditions: VIA_CLOUDFORMATION })] });
    role.addManagedPolicy(policy);
    expectRefused(stack, refused(resource('AWS::IAM::ManagedPolicy', policy),
      { Action: '*', Condition: VIA_CLOUDFORMATION, Effect: 'Allow', Resource: '*' }, `action "*": ${ACTION_FORMAT}`));
  });

  test('new iam.ManagedPolicy(scope, id, { roles: [role] })', () => {
    const { stack, role } = makeRole();
    const policy = new iam.ManagedPolicy(stack, 'Managed', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['ec2:RunInstances'], resources: ['*'] })] });
    expectRefused(stack, refused(resource('AWS::IAM::ManagedPolicy', policy), { Action: 'ec2:RunInstances', Effect: 'Allow', Resource: '*' }, CALLED_VIA));
  });

  test('an AWS managed policy (AdministratorAccess): the library cannot see what it grants', () => {
    const { stack, role } = makeRole();
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] };
    expectRefused(stack, `${ROLE}: the role's ManagedPolicyArns: managed policy ${JSON.stringify(arn)} breaks the guarantee of the Proton role: ${MANAGED}`);
  });

  test('an imported customer managed policy is refused too', () => {
    const { stack, role } = makeRole();
    role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Imported', `arn:aws:iam::${ENVIRONMENT}:policy/Harmless`));
    expectRefused(stack, `${ROLE}: the role's ManagedPolicyArns: managed policy "arn:aws:iam::${ENVIRONMENT}:policy/Harmless" breaks the guarantee of the Proton role: ${MANAGED}`);
  });

  test('L1 escape hatch: addPropertyOverride("Policies", ...) on the CfnRole', () => {
    const { stack, role } = makeRole();
    const statement = { Effect: 'Allow', Action: 'iam:*', Resource: '*' };
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies', [{ PolicyName: 'Override', PolicyDocument: { Version: '2012-10-17', Statement: [statement] } }]);
    expectRefused(stack, refused('inline policy "Override" of the role', statement, CALLED_VIA));
  });

  test('L1 escape hatch: an override deep inside the library\'s own inline policy (the CalledVia condition deleted)', () => {
    const { stack, role } = makeRole({ provisioningPermissions: [ProvisioningPermissions.fromServices('s3')] });
    (role.node.defaultChild as iam.CfnRole).addPropertyDeletionOverride('Policies.0.PolicyDocument.Statement.1.Condition');
    expectRefused(stack, refused('inline policy "ProtonProvisioning" of the role', { Action: 's3:*', Effect: 'Allow', Resource: '*' }, CALLED_VIA));
  });

  test('L1 escape hatch: addPropertyOverride("ManagedPolicyArns", ...)', () => {
    const { stack, role } = makeRole();
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', ['arn:aws:iam::aws:policy/PowerUserAccess']);
    expectRefused(stack, `${ROLE}: the role's ManagedPolicyArns: managed policy "arn:aws:iam::aws:policy/PowerUserAccess" breaks the guarantee of the Proton role: ${MANAGED}`);
  });

  test('L1 escape hatch: new iam.CfnPolicy(..., { roles: [role.roleName] })', () => {
    const { stack, role } = makeRole();
    const statement = { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' };
    const policy = new iam.CfnPolicy(stack, 'Raw', { policyName: 'raw', roles: [role.roleName], policyDocument: { Statement: [statement] } });
    expectRefused(stack, refused(resource('AWS::IAM::Policy', policy), statement, CALLED_VIA));
  });

  test('L1: a CfnPolicy naming the role by its literal name, and a CfnRolePolicy', () => {
    const { stack } = makeRole({ roleName: 'proton-dev' });
    const statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' };
    const byName = new iam.CfnPolicy(stack, 'ByName', { policyName: 'by-name', roles: ['proton-dev'], policyDocument: { Statement: statement } });
    const rolePolicy = new iam.CfnRolePolicy(stack, 'RolePolicy', { policyName: 'role-policy', roleName: 'proton-dev', policyDocument: { Statement: [statement] } });
    const errors = () => Template.fromStack(stack);
    expect(errors).toThrow(refused(resource('AWS::IAM::Policy', byName), statement, CALLED_VIA));
    expect(errors).toThrow(refused(resource('AWS::IAM::RolePolicy', rolePolicy), statement, CALLED_VIA));
  });

  test('a statement an aspect adds (the check runs after aspects, on the final state)', () => {
    const { stack, role } = makeRole();
    class AddsAdmin implements IAspect {
      public visit(node: IConstruct): void {
        if (node instanceof EnvironmentAccountProtonRole) node.addToPrincipalPolicy(adminStatement());
      }
    }
    Aspects.of(stack).add(new AddsAdmin());
    expect(role.node.tryFindChild('DefaultPolicy')).toBeUndefined();
    let error: unknown;
    try {
      Template.fromStack(stack);
    } catch (e) {
      error = e;
    }
    // the aspect created the DefaultPolicy during synthesis
    const where = resource('AWS::IAM::Policy', role.node.findChild('DefaultPolicy'));
    expect((error as Error).message).toContain(`[${ROLE}] ${refused(where, ADMIN_JSON, ADMIN_RULE)}`);
  });

  test('the role validated on its own (role.node.validate()) reports the same violation', () => {
    const { role } = makeRole();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(role.node.validate()).toEqual([
      refused(resource('AWS::IAM::Policy', role.node.findChild('DefaultPolicy')), { Action: 's3:GetObject', Effect: 'Allow', Resource: '*' }, CALLED_VIA),
    ]);
  });

  test('a role in a nested stack: the nested stack\'s policies are checked', () => {
    const parent = environmentStack();
    const nested = new NestedStack(parent, 'Nested');
    const role = new EnvironmentAccountProtonRole(nested, 'ProtonRole', { managementAccountId: MANAGEMENT, environmentNames: ['dev'] });
    const policy = new iam.Policy(nested, 'Extra', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] })] });
    const path = 'EnvironmentAccount/Nested/ProtonRole';
    expect(() => Template.fromStack(parent)).toThrow(`[${path}] ${refused(resource('AWS::IAM::Policy', policy), { Action: 'iam:PassRole', Effect: 'Allow', Resource: '*' }, CALLED_VIA, path)}`);
  });

  test('every violation is reported, not only the first', () => {
    const { stack, role } = makeRole();
    role.addToPrincipalPolicy(adminStatement());
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    expect(() => Template.fromStack(stack)).toThrow(/ProtonRole: AWS::IAM::Policy .* breaks [\s\S]*ProtonRole: the role's ManagedPolicyArns: .*AdministratorAccess/);
  });
});

describe('the rules, statement by statement', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['NotAction, even with CalledVia', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*', Condition: VIA_CLOUDFORMATION }, NOT_ACTION_PROTON],
    ['a NotAction broader than the documented default', { Effect: 'Allow', NotAction: ['organizations:*'], Resource: '*', Condition: VIA_CLOUDFORMATION }, NOT_ACTION_PROTON],
    ['the documented default without CalledVia', { Effect: 'Allow', NotAction: ['organizations:*', 'account:*'], Resource: '*' }, NOT_ACTION_PROTON],
    ['NotResource', { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*', Condition: VIA_CLOUDFORMATION }, NOT_RESOURCE],
    ['a bare "*"', { Effect: 'Allow', Action: '*', Resource: '*', Condition: VIA_CLOUDFORMATION }, `action "*": ${ACTION_FORMAT}`],
    ['a wildcard service prefix', { Effect: 'Allow', Action: ['s3:GetObject', '*:Get*'], Resource: '*', Condition: VIA_CLOUDFORMATION }, `action "*:Get*": ${ACTION_FORMAT}`],
    ['a partly wildcard prefix', { Effect: 'Allow', Action: 'organization*:List*', Resource: '*', Condition: VIA_CLOUDFORMATION }, `action "organization*:List*": ${ACTION_FORMAT}`],
    ['an uppercase prefix (IAM prefixes are case-insensitive)', { Effect: 'Allow', Action: 'Organizations:ListAccounts', Resource: '*', Condition: VIA_CLOUDFORMATION }, `action "Organizations:ListAccounts": ${ACTION_FORMAT}`],
    ['account:', { Effect: 'Allow', Action: 'account:CloseAccount', Resource: '*', Condition: VIA_CLOUDFORMATION }, `action "account:CloseAccount": ${forbidden('account')}`],
    ['no Action', { Effect: 'Allow', Resource: '*', Condition: VIA_CLOUDFORMATION }, 'an Allow statement must name its actions in Action'],
    ['a CalledVia that also lets another service call', { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com', 'lambda.amazonaws.com'] } } }, CALLED_VIA],
    ['a CalledVia IfExists (true when called directly)', { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:CalledVia': 'cloudformation.amazonaws.com' } } }, CALLED_VIA],
    ['the base\'s Sid on other actions (recognized by content, never by Sid)', { Sid: 'ManageProtonStacks', Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*' }, CALLED_VIA],
    ['base actions on every stack', { Effect: 'Allow', Action: 'cloudformation:CreateStack', Resource: '*' }, CALLED_VIA],
    ['base actions on another account\'s Proton stacks', { Effect: 'Allow', Action: 'cloudformation:CreateStack', Resource: `arn:aws:cloudformation:${REGION}:${MANAGEMENT}:stack/AWSProton-*` }, CALLED_VIA],
    ['a CloudFormation action outside the 16', { Effect: 'Allow', Action: 'cloudformation:SetStackPolicy', Resource: `arn:aws:cloudformation:${REGION}:${ENVIRONMENT}:stack/AWSProton-*` }, CALLED_VIA],
    ['an Effect that is not literal', { Effect: { Ref: 'Effect' }, Action: 's3:*', Resource: '*' }, 'a statement\'s Effect must be the literal "Allow" or "Deny"'],
    ['a statement behind Fn::If', { 'Fn::If': ['Always', { Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Ref: 'AWS::NoValue' }] }, NOT_LITERAL],
  ];
  test.each(cases)('refused: %s', (_name, statement, rule) => {
    const { stack, role } = makeRole();
    const policy = new iam.CfnPolicy(stack, 'Raw', { policyName: 'raw', roles: [role.roleName], policyDocument: { Statement: [statement] } });
    expectRefused(stack, refused(resource('AWS::IAM::Policy', policy), statement, rule));
  });

  test('refused: a policy that names the role through Fn::If still names it', () => {
    const { stack, role } = makeRole();
    const condition = new CfnCondition(stack, 'Always', { expression: Fn.conditionEquals('a', 'a') });
    const statement = { Effect: 'Allow', Action: 'iam:*', Resource: '*' };
    const policy = new iam.CfnPolicy(stack, 'Raw', {
      policyName: 'raw',
      roles: [Fn.conditionIf(condition.logicalId, role.roleName, Aws.NO_VALUE).toString()],
      policyDocument: { Statement: [statement] },
    });
    expectRefused(stack, refused(resource('AWS::IAM::Policy', policy), statement, CALLED_VIA));
  });

  test('refused: an inline policy behind Fn::If (an override of the role\'s Policies)', () => {
    const { stack, role } = makeRole();
    const hidden = { 'Fn::If': ['Always', { PolicyName: 'Hidden', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } }, { Ref: 'AWS::NoValue' }] };
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies.1', hidden);
    expectRefused(stack, `${ROLE}: the role's Policies: inline policy ${JSON.stringify(hidden)} breaks the guarantee of the Proton role: `
      + 'the role\'s Policies must be a literal list of literal inline policies (objects with a PolicyName and a PolicyDocument)');
  });

  test('refused: an action that is a token', () => {
    const { stack, role } = makeRole();
    const action = new CfnParameter(stack, 'Action').valueAsString;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: ['*'], conditions: VIA_CLOUDFORMATION }));
    expectRefused(stack, refused(resource('AWS::IAM::Policy', role.node.findChild('DefaultPolicy')),
      { Action: { Ref: 'Action' }, Condition: VIA_CLOUDFORMATION, Effect: 'Allow', Resource: '*' }, 'action {"Ref":"Action"}: actions must be literal strings'));
  });

  test('refused: a policy document that cannot be read', () => {
    const { stack, role } = makeRole();
    const policy = new iam.CfnPolicy(stack, 'Raw', { policyName: 'raw', roles: [role.roleName], policyDocument: { Statement: 'iam:*' } });
    expectRefused(stack, `${ROLE}: ${resource('AWS::IAM::Policy', policy)}: policy document {"Statement":"iam:*"} breaks the guarantee of the Proton role: `
      + 'a policy document must be a literal object whose Statement is a statement or a list of statements');
  });
});

describe('the guarantee in the companion roles\' own terms', () => {
  test('component role: the same rules as the Proton role', () => {
    const { stack, role } = makeRole({ componentRole: {} });
    role.componentRole!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    const where = resource('AWS::IAM::Policy', role.componentRole!.node.findChild('DefaultPolicy'));
    expectRefused(stack, refused(where, { Action: 'sns:Publish', Effect: 'Allow', Resource: '*' }, CALLED_VIA, `${ROLE}/ComponentRole`, 'component role'));
  });

  test('component role: AWS managed policies are refused', () => {
    const { stack, role } = makeRole({ componentRole: {} });
    role.componentRole!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    expect(() => Template.fromStack(stack)).toThrow(`[${ROLE}/ComponentRole] ${ROLE}/ComponentRole: the role's ManagedPolicyArns: managed policy `
      + `${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] })} breaks the guarantee of the component role: ${MANAGED}`);
  });

  const codeBuildCases: Array<[string, iam.PolicyStatement, Record<string, unknown>, string]> = [
    ['"*"', new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }), { Action: '*', Effect: 'Allow', Resource: '*' }, `action "*": ${ACTION_FORMAT}`],
    ['organizations:', new iam.PolicyStatement({ actions: ['organizations:*'], resources: ['*'] }), { Action: 'organizations:*', Effect: 'Allow', Resource: '*' }, `action "organizations:*": ${forbidden('organizations')}`],
    ['account:', new iam.PolicyStatement({ actions: ['account:PutAlternateContact'], resources: ['*'] }), { Action: 'account:PutAlternateContact', Effect: 'Allow', Resource: '*' }, `action "account:PutAlternateContact": ${forbidden('account')}`],
    ['NotAction (no exception for this role)', new iam.PolicyStatement({ notActions: ['organizations:*', 'account:*'], resources: ['*'], conditions: VIA_CLOUDFORMATION }),
      { NotAction: ['organizations:*', 'account:*'], Condition: VIA_CLOUDFORMATION, Effect: 'Allow', Resource: '*' }, NOT_ACTION],
    ['NotResource', new iam.PolicyStatement({ actions: ['s3:PutObject'], notResources: ['arn:aws:s3:::audit/*'] }), { Action: 's3:PutObject', Effect: 'Allow', NotResource: 'arn:aws:s3:::audit/*' }, NOT_RESOURCE],
  ];
  test.each(codeBuildCases)('CodeBuild provisioning role: refused %s', (_name, statement, json, rule) => {
    const { stack, role } = makeRole({ codeBuildRole: {} });
    role.codeBuildRole!.addToPrincipalPolicy(statement);
    const where = resource('AWS::IAM::Policy', role.codeBuildRole!.node.findChild('DefaultPolicy'));
    expectRefused(stack, refused(where, json, rule, `${ROLE}/CodeBuildRole`, 'CodeBuild provisioning role'));
  });

  test('CodeBuild provisioning role: an override of its own statements is seen', () => {
    const allowed = makeRole({ codeBuildRole: {} });
    (allowed.role.codeBuildRole!.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies.0.PolicyDocument.Statement.1.Action', 'proton:*');
    expect(() => Template.fromStack(allowed.stack)).not.toThrow();
    const { stack, role } = makeRole({ codeBuildRole: {} });
    (role.codeBuildRole!.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies.0.PolicyDocument.Statement.1.Action', 'organizations:*');
    expect(() => Template.fromStack(stack)).toThrow(
      `${ROLE}/CodeBuildRole: inline policy "ProtonCodeBuildProvisioning" of the role: statement {"Action":"organizations:*","Effect":"Allow",`);
  });

  test('CodeBuild provisioning role: AWS managed policies are refused', () => {
    const { stack, role } = makeRole({ codeBuildRole: {} });
    role.codeBuildRole!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSProtonCodeBuildProvisioningBasicAccess'));
    expect(() => Template.fromStack(stack)).toThrow(`[${ROLE}/CodeBuildRole] ${ROLE}/CodeBuildRole: the role's ManagedPolicyArns: managed policy `
      + `${JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSProtonCodeBuildProvisioningBasicAccess']] })} `
      + `breaks the guarantee of the CodeBuild provisioning role: ${MANAGED}`);
  });
});

describe('legitimate uses still synthesize', () => {
  test('provisioning permissions of every factory, on the Proton role and the component role', () => {
    const permissions = () => [
      ProvisioningPermissions.fromServices('s3', 'sqs'),
      ProvisioningPermissions.fromActions('lambda:CreateFunction', 'ec2:Describe*'),
      ProvisioningPermissions.fromStatements(new iam.PolicyStatement({ actions: ['dynamodb:CreateTable'], resources: [`arn:aws:dynamodb:${REGION}:${ENVIRONMENT}:table/*`] })),
      ProvisioningPermissions.allServicesExceptOrganizationsAndAccount(),
    ];
    const { stack, role } = makeRole({ provisioningPermissions: permissions(), componentRole: { provisioningPermissions: permissions() } });
    role.addProvisioningPermissions(ProvisioningPermissions.fromServices('sns'));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a Deny (even with NotAction or NotResource) added with addToPrincipalPolicy: it only restricts', () => {
    const { stack, role } = makeRole({ componentRole: {}, codeBuildRole: {} });
    for (const target of [role, role.componentRole!, role.codeBuildRole!]) {
      target.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'], conditions: { Bool: { 'aws:SecureTransport': 'false' } } }));
      target.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, notActions: ['s3:*'], notResources: ['arn:aws:s3:::ok/*'] }));
    }
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a CalledVia statement added with addToPrincipalPolicy, other conditions kept (they only restrict)', () => {
    const { stack, role } = makeRole({ componentRole: {} });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:CreateBucket'], resources: ['*'], conditions: VIA_CLOUDFORMATION }));
    role.componentRole!.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sqs:CreateQueue'],
      resources: ['*'],
      conditions: { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'cloudformation.amazonaws.com' }, 'StringEquals': { 'aws:RequestedRegion': REGION } },
    }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('CloudFormation base statements added by hand are recognized by content (literal or pseudo-parameter ARNs)', () => {
    const { stack, role } = makeRole();
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
      resources: [`arn:aws:cloudformation:${REGION}:${ENVIRONMENT}:stack/AWSProton-*`, stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' })],
    }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a managed policy of the same stack whose statements keep the rules', () => {
    const { stack, role } = makeRole();
    role.addManagedPolicy(new iam.ManagedPolicy(stack, 'Managed', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'], conditions: VIA_CLOUDFORMATION })] }));
    new iam.ManagedPolicy(stack, 'Named', { roles: [role], statements: [new iam.PolicyStatement({ actions: PROTON_CLOUDFORMATION_ACTIONS, resources: [`arn:aws-cn:cloudformation:${REGION}:${ENVIRONMENT}:stack/AWSProton-*`] })] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('the CodeBuild role\'s own statements, assumeCdkBootstrapRoles, and statements added for what its commands call directly', () => {
    const { stack, role } = makeRole({ codeBuildRole: { assumeCdkBootstrapRoles: true }, trustAllEnvironments: true, environmentNames: undefined });
    role.codeBuildRole!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::terraform-state/*'] }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('in an environment-agnostic stack, with every companion', () => {
    const { stack, role } = makeRole({
      provisioningPermissions: [ProvisioningPermissions.fromServices('s3'), ProvisioningPermissions.allServicesExceptOrganizationsAndAccount()],
      codeBuildRole: { assumeCdkBootstrapRoles: true },
      componentRole: { provisioningPermissions: [ProvisioningPermissions.fromActions('sns:CreateTopic')] },
    }, agnosticStack());
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' })] }));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('policies of other roles in the stack are not this role\'s business', () => {
    const { stack } = makeRole();
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:*'], resources: ['*'] }));
    other.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    new iam.ManagedPolicy(stack, 'ForOther', { roles: [other], statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('managementAccountId: the stack\'s own account is refused, literal or token', () => {
  const WHY = 'the trust would name this account itself, while the Proton environments live in the management account: '
    + 'an environment account connection links two different accounts (in a single account, use a plain Proton service role)';
  test.each([
    ['the literal account of the stack', () => environmentStack(), (_stack: Stack) => ENVIRONMENT, `"${ENVIRONMENT}"`],
    ['Aws.ACCOUNT_ID in an env-specific stack', () => environmentStack(), () => Aws.ACCOUNT_ID, '"${AWS::AccountId}"'],
    ['Aws.ACCOUNT_ID in an environment-agnostic stack', () => agnosticStack(), () => Aws.ACCOUNT_ID, '"${AWS::AccountId}"'],
    ['stack.account of an environment-agnostic stack', () => agnosticStack(), (stack: Stack) => stack.account, '"${AWS::AccountId}"'],
  ])('%s', (_name, newStack, account, shown) => {
    const stack = newStack();
    expect(() => makeRole({ managementAccountId: account(stack) }, stack)).toThrow(`${ROLE}: invalid managementAccountId ${shown}: is this stack's own account: ${WHY}`);
  });

  test('other tokens are checked at deploy; a literal in an environment-agnostic stack cannot be compared', () => {
    const params = environmentStack();
    expect(() => Template.fromStack(makeRole({ managementAccountId: new CfnParameter(params, 'Management').valueAsString }, params).stack)).not.toThrow();
    const lazy = environmentStack();
    expect(() => Template.fromStack(makeRole({ managementAccountId: Lazy.string({ produce: () => MANAGEMENT }) }, lazy).stack)).not.toThrow();
    expect(() => Template.fromStack(makeRole({ managementAccountId: ENVIRONMENT }, agnosticStack()).stack)).not.toThrow();
  });
});
