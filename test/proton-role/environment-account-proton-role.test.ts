import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EnvironmentAccountProtonRole, EnvironmentAccountProtonRoleProps, ProvisioningPermissions } from '../../src';
import { PROTON_CLOUDFORMATION_ACTIONS } from '../../src/proton-role/cloudformation-base';
import { awsSolutionsFindings } from '../support/nag';

const MANAGEMENT = '111111111111';
const ENVIRONMENT = '222222222222';
const REGION = 'eu-west-1';
const VIA_CLOUDFORMATION = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };

function environmentStack(app = new App()): Stack {
  return new Stack(app, 'EnvironmentAccount', { env: { account: ENVIRONMENT, region: REGION } });
}

function makeRole(props: Partial<EnvironmentAccountProtonRoleProps> = {}, stack = environmentStack()) {
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', {
    managementAccountId: MANAGEMENT,
    environmentNames: ['dev'],
    ...props,
  });
  return { stack, role };
}

function synthRole(props: Partial<EnvironmentAccountProtonRoleProps> = {}, stack = environmentStack()) {
  const { role } = makeRole(props, stack);
  return { stack, role, template: Template.fromStack(stack) };
}

function arn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

/** Every IAM role's trust and inline policy statements in the template. */
function allStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Role')).flatMap((role: any) => [
    ...role.Properties.AssumeRolePolicyDocument.Statement,
    ...(role.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement),
  ]);
}

describe('trust policy', () => {
  test('trusts proton.amazonaws.com only for the named environments of the management account', () => {
    const { template } = synthRole({ environmentNames: ['dev', 'prod'] });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'proton.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': MANAGEMENT },
              ArnLike: {
                'aws:SourceArn': [
                  arn(`:proton:${REGION}:${MANAGEMENT}:environment/dev`),
                  arn(`:proton:${REGION}:${MANAGEMENT}:environment/prod`),
                ],
              },
            },
          },
        ],
      },
    });
  });

  test('every environment of the management account only when opted in', () => {
    const { template } = synthRole({ environmentNames: undefined, trustAllEnvironments: true });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              StringEquals: { 'aws:SourceAccount': MANAGEMENT },
              ArnLike: { 'aws:SourceArn': arn(`:proton:${REGION}:${MANAGEMENT}:environment/*`) },
            },
          }),
        ],
      },
    });
  });

  test('no trust statement lacks either confused-deputy condition', () => {
    const { template } = synthRole({ codeBuildRole: {}, componentRole: {} });
    const trustStatements = Object.values(template.findResources('AWS::IAM::Role')).flatMap(
      (role: any) => role.Properties.AssumeRolePolicyDocument.Statement,
    );
    expect(trustStatements).toHaveLength(3);
    for (const statement of trustStatements) {
      expect(statement.Condition.StringEquals['aws:SourceAccount']).toBe(MANAGEMENT);
      expect(statement.Condition.ArnLike['aws:SourceArn']).toEqual(arn(`:proton:${REGION}:${MANAGEMENT}:environment/dev`));
    }
  });

  test('is partition- and Region-aware in an environment-agnostic stack', () => {
    const { template } = synthRole({}, new Stack(new App(), 'Agnostic'));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:', { Ref: 'AWS::Region' }, `:${MANAGEMENT}:environment/dev`]],
                },
              },
            }),
          }),
        ],
      },
    });
  });
});

