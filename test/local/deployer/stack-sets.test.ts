/**
 * Service-managed StackSets: a management stack's `AWS::CloudFormation::StackSet` deploys one stack instance per
 * account of its OUs (nested ones included) and Region, never to the management account nor to a suspended account,
 * each run under the target account's credentials; auto-deployment follows the local endpoint's organization.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CfnStackSet, CfnStackSetProps, Stack } from 'aws-cdk-lib';
import { cleanupTmp, deployerFor, readRecords, RECORDER_DIR, synth, tmpDir } from './helpers';
import type { LocalDeployerOptions } from '../../../local/deployer';
import type { OrganizationDocument } from '../../../local/organizations';
import { useLocalProton } from '../../support/local-proton';

const MANAGEMENT = '111111111111';
const WORKLOADS = 'ou-test-workload';
const NESTED = 'ou-test-nested01';
const OUTSIDE = 'ou-test-outside1';
const REGIONS = ['us-east-1', 'eu-west-1'];
const ORGANIZATION: OrganizationDocument = {
  managementAccountId: MANAGEMENT,
  rootId: 'r-test',
  organizationalUnits: [
    { id: WORKLOADS, name: 'Workloads', parent: 'r-test' },
    { id: NESTED, name: 'Nested', parent: WORKLOADS },
    { id: OUTSIDE, name: 'Outside', parent: 'r-test' },
  ],
  accounts: [
    // the management account sits in the target OU, and still gets no instance
    { id: MANAGEMENT, parent: WORKLOADS },
    { id: '222222222222', parent: WORKLOADS },
    { id: '333333333333', parent: NESTED },
    { id: '444444444444', parent: NESTED },
    { id: '555555555555', parent: OUTSIDE },
    { id: '666666666666', parent: NESTED, status: 'SUSPENDED' },
  ],
  delegatedAdministrators: ['555555555555'],
};
const TARGETS = ['222222222222', '333333333333', '444444444444'];

const endpoint = useLocalProton({ organization: ORGANIZATION });
afterAll(cleanupTmp);

/** The recorder handler's code as CDK would register a StackSet's asset: an extra asset manifest the management stack depends on. */
const ASSET_HASH = createHash('sha256').update(fs.readFileSync(path.join(RECORDER_DIR, 'index.js'))).digest('hex');

function addStackSetAssets(outdir: string, managementStack: string): void {
  const file = 'StackSetAssets.assets.json';
  const destinations = Object.fromEntries(REGIONS.map(r => [r, { bucketName: `stackset-assets-${r}`, objectKey: `${ASSET_HASH}.zip`, region: r }]));
  fs.writeFileSync(path.join(outdir, file), JSON.stringify({ version: '36.0.0', files: { [ASSET_HASH]: { source: { path: RECORDER_DIR, packaging: 'zip' }, destinations } } }));
  const manifestFile = path.join(outdir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  manifest.artifacts.StackSetAssets = { type: 'cdk:asset-manifest', properties: { file } };
  manifest.artifacts[managementStack].dependencies = [...manifest.artifacts[managementStack].dependencies ?? [], 'StackSetAssets'];
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
}

interface InstanceTemplateOptions {
  readonly record: string;
  /** Extra resources (IAM ones for the capability checks). */
  readonly resources?: Record<string, unknown>;
}

/** An environment-agnostic instance template: the recorder function and a custom resource it backs. */
function instanceTemplate(options: InstanceTemplateOptions): string {
  return JSON.stringify({
    Parameters: { Greeting: { Type: 'String', Default: 'hello' }, FailIn: { Type: 'String', Default: 'none' } },
    Conditions: { Fails: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'FailIn' }] } },
    Resources: {
      Handler: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/stackset-handler' },
          Code: { S3Bucket: { 'Fn::Join': ['', ['stackset-assets-', { Ref: 'AWS::Region' }]] }, S3Key: `${ASSET_HASH}.zip` },
          Environment: { Variables: { RECORD_FILE: options.record } },
        },
      },
      Probe: {
        Type: 'Custom::Probe',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, Value: { Ref: 'Greeting' }, Fail: { 'Fn::If': ['Fails', 'true', 'false'] } },
      },
      ...options.resources,
    },
    Outputs: { ProbeValue: { Value: { 'Fn::GetAtt': ['Probe', 'Value'] } } },
  });
}

