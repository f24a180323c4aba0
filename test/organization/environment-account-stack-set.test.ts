import * as fs from 'fs';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  EnvironmentAccountConnectionAcceptor, EnvironmentAccountStackSet, EnvironmentAccountStackSetProps, EnvironmentNaming, StackSetAssetBucket,
  StackSetCaller,
} from '../../src';
import { awsSolutionsFindings } from '../support/nag';

const MANAGEMENT = '111111111111';
const ORGANIZATION_MANAGEMENT = '999999999999';
const OU = 'ou-ab12-workloads';
const naming = EnvironmentNaming.accountIdWithPrefix('platform');

const props: EnvironmentAccountStackSetProps = {
  organizationalUnitIds: [OU],
  regions: ['us-east-1', 'eu-west-1'],
  environmentNaming: naming,
  managementAccountId: MANAGEMENT,
  assetBucketNamePrefix: 'proton-code',
};

function organizationStack(app = new App()): Stack {
  return new Stack(app, 'Organization', { env: { account: ORGANIZATION_MANAGEMENT, region: 'us-east-1' } });
}

function acceptorIn(app: App, region: string, prefix = 'platform'): void {
  const stack = new Stack(app, `Management-${region}`, { env: { account: MANAGEMENT, region } });
  new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', {
    continuousAcceptance: {},
    trustedOrganizationalUnits: [{ organizationalUnitIds: [OU], environmentNaming: EnvironmentNaming.accountIdWithPrefix(prefix) }],
  });
}