describe('permissions', () => {
  test('default: exactly the 16 documented CloudFormation actions on this account\'s AWSProton-* stacks', () => {
    const { template } = synthRole();
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'ProtonProvisioning',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ManageProtonStacks',
                Effect: 'Allow',
                Action: PROTON_CLOUDFORMATION_ACTIONS,
                Resource: arn(`:cloudformation:${REGION}:${ENVIRONMENT}:stack/AWSProton-*`),
              },
            ],
          },
        },
      ],
    });
    expect(PROTON_CLOUDFORMATION_ACTIONS).toHaveLength(16);
    expect(new Set(PROTON_CLOUDFORMATION_ACTIONS).size).toBe(16);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('services are granted only through CloudFormation', () => {
    const { template } = synthRole({ provisioningPermissions: [ProvisioningPermissions.fromServices('s3', 'sqs', 's3')] });
    const statements = allStatements(template);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*', Condition: VIA_CLOUDFORMATION });
  });

  test('actions are granted only through CloudFormation', () => {
    const { template } = synthRole({ provisioningPermissions: [ProvisioningPermissions.fromActions('s3:CreateBucket', 'sqs:CreateQueue')] });
    expect(allStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:CreateBucket', 'sqs:CreateQueue'],
      Resource: '*',
      Condition: VIA_CLOUDFORMATION,
    });
  });

  test('statements keep their resources and conditions and gain the CloudFormation condition', () => {
    const statement = new iam.PolicyStatement({
      actions: ['dynamodb:CreateTable'],
      resources: ['arn:aws:dynamodb:eu-west-1:222222222222:table/AWSProton-*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });
    const { template } = synthRole({ provisioningPermissions: [ProvisioningPermissions.fromStatements(statement)] });
    expect(allStatements(template)).toContainEqual({
      Effect: 'Allow',
      Action: 'dynamodb:CreateTable',
      Resource: 'arn:aws:dynamodb:eu-west-1:222222222222:table/AWSProton-*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' }, ...VIA_CLOUDFORMATION },
    });
    // the caller's statement is not mutated
    expect(statement.toStatementJson().Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
  });

  test('permissions added later land in the same inline policy', () => {
    const { stack, role } = makeRole();
    role.addProvisioningPermissions(ProvisioningPermissions.fromServices('lambda'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(allStatements(template)).toContainEqual({ Effect: 'Allow', Action: 'lambda:*', Resource: '*', Condition: VIA_CLOUDFORMATION });
  });

  test('the documented broad default only by opt-in, with a warning', () => {
    const { stack, template } = synthRole({ provisioningPermissions: [ProvisioningPermissions.allServicesExceptOrganizationsAndAccount()] });
    expect(allStatements(template)).toContainEqual({
      Effect: 'Allow',
      NotAction: ['organizations:*', 'account:*'],
      Resource: '*',
      Condition: VIA_CLOUDFORMATION,
    });
    Annotations.fromStack(stack).hasWarning('/EnvironmentAccount/ProtonRole', Match.stringLikeRegexp('broad documented default'));
    expect(Annotations.fromStack(synthRole().stack).findWarning('*', Match.anyValue())).toHaveLength(0);
  });

  test('IAM through CloudFormation warns to set a permissions boundary', () => {
    const { stack } = synthRole({ provisioningPermissions: [ProvisioningPermissions.fromActions('iam:CreateRole')] });
    Annotations.fromStack(stack).hasWarning('/EnvironmentAccount/ProtonRole', Match.stringLikeRegexp('permissionsBoundary'));
  });

  test('never Action "*", never AdministratorAccess, no managed policies at all', () => {
    const { template } = synthRole({
      provisioningPermissions: [
        ProvisioningPermissions.fromServices('s3'),
        ProvisioningPermissions.allServicesExceptOrganizationsAndAccount(),
      ],
      codeBuildRole: { assumeCdkBootstrapRoles: true },
      componentRole: { provisioningPermissions: [ProvisioningPermissions.fromServices('sns')] },
    });
    for (const statement of allStatements(template)) {
      expect([statement.Action].flat()).not.toContain('*');
      expect([statement.Action].flat()).not.toContain('*:*');
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AdministratorAccess|PowerUserAccess|IAMFullAccess/);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('role name, description and permissions boundary', () => {
    const stack = environmentStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'ProtonBoundary');
    const { template } = synthRole({ roleName: 'proton-dev', description: 'Proton dev', permissionsBoundary: boundary, codeBuildRole: {}, componentRole: {} }, stack);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'proton-dev', Description: 'Proton dev' });
    const boundaries = Object.values(template.findResources('AWS::IAM::Role')).map((r: any) => r.Properties.PermissionsBoundary);
    expect(boundaries).toEqual([arn(`:iam::${ENVIRONMENT}:policy/ProtonBoundary`), arn(`:iam::${ENVIRONMENT}:policy/ProtonBoundary`), arn(`:iam::${ENVIRONMENT}:policy/ProtonBoundary`)]);
  });
});

describe('companion roles', () => {
  test('CodeBuild provisioning role: codebuild trust with the same conditions, basic access scoped to this account', () => {
    const { role, template } = synthRole({ codeBuildRole: { roleName: 'proton-codebuild' } });
    expect(role.codeBuildRole).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'proton-codebuild',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'codebuild.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': MANAGEMENT },
              ArnLike: { 'aws:SourceArn': arn(`:proton:${REGION}:${MANAGEMENT}:environment/dev`) },
            },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'ProtonCodeBuildProvisioning',
          PolicyDocument: {
            Statement: [
              {
                Sid: 'ProtonCodeBuildLogs',
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [
                  arn(`:logs:${REGION}:${ENVIRONMENT}:log-group:/aws/codebuild/AWSProton-*`),
                  arn(`:logs:${REGION}:${ENVIRONMENT}:log-group:/aws/codebuild/AWSProton-*:*`),
                ],
              },
              {
                Sid: 'NotifyProtonOfDeploymentStatus',
                Effect: 'Allow',
                Action: 'proton:NotifyResourceDeploymentStatusChange',
                Resource: arn(`:proton:${REGION}:${MANAGEMENT}:environment/dev`),
              },
            ],
          },
        },
      ],
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('sts:AssumeRole"],"Resource');
  });

  test('CodeBuild role may assume the CDK bootstrap roles only when opted in', () => {
    const { template } = synthRole({ codeBuildRole: { assumeCdkBootstrapRoles: true, cdkBootstrapQualifier: 'platform1' } });
    expect(allStatements(template)).toContainEqual({
      Sid: 'AssumeCdkBootstrapRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ['deploy-role', 'file-publishing-role', 'image-publishing-role'].map((kind) =>
        arn(`:iam::${ENVIRONMENT}:role/cdk-platform1-${kind}-${ENVIRONMENT}-${REGION}`),
      ),
    });
    const withoutOptIn = synthRole({ codeBuildRole: {} }).template;
    expect(allStatements(withoutOptIn).filter((s) => s.Action === 'sts:AssumeRole' && s.Resource)).toHaveLength(0);
  });

  test('component role: proton trust, CloudFormation base and its own scoped services', () => {
    const { role, template } = synthRole({ componentRole: { provisioningPermissions: [ProvisioningPermissions.fromServices('sns')] } });
    expect(role.componentRole).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'ProtonComponentProvisioning',
          PolicyDocument: {
            Statement: [
              Match.objectLike({ Sid: 'ManageProtonStacks', Action: PROTON_CLOUDFORMATION_ACTIONS }),
              { Effect: 'Allow', Action: 'sns:*', Resource: '*', Condition: VIA_CLOUDFORMATION },
            ],
          },
        },
      ],
    });
  });

  test('no companions unless asked for', () => {
    const { role, template } = synthRole();
    expect(role.codeBuildRole).toBeUndefined();
    expect(role.componentRole).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('exposes the ARNs the connection needs', () => {
    const { stack, role } = synthRole({ codeBuildRole: {}, componentRole: {} });
    expect(stack.resolve(role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProtonRole/), 'Arn'] });
    expect(stack.resolve(role.codeBuildRole!.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProtonRoleCodeBuildRole/), 'Arn'] });
    expect(stack.resolve(role.componentRole!.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProtonRoleComponentRole/), 'Arn'] });
    expect(role.managementAccountId).toBe(MANAGEMENT);
    expect(role.environmentNames).toEqual(['dev']);
  });
});