interface Built {
  readonly dir: string;
  readonly record: string;
}

/** A management stack `Mgmt` with one StackSet `Workloads` targeting the Workloads OU in two Regions. */
type BuildProps = Partial<Omit<CfnStackSetProps, 'templateBody'>> & { readonly template?: Partial<InstanceTemplateOptions> };

function build(props: BuildProps = {}, account = MANAGEMENT, record = path.join(tmpDir('stackset-record-'), 'events.jsonl')): Built {
  const { template, ...overrides } = props;
  const dir = synth(app => {
    const stack = new Stack(app, 'Mgmt', { env: { account, region: 'us-east-1' } });
    new CfnStackSet(stack, 'StackSet', {
      stackSetName: 'Workloads',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [WORKLOADS] }, regions: REGIONS }],
      capabilities: ['CAPABILITY_IAM'],
      templateBody: instanceTemplate({ record, ...template }),
      ...overrides,
    });
  });
  addStackSetAssets(dir, 'Mgmt');
  return { dir, record };
}

function deployer(dir: string, options: Partial<LocalDeployerOptions> = {}) {
  return deployerFor(dir, { environment: { AWS_ENDPOINT_URL_PROTON: endpoint().url }, ...options });
}

const instanceId = (account: string, region: string) => `Mgmt/StackSet-Workloads/${account}/${region}`;
const everywhere = (accounts: string[]) => accounts.flatMap(a => REGIONS.map(r => instanceId(a, r))).sort();
const instances = (d: { deployedStacks(): Array<{ id: string }> }) => d.deployedStacks().map(s => s.id).filter(id => id.startsWith('Mgmt/')).sort();
/** `RequestType account region` of each recorded event. */
const requests = (record: string) => readRecords(record).map(r => `${r.event.RequestType} ${r.event.StackId.split(':')[4]} ${r.env.AWS_REGION}`).sort();
const refs = (accounts: string[]) => accounts.flatMap(account => REGIONS.map(region => ({ stackSet: 'Workloads', managementStack: 'Mgmt', account, region, stack: instanceId(account, region) })));
const sameRefs = (a: unknown[]) => expect.arrayContaining(a);

