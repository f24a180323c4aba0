import * as path from 'path';
import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { cleanupTmp, deployerFor, ENV_A, logicalId, readRecords, recorded, recorderFunction, summary, synth, tmpDir } from './helpers';

jest.setTimeout(30_000);
afterAll(cleanupTmp);

describe('create', () => {
  test('resolves intrinsics, stringifies properties and orders resources', async () => {
    const work = tmpDir();
    const record = path.join(work, 'events.jsonl');
    const dir = synth(app => {
      const a = new Stack(app, 'Producer', { env: ENV_A });
      const role = new iam.Role(a, 'Role', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com'), path: '/proton/' });
      const fn = recorderFunction(a, record);
      const param = new CfnParameter(a, 'Greeting', { type: 'String', default: 'hello' });
      const isEast = new CfnCondition(a, 'IsEast', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
      const first = recorded(fn, a, 'First', {
        Num: 42,
        Bool: true,
        List: [1, 'two', false],
        Nested: { Deep: 3 },
        RoleArn: role.roleArn,
        RoleName: role.roleName,
        Sub: Fn.sub('${AWS::Partition}:${AWS::Region}:${AWS::AccountId}:${R}', { R: role.roleName }),
        Joined: Fn.join('/', ['a', Aws.STACK_NAME, Aws.URL_SUFFIX]),
        Selected: Fn.select(1, Fn.split(',', 'x,y,z')),
        Param: param.valueAsString,
        Cond: Fn.conditionIf(isEast.logicalId, 'east', 'elsewhere'),
        NoValue: Fn.conditionIf(isEast.logicalId, Aws.NO_VALUE, 'present'),
        Base64: Fn.base64('hi'),
        Value: 'first-value',
      }, 'Custom::First');
      const second = recorded(fn, a, 'Second', { FromFirst: first.getAttString('Value'), FirstRef: first.ref, StackId: Aws.STACK_ID });
      new CfnOutput(a, 'SecondStatus', { value: second.getAttString('Status'), exportName: 'SecondStatus' });
      const b = new Stack(app, 'Consumer', { env: ENV_A });
      b.addStackDependency(a);
      const fnB = recorderFunction(b, record);
      recorded(fnB, b, 'Importer', { Imported: Fn.importValue('SecondStatus') });
    });
    const { deployer, lines, events } = deployerFor(dir);
    const result = await deployer.deploy().catch(e => { console.log(lines.join('\n')); throw e; });

    expect(Object.keys(result.stacks)).toEqual(['Producer', 'Consumer']);
    expect(result.stacks.Producer.outcome).toBe('CREATE_COMPLETE');
    expect(summary(record)).toEqual(['Create First', 'Create Second', 'Create Importer']);
    const [first, second, importer] = readRecords(record);
    const roleId = logicalId(deployer, 'Producer', 'Role', 'AWS::IAM::Role');
    const roleName = deployer.physicalResourceId('Producer', roleId);
    expect(roleName).toMatch(new RegExp(`^Producer-${roleId}-[A-Z0-9]{12}$`));
    const roleArn = deployer.resourceAttributes('Producer', roleId).Arn;
    expect(roleArn).toBe(`arn:aws:iam::222222222222:role/proton/${roleName}`);
    const fnArn = deployer.resourceAttributes('Producer', logicalId(deployer, 'Producer', 'Handler', 'AWS::Lambda::Function')).Arn;
    expect(first.event).toMatchObject({
      RequestType: 'Create',
      ResourceType: 'Custom::First',
      LogicalResourceId: 'First',
      ServiceToken: fnArn,
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:222222222222:stack\/Producer\/[0-9a-f-]{36}$/),
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ResponseURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    });
    expect(first.event.PhysicalResourceId).toBeUndefined();
    expect(first.event.OldResourceProperties).toBeUndefined();
    expect(first.event.ResourceProperties).toEqual({
      ServiceToken: fnArn,
      Num: '42',
      Bool: 'true',
      List: ['1', 'two', 'false'],
      Nested: { Deep: '3' },
      RoleArn: roleArn,
      RoleName: roleName,
      Sub: `aws:us-east-1:222222222222:${roleName}`,
      Joined: 'a/Producer/amazonaws.com',
      Selected: 'y',
      Param: 'hello',
      Cond: 'east',
      Base64: Buffer.from('hi').toString('base64'),
      Value: 'first-value',
    });
    expect(second.event.ResourceProperties).toMatchObject({
      FromFirst: 'first-value',
      FirstRef: deployer.physicalResourceId('Producer', 'First'),
      StackId: first.event.StackId,
    });
    expect(importer.event.ResourceProperties.Imported).toBe('CONNECTED');
    expect(deployer.outputs('Producer')).toEqual({ SecondStatus: 'CONNECTED' });
    expect(deployer.exports('Producer')).toEqual({ SecondStatus: 'CONNECTED' });

    // the handler's environment and context
    expect(first.env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'LOCAL222222222222',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      FN_VAR: 'fn-Producer',
      AWS_LAMBDA_FUNCTION_NAME: first.context.functionName,
    });
    expect(first.context.remaining).toBeGreaterThan(0);
    expect(first.context.remaining).toBeLessThanOrEqual(3000);

    // progress
    expect(lines).toContain('Producer | CREATE_IN_PROGRESS | AWS::CloudFormation::Stack | Producer');
    expect(lines).toContain('Producer | CREATE_IN_PROGRESS | Custom::First | First');
    expect(lines.some(l => /^Producer \| CREATE_COMPLETE \| Custom::First \| First \| Status=CONNECTED Value=first-value/.test(l))).toBe(true);
    expect(lines).toContain('Producer | First | Create First');
    expect(lines[lines.length - 1]).toBe('Consumer | CREATE_COMPLETE | AWS::CloudFormation::Stack | Consumer');
    const order = events.filter(e => e.status === 'CREATE_COMPLETE').map(e => e.logicalId);
    expect(order.indexOf('First')).toBeLessThan(order.indexOf('Second'));
    expect(order.indexOf('Producer')).toBeLessThan(order.indexOf('Importer'));
  });
});