interface Body {
  Parameters: Record<string, { Type: string; AllowedPattern?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
}

function stackSetOf(stack: Stack): { properties: Record<string, any>; body: Body; bodyText: string } {
  const resources = Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet');
  const [resource] = Object.values(resources);
  const bodyText = resource.Properties.TemplateBody as string;
  return { properties: resource.Properties, body: JSON.parse(bodyText) as Body, bodyText };
}

function ofType(body: Body, type: string) {
  return Object.values(body.Resources).filter((r) => r.Type === type);
}

describe('EnvironmentAccountStackSet', () => {
  test('one service-managed StackSet with auto-deployment to the OUs and Regions, the management account as its parameter', () => {
    const stack = organizationStack();
    new EnvironmentAccountStackSet(stack, 'EnvironmentSide', { ...props, stackSetName: 'proton-environments' });
    const { properties } = stackSetOf(stack);
    const { TemplateBody: _body, ...rest } = properties;
    expect(rest).toEqual({
      StackSetName: 'proton-environments',
      Description: `The AWS Proton environment side of each account of ${OU}`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureTolerancePercentage: 0 },
      Parameters: [{ ParameterKey: 'ProtonManagementAccountId', ParameterValue: MANAGEMENT }],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [OU] }, Regions: ['us-east-1', 'eu-west-1'] }],
    });
  });

  test('the template is environment-agnostic: the role trusts Proton for the management account and the derived name only', () => {
    const stack = organizationStack();
    new EnvironmentAccountStackSet(stack, 'EnvironmentSide', props);
    const { body } = stackSetOf(stack);
    expect(EnvironmentAccountStackSet.MANAGEMENT_ACCOUNT_PARAMETER).toBe('ProtonManagementAccountId');
    expect(body.Parameters.ProtonManagementAccountId).toEqual({ Type: 'String', AllowedPattern: '^\\d{12}$', Description: 'The AWS Proton management account' });
    expect(ofType(body, 'AWS::CloudFormation::Stack')).toEqual([]);
    const environmentName = { 'Fn::Join': ['', ['platform-', { Ref: 'AWS::AccountId' }]] };
    const [connection] = ofType(body, 'Custom::ProtonEnvironmentAccountConnection');
    expect(connection.Properties.ManagementAccountId).toEqual({ Ref: 'ProtonManagementAccountId' });
    expect(connection.Properties.EnvironmentName).toEqual(environmentName);
    const protonRoles = ofType(body, 'AWS::IAM::Role').filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('proton.amazonaws.com'));
    expect(protonRoles).toHaveLength(1);
    const [statement] = protonRoles[0].Properties.AssumeRolePolicyDocument.Statement;
    expect(statement.Principal).toEqual({ Service: 'proton.amazonaws.com' });
    expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'ProtonManagementAccountId' } });
    expect(statement.Condition.ArnLike['aws:SourceArn']).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:', { Ref: 'AWS::Region' }, ':', { Ref: 'ProtonManagementAccountId' }, ':environment/platform-', { Ref: 'AWS::AccountId' }]],
    });
    expect(JSON.stringify(body)).not.toContain(ORGANIZATION_MANAGEMENT);
  });

  test('the handler code comes from each Region\'s asset bucket; the assets are published there before the StackSet', () => {
    const app = new App();
    const stack = organizationStack(app);
    const set = new EnvironmentAccountStackSet(stack, 'EnvironmentSide', props);
    const { body } = stackSetOf(stack);
    const [fn] = ofType(body, 'AWS::Lambda::Function');
    expect(fn.Properties.Code.S3Bucket).toEqual({ 'Fn::Join': ['', ['proton-code-', { Ref: 'AWS::Region' }]] });
    const objectKey = fn.Properties.Code.S3Key as string;
    expect(objectKey).toMatch(/^[0-9a-f]{64}\.zip$/);

    const assembly = app.synth();
    const templateArtifactId = set.templateStack.artifactId;
    expect(templateArtifactId).toMatch(/\.assets$/);
    // the template is no stack of the assembly: `cdk deploy` never deploys it as one
    expect(assembly.stacks.map((s) => s.id)).toEqual(['Organization']);
    const dependencies = assembly.getStackArtifact('Organization').dependencies.map((d) => d.id);
    expect(dependencies).toContain(templateArtifactId);
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${templateArtifactId}.json`), 'utf8'));
    const [asset] = Object.values(manifest.files) as any[];
    expect(asset.source.packaging).toBe('zip');
    expect(fs.existsSync(path.join(assembly.directory, asset.source.path, 'index.js'))).toBe(true);
    expect(asset.destinations).toEqual({
      'us-east-1': { region: 'us-east-1', bucketName: 'proton-code-us-east-1', objectKey },
      'eu-west-1': { region: 'eu-west-1', bucketName: 'proton-code-eu-west-1', objectKey },
    });
  });

  test('the template fits TemplateBody (51,200 bytes) with room to spare', () => {
    const stack = organizationStack();
    new EnvironmentAccountStackSet(stack, 'EnvironmentSide', props);
    const { bodyText } = stackSetOf(stack);
    expect(Buffer.byteLength(bodyText)).toBeLessThan(10_000);
  });

  test('a named IAM role added to the template asks for CAPABILITY_NAMED_IAM; delegated administrators call as such', () => {
    const stack = organizationStack();
    const set = new EnvironmentAccountStackSet(stack, 'EnvironmentSide', { ...props, callAs: StackSetCaller.DELEGATED_ADMIN });
    new iam.Role(set.templateStack, 'Named', { roleName: 'platform-reader', assumedBy: new iam.AccountRootPrincipal() });
    const { properties } = stackSetOf(stack);
    expect(properties.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(properties.CallAs).toBe('DELEGATED_ADMIN');
  });

  test('tags reach the request of every account', () => {
    const stack = organizationStack();
    new EnvironmentAccountStackSet(stack, 'EnvironmentSide', { ...props, tags: { team: 'platform' } });
    const { body } = stackSetOf(stack);
    const [connection] = ofType(body, 'Custom::ProtonEnvironmentAccountConnection');
    expect(connection.Properties.Tags).toEqual({ team: 'platform' });
  });

  test.each<[string, Partial<EnvironmentAccountStackSetProps>, string]>([
    ['no OU', { organizationalUnitIds: [] }, 'invalid organizationalUnitIds []: must name at least one OU or root id'],
    ['a bad OU id', { organizationalUnitIds: ['ou-1'] }, 'invalid organizationalUnitIds "ou-1": must be an organizational unit id'],
    ['an OU twice', { organizationalUnitIds: [OU, OU] }, `lists "${OU}" more than once`],
    ['no Region', { regions: [] }, 'invalid regions []: must name at least one Region'],
    ['a bad Region', { regions: ['us-east'] }, 'invalid regions "us-east": must be a literal Region name such as "us-east-1"'],
    ['a Region twice', { regions: ['us-east-1', 'us-east-1'] }, 'lists "us-east-1" more than once'],
    ['a bad account', { managementAccountId: '1234' }, 'invalid managementAccountId "1234"'],
    ['an upper-case bucket prefix', { assetBucketNamePrefix: 'Proton' }, 'invalid assetBucketNamePrefix "Proton": must hold only lower-case letters, digits and "-"'],
    ['a bucket prefix too long', { assetBucketNamePrefix: 'p'.repeat(50) }, `gives bucket "${'p'.repeat(50)}-ap-southeast-3" of 65 characters in ap-southeast-3; S3 allows 63`],
    ['a bad StackSet name', { stackSetName: '1-environments' }, 'invalid stackSetName "1-environments": must start with a letter'],
    ['a percentage above 100', { maxConcurrentPercentage: 101 }, 'invalid maxConcurrentPercentage 101: must be an integer from 1 to 100'],
    ['a fractional tolerance', { failureTolerancePercentage: 2.5 }, 'invalid failureTolerancePercentage 2.5: must be an integer from 0 to 100'],
  ])('%s is refused at synth, naming the prop', (_name, override, message) => {
    const longPrefix = { assetBucketNamePrefix: 'p'.repeat(50), regions: ['us-east-1', 'ap-southeast-3'] };
    const given = override.assetBucketNamePrefix?.length === 50 ? { ...override, ...longPrefix } : override;
    expect(() => new EnvironmentAccountStackSet(organizationStack(), 'EnvironmentSide', { ...props, ...given })).toThrow(message);
  });

  test('an error names the construct path', () => {
    expect(() => new EnvironmentAccountStackSet(organizationStack(), 'EnvironmentSide', { ...props, regions: [] })).toThrow('Organization/EnvironmentSide: invalid regions');
  });
});

describe('both sides in one app', () => {
  function synth(app: App): void {
    app.synth();
  }

  test('an acceptor of the management account in every Region, with the same rule: synthesizes', () => {
    const app = new App();
    new EnvironmentAccountStackSet(organizationStack(app), 'EnvironmentSide', props);
    acceptorIn(app, 'us-east-1');
    acceptorIn(app, 'eu-west-1');
    expect(() => synth(app)).not.toThrow();
  });

  test('a Region without an acceptor is refused: its requests would stay PENDING', () => {
    const app = new App();
    new EnvironmentAccountStackSet(organizationStack(app), 'EnvironmentSide', props);
    acceptorIn(app, 'us-east-1');
    expect(() => synth(app)).toThrow('[Organization/EnvironmentSide] regions: the StackSet files requests in eu-west-1, but the acceptors of management account '
      + '111111111111 that trust OUs run in us-east-1: requests filed in eu-west-1 would stay PENDING (add an acceptor in eu-west-1 or remove the Region)');
  });

  test('another naming rule on the acceptor is refused', () => {
    const app = new App();
    new EnvironmentAccountStackSet(organizationStack(app), 'EnvironmentSide', { ...props, regions: ['us-east-1'] });
    acceptorIn(app, 'us-east-1', 'workloads');
    expect(() => synth(app)).toThrow('environmentNaming: the StackSet names environments "platform-<account id>", but the acceptors of management account 111111111111 '
      + 'in us-east-1 (Management-us-east-1/Acceptor) accept "workloads-<account id>": give both sides the same EnvironmentNaming');
  });

  test('no acceptor of that management account in the app: nothing to compare, synthesizes', () => {
    const app = new App();
    new EnvironmentAccountStackSet(organizationStack(app), 'EnvironmentSide', { ...props, managementAccountId: '333333333333' });
    acceptorIn(app, 'us-east-1');
    expect(() => synth(app)).not.toThrow();
  });
});

describe('StackSetAssetBucket', () => {
  test('bucket <prefix>-<region>: the organization reads its objects, nobody else; TLS only; retained', () => {
    const stack = new Stack(new App(), 'Code', { env: { account: ORGANIZATION_MANAGEMENT, region: 'eu-west-1' } });
    new StackSetAssetBucket(stack, 'Code', { bucketNamePrefix: 'proton-code', organizationId: 'o-abcdefghij' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: 'proton-code-eu-west-1',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
    });
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(statements[1]).toEqual({
      Sid: 'OrganizationReadsStackSetCode',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^CodeBucket/), 'Arn'] }, '/*']] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
    });
    expect(JSON.stringify(statements)).not.toContain('s3:PutObject');
  });

  test('the removal policy can be DESTROY', () => {
    const stack = new Stack(new App(), 'Code', { env: { account: ORGANIZATION_MANAGEMENT, region: 'eu-west-1' } });
    new StackSetAssetBucket(stack, 'Code', { bucketNamePrefix: 'proton-code', organizationId: 'o-abcdefghij', removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test.each([
    [{ organizationId: 'o-1' }, 'invalid organizationId "o-1": must be an organization id'],
    [{ bucketNamePrefix: 'xn--code' }, 'invalid bucketNamePrefix "xn--code"'],
  ])('refuses %j', (override, message) => {
    const stack = new Stack(new App(), 'Code', { env: { account: ORGANIZATION_MANAGEMENT, region: 'eu-west-1' } });
    expect(() => new StackSetAssetBucket(stack, 'Code', { bucketNamePrefix: 'proton-code', organizationId: 'o-abcdefghij', ...override })).toThrow(message);
  });

  test('needs a literal Region: the bucket is named after it', () => {
    const stack = new Stack(new App(), 'Code');
    expect(() => new StackSetAssetBucket(stack, 'Code', { bucketNamePrefix: 'proton-code', organizationId: 'o-abcdefghij' })).toThrow(
      'Code/Code: invalid region "${AWS::Region}": the stack needs a literal Region (env.region): the bucket is named after it');
  });

  test('cdk-nag AwsSolutions: nothing left; server access logs acknowledged with the reason', () => {
    const stack = new Stack(new App(), 'Code', { env: { account: ORGANIZATION_MANAGEMENT, region: 'eu-west-1' } });
    new StackSetAssetBucket(stack, 'Code', { bucketNamePrefix: 'proton-code', organizationId: 'o-abcdefghij' });
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });
});