describe('deploy and destroy', () => {
  test('one instance per account of the OU and its nested OU and Region, under the target account\'s credentials; none for the management or a suspended account', async () => {
    const { dir, record } = build();
    const { deployer: d, lines } = deployer(dir);
    const result = await d.deploy();

    expect(instances(d)).toEqual(everywhere(TARGETS));
    expect(result.stacks.Mgmt.stackSets).toMatchObject({ created: sameRefs(refs(TARGETS)), updated: [], deleted: [], failed: [] });
    expect(result.stacks.Mgmt.stackSets!.created).toHaveLength(6);
    expect(requests(record)).toEqual(TARGETS.flatMap(a => REGIONS.map(r => `Create ${a} ${r}`)).sort());
    for (const r of readRecords(record)) {
      const account = r.event.StackId.split(':')[4];
      expect(r.env.AWS_ACCESS_KEY_ID).toBe(`LOCAL${account}`);
      expect(r.event.StackId).toMatch(new RegExp(`^arn:aws:cloudformation:${r.env.AWS_REGION}:${account}:stack/StackSet-Workloads-[0-9a-f-]{36}/`));
      expect(r.event.ServiceToken).toMatch(new RegExp(`^arn:aws:lambda:${r.env.AWS_REGION}:${account}:function:`));
    }
    const instance = d.stackState(instanceId('333333333333', 'eu-west-1'))!;
    expect(instance).toMatchObject({ account: '333333333333', region: 'eu-west-1', status: 'CREATE_COMPLETE', stackName: expect.stringMatching(/^StackSet-Workloads-/), dependencies: [] });
    expect(d.outputs(instance.id)).toEqual({ ProbeValue: 'hello' });
    expect(d.resource(instance.stackName, 'Probe').attributes).toMatchObject({ Status: 'CONNECTED' });
    const log = lines.join('\n');
    expect(log).toContain('Mgmt | StackSet Workloads: instance 222222222222/us-east-1 CREATE_COMPLETE');
    expect(log).toContain('Mgmt | StackSet Workloads: no instance in 666666666666/us-east-1: the account is SUSPENDED');
    expect(log).toMatch(/Mgmt\/StackSet-Workloads\/444444444444\/eu-west-1 \| CREATE_COMPLETE \| Custom::Probe \| Probe/);
    // the StackSet resource itself: CloudFormation's id shape, no "not modelled" placeholder warning
    expect(d.resourceAttributes('Mgmt', 'StackSet')).toEqual({ StackSetId: expect.stringMatching(/^Workloads:[0-9a-f-]{36}$/) });
    expect(log).not.toContain('AWS::CloudFormation::StackSet is not modelled');

    // a redeploy without changes updates nothing
    const again = await d.deploy();
    expect(again.stacks.Mgmt.stackSets).toMatchObject({ created: [], updated: [], deleted: [], failed: [] });
    expect(readRecords(record)).toHaveLength(6);

    // destroy: every instance is deleted (its custom resource gets Delete), then the management stack
    await d.destroy();
    expect(requests(record).filter(r => r.startsWith('Delete'))).toEqual(TARGETS.flatMap(a => REGIONS.map(r => `Delete ${a} ${r}`)).sort());
    expect(d.deployedStacks()).toEqual([]);
    const deletions = lines.filter(l => / \| DELETE_COMPLETE \| AWS::CloudFormation::Stack \| /.test(l));
    expect(deletions.at(-1)).toMatch(/^Mgmt \| DELETE_COMPLETE/);
    expect(deletions).toHaveLength(7);
  }, 60_000);

  test('an instance that fails is reported and makes deploy() reject naming the StackSet, account and Region; the others complete', async () => {
    const { dir } = build({ parameters: [{ parameterKey: 'FailIn', parameterValue: '333333333333' }] });
    const { deployer: d, lines } = deployer(dir);
    const failure = await d.deploy().catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    const text = (failure as Error).message;
    for (const region of REGIONS) expect(text).toContain(`StackSet Workloads (stack Mgmt): instance 333333333333/${region}: Stack ${instanceId('333333333333', region)} failed: Probe (Custom::Probe)`);
    expect(instances(d)).toEqual(everywhere(['222222222222', '444444444444']));
    expect(lines.join('\n')).toContain('Mgmt | StackSet Workloads: instance 333333333333/us-east-1 OUTDATED: ');
    await d.destroy();
    expect(d.deployedStacks()).toEqual([]);
  }, 60_000);

  test('an instance is not destroyed on its own', async () => {
    const { dir } = build({ stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [NESTED] }, regions: ['us-east-1'] }] });
    const { deployer: d } = deployer(dir);
    await d.deploy();
    await expect(d.destroy([instanceId('333333333333', 'us-east-1')])).rejects.toThrow(
      `Stack ${instanceId('333333333333', 'us-east-1')} is the instance of StackSet Workloads in 333333333333/us-east-1: destroy its management stack Mgmt`);
    await d.destroy(['Mgmt']);
    expect(d.deployedStacks()).toEqual([]);
  }, 60_000);
});