describe('validation', () => {
  const path = 'EnvironmentAccount/ProtonRole';
  test.each([
    ['managementAccountId', { managementAccountId: '12345' }, /invalid managementAccountId "12345": must be a 12-digit AWS account id/],
    ['managementAccountId', { managementAccountId: '1111111111111' }, /invalid managementAccountId/],
    ['managementAccountId', { managementAccountId: ' 111111111111' }, /invalid managementAccountId/],
    ['environmentNames', { environmentNames: [] }, /invalid environmentNames \[\]: must name at least one environment \(or set trustAllEnvironments/],
    ['environmentNames', { environmentNames: ['-dev'] }, /invalid environmentNames "-dev": must start with a letter or digit/],
    ['environmentNames', { environmentNames: ['dev prod'] }, /invalid environmentNames "dev prod"/],
    ['environmentNames', { environmentNames: ['a'.repeat(101)] }, /must be 1 to 100 characters long \(got 101\)/],
    ['environmentNames', { environmentNames: ['dev', 'dev'] }, /invalid environmentNames \["dev","dev"\]: lists "dev" more than once/],
    ['environmentNames', { environmentNames: ['dev'], trustAllEnvironments: true }, /cannot be combined with trustAllEnvironments/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromServices('organizations')] }, /invalid provisioningPermissions "organizations": "organizations" actions are never granted/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromServices('S3')] }, /invalid provisioningPermissions "S3": a service prefix/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromServices('*')] }, /invalid provisioningPermissions "\*"/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromServices()] }, /fromServices needs at least one service/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromActions('*')] }, /invalid provisioningPermissions "\*": an action is "<service>:<Action>"/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromActions('*:*')] }, /invalid provisioningPermissions "\*:\*"/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromActions('account:CloseAccount')] }, /"account" actions are never granted/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromStatements(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }))] }, /invalid provisioningPermissions "\*"/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromStatements(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:*'], resources: ['*'] }))] }, /must have Effect "Allow"/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromStatements(new iam.PolicyStatement({ notActions: ['s3:*'], resources: ['*'] }))] }, /NotAction is refused/],
    ['provisioningPermissions', { provisioningPermissions: [ProvisioningPermissions.fromStatements(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'], principals: [new iam.AccountRootPrincipal()] }))] }, /take no Principal/],
    ['codeBuildRole.cdkBootstrapQualifier', { codeBuildRole: { assumeCdkBootstrapRoles: true, cdkBootstrapQualifier: 'way-too-long-qualifier' } }, /invalid codeBuildRole.cdkBootstrapQualifier "way-too-long-qualifier"/],
    ['codeBuildRole.cdkBootstrapQualifier', { codeBuildRole: { cdkBootstrapQualifier: 'abc' } }, /only applies with assumeCdkBootstrapRoles: true/],
  ])('%s: %j', (_prop, props, message) => {
    expect(() => synthRole(props as Partial<EnvironmentAccountProtonRoleProps>)).toThrow(message);
    expect(() => synthRole(props as Partial<EnvironmentAccountProtonRoleProps>)).toThrow(new RegExp(path));
  });

  test('tokens are accepted at synth (other than the stack\'s own account)', () => {
    const stack = environmentStack();
    const managementAccountId = new CfnParameter(stack, 'ManagementAccount').valueAsString;
    expect(() => synthRole({ managementAccountId, environmentNames: [Aws.STACK_NAME] }, stack)).not.toThrow();
  });

  const ownAccount = `${path}: invalid managementAccountId %s: is this stack's own account: the trust would name this account itself, `
    + 'while the Proton environments live in the management account: an environment account connection links two different accounts '
    + '(in a single account, use a plain Proton service role)';
  test('refuses the stack\'s own account, as a literal (an error, as everywhere in the library, not a warning)', () => {
    expect(() => synthRole({ managementAccountId: ENVIRONMENT })).toThrow(ownAccount.replace('%s', `"${ENVIRONMENT}"`));
  });

  test('refuses the stack\'s own account as a token (Aws.ACCOUNT_ID)', () => {
    expect(() => synthRole({ managementAccountId: Aws.ACCOUNT_ID })).toThrow(ownAccount.replace('%s', '"${AWS::AccountId}"'));
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('zero unacknowledged findings for every configuration, env-specific and agnostic', () => {
    const app = new App();
    makeRole({
      provisioningPermissions: [
        ProvisioningPermissions.fromServices('s3', 'sqs'),
        ProvisioningPermissions.fromActions('lambda:Create*'),
      ],
      codeBuildRole: { assumeCdkBootstrapRoles: true },
      componentRole: { provisioningPermissions: [ProvisioningPermissions.fromServices('sns')] },
    }, environmentStack(app));
    makeRole({ trustAllEnvironments: true, environmentNames: undefined, codeBuildRole: {}, componentRole: {} }, new Stack(app, 'Agnostic'));
    expect(awsSolutionsFindings(app)).toEqual([]);
  });

  test('acknowledgements are per finding, not per rule: an unrelated wildcard is still reported', () => {
    const app = new App();
    const { role } = makeRole({}, environmentStack(app));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'], conditions: VIA_CLOUDFORMATION }));
    expect(awsSolutionsFindings(app)).toEqual([
      { rule: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]', paths: ['EnvironmentAccount/ProtonRole/DefaultPolicy/Resource'] },
    ]);
  });
});

describe('ProvisioningPermissions.summary', () => {
  test('says in words what each factory grants (every language reads it; Go sees a typed value, not an empty interface)', () => {
    expect(ProvisioningPermissions.fromServices('ec2', 'ecs', 'logs').summary).toBe('services ec2, ecs, logs');
    expect(ProvisioningPermissions.fromActions('s3:CreateBucket', 'sqs:CreateQueue').summary).toBe('actions s3:CreateBucket, sqs:CreateQueue');
    expect(ProvisioningPermissions.fromStatements(
      new iam.PolicyStatement({ actions: ['sns:CreateTopic'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['sns:DeleteTopic'], resources: ['*'] }),
    ).summary).toBe('2 statement(s)');
    expect(ProvisioningPermissions.allServicesExceptOrganizationsAndAccount().summary).toBe('all services except organizations and account');
  });
});