describe('auto-deployment', () => {
  test('syncStackSets(): an account that joins a nested OU gets instances; one moved out or removed loses them (Delete); a suspended one keeps them', async () => {
    const { dir, record } = build();
    const { deployer: d } = deployer(dir);
    await d.deploy();
    const orgs = endpoint().admin.organizations;

    orgs.addAccount({ id: '777777777777', parent: NESTED });
    orgs.addAccount({ id: '888888888888', parent: NESTED, status: 'SUSPENDED' });
    expect(await d.syncStackSets()).toEqual({ created: sameRefs(refs(['777777777777'])), updated: [], deleted: [], retained: [], failed: [] });
    expect(instances(d)).toEqual(everywhere([...TARGETS, '777777777777']));
    expect(d.outputs(instanceId('777777777777', 'eu-west-1'))).toEqual({ ProbeValue: 'hello' });

    orgs.moveAccount('333333333333', OUTSIDE);
    orgs.removeAccount('444444444444');
    orgs.setAccountStatus('222222222222', 'SUSPENDED');
    const synced = await d.syncStackSets();
    expect(synced).toMatchObject({ created: [], updated: [], retained: [], failed: [] });
    expect(synced.deleted).toEqual(sameRefs(refs(['333333333333', '444444444444'])));
    expect(synced.deleted).toHaveLength(4);
    expect(requests(record).filter(r => r.startsWith('Delete'))).toEqual(['333333333333', '444444444444'].flatMap(a => REGIONS.map(r => `Delete ${a} ${r}`)).sort());
    expect(instances(d)).toEqual(everywhere(['222222222222', '777777777777']));
    // nothing changed since: nothing to do
    expect(await d.syncStackSets()).toEqual({ created: [], updated: [], deleted: [], retained: [], failed: [] });
    await d.destroy();
    expect(d.deployedStacks()).toEqual([]);
  }, 60_000);

  test('while the rules run, a change of the organization (read in process) is reconciled in the background; RetainStacksOnAccountRemoval keeps the stack', async () => {
    const { dir, record } = build({
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: true },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [NESTED] }, regions: ['us-east-1'] }],
    });
    const orgs = endpoint().admin.organizations;
    const { deployer: d, lines } = deployer(dir, { organization: orgs, eventPollIntervalMs: 20 });
    await d.deploy();
    expect(instances(d)).toEqual([instanceId('333333333333', 'us-east-1'), instanceId('444444444444', 'us-east-1')]);
    d.rules.start();
    try {
      orgs.addAccount({ id: '777777777777', parent: NESTED });
      orgs.moveAccount('333333333333', OUTSIDE);
      const deadline = Date.now() + 10_000;
      while (!d.stackState(instanceId('777777777777', 'us-east-1')) && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
      await d.stackSetsIdle();
    } finally {
      await d.close();
    }
    expect(instances(d)).toEqual([instanceId('444444444444', 'us-east-1'), instanceId('777777777777', 'us-east-1')]);
    // the instance of the account that left is no longer one: its stack is kept, by its name, without a Delete
    const kept = d.deployedStacks().find(s => s.account === '333333333333')!;
    expect(kept.id).toMatch(/^StackSet-Workloads-[0-9a-f-]{36}$/);
    expect(requests(record)).toEqual(['Create 333333333333 us-east-1', 'Create 444444444444 us-east-1', 'Create 777777777777 us-east-1']);
    expect(lines.join('\n')).toContain(`StackSet Workloads: instance 333333333333/us-east-1 removed (account 333333333333 left the target OUs); its stack ${kept.id} is retained (RetainStacksOnAccountRemoval)`);
    await d.destroy();
    expect(d.deployedStacks()).toEqual([]);
    expect(requests(record).filter(r => r.startsWith('Delete'))).toHaveLength(3);
  }, 60_000);
});

test('the instances live in the state file: a new deployer updates them when the parameters change, and destroys them', async () => {
  const stateFile = path.join(tmpDir('stackset-state-'), 'state.json');
  const record = path.join(tmpDir('stackset-record-'), 'events.jsonl');
  const group = [{ deploymentTargets: { organizationalUnitIds: [NESTED] }, regions: REGIONS }];
  const first = build({ stackInstancesGroup: group }, MANAGEMENT, record);
  await deployer(first.dir, { stateFile }).deployer.deploy();

  const second = build({ stackInstancesGroup: group, parameters: [{ parameterKey: 'Greeting', parameterValue: 'bonjour' }] }, MANAGEMENT, record);
  const { deployer: d } = deployer(second.dir, { stateFile });
  expect(instances(d)).toEqual(everywhere(['333333333333', '444444444444']));
  const result = await d.deploy();
  expect(result.stacks.Mgmt.stackSets!.updated).toEqual(sameRefs(refs(['333333333333', '444444444444'])));
  expect(result.stacks.Mgmt.stackSets!.updated).toHaveLength(4);
  expect(requests(record).filter(r => r.startsWith('Update'))).toHaveLength(4);
  expect(d.outputs(instanceId('444444444444', 'us-east-1'))).toEqual({ ProbeValue: 'bonjour' });

  const third = deployer(second.dir, { stateFile }).deployer;
  await third.destroy();
  expect(third.deployedStacks()).toEqual([]);
  expect(requests(record).filter(r => r.startsWith('Delete'))).toHaveLength(4);
}, 60_000);

describe('what CloudFormation refuses, and what is not emulated', () => {
  test.each([
    ['an IAM role without a capability', { capabilities: [] }, 'InsufficientCapabilities: Requires capabilities : [CAPABILITY_IAM]'],
    ['a named IAM role with CAPABILITY_IAM only', { template: { resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'named', AssumeRolePolicyDocument: {} } } } } },
      'InsufficientCapabilities: Requires capabilities : [CAPABILITY_NAMED_IAM]'],
    ['a TemplateURL', { templateUrl: 'https://s3.amazonaws.com/bucket/template.json' }, 'TemplateURL is not supported by the local deployer (it never reads S3)'],
    ['a SELF_MANAGED StackSet', { permissionModel: 'SELF_MANAGED' }, 'PermissionModel SELF_MANAGED is not supported by the local deployer'],
  ] as Array<[string, BuildProps, string]>)('%s: the deploy fails before anything runs', async (_what, props, error) => {
    const withRole = { resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } } };
    const { dir, record } = build({ template: withRole, ...props });
    const { deployer: d } = deployer(dir);
    await expect(d.deploy()).rejects.toThrow(`Stack Mgmt failed: AWS::CloudFormation::StackSet StackSet: ${error}`);
    expect(d.deployedStacks()).toEqual([]);
    expect(readRecords(record)).toEqual([]);
  });

  test('CAPABILITY_NAMED_IAM allows named IAM resources', async () => {
    const { dir } = build({
      capabilities: ['CAPABILITY_NAMED_IAM'],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [WORKLOADS] }, regions: ['us-east-1'] }],
      template: { resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'named', AssumeRolePolicyDocument: {} } } } },
    });
    const { deployer: d } = deployer(dir);
    await d.deploy();
    expect(d.resource(instanceId('222222222222', 'us-east-1'), 'Role').physicalId).toBe('named');
    await d.destroy();
  }, 60_000);

  test('without an organization, or from an account that may not create it, the StackSet fails naming why', async () => {
    const { dir } = build();
    const none = deployer(dir, { organization: false }).deployer;
    await expect(none.deploy()).rejects.toThrow('StackSet Workloads (stack Mgmt): service-managed StackSets need AWS Organizations: LocalDeployerOptions.organization is false');
    await none.destroy();

    endpoint().admin.organizations.load(undefined);
    const empty = deployer(dir).deployer;
    await expect(empty.deploy()).rejects.toThrow(/the organization could not be read: GET \/_local\/organizations answered HTTP 400: organization: the endpoint serves no organization/);
    await empty.destroy();
    endpoint().admin.reset();

    const member = deployer(build({}, '222222222222').dir).deployer;
    await expect(member.deploy()).rejects.toThrow('CallAs SELF: stack Mgmt is in account 222222222222, not the organization\'s management account 111111111111');
    await member.destroy();
    const delegated = deployer(build({ callAs: 'DELEGATED_ADMIN' }, '555555555555').dir).deployer;
    await delegated.deploy();
    expect(instances(delegated)).toEqual(everywhere(TARGETS));
    await delegated.destroy();
    expect(delegated.deployedStacks()).toEqual([]);
  }, 60_000);
});
