import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PLACEHOLDERS } from '../../examples/two-account-app/app-context';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { awsSolutionsFindings } from '../support/nag';

const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('two-account example app', () => {
  test('environment stack: the Proton role trusted for the management account\'s environment, and the request', () => {
    const { environmentStack } = buildTwoAccountApp(new App());
    expect(environmentStack.account).toBe(PLACEHOLDERS.environmentAccount);
    expect(environmentStack.region).toBe(PLACEHOLDERS.region);
    const template = Template.fromStack(environmentStack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'proton.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': PLACEHOLDERS.managementAccount },
            ArnLike: { 'aws:SourceArn': arn(`:proton:${PLACEHOLDERS.region}:${PLACEHOLDERS.managementAccount}:environment/dev`) },
          },
        }],
      },
    });
    template.hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', {
      ManagementAccountId: PLACEHOLDERS.managementAccount,
      EnvironmentName: 'dev',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvironmentProtonRole'), 'Arn'] },
    });
    // the environment side never waits: the management stack deploys after it
    const connection = Object.values(template.findResources('Custom::ProtonEnvironmentAccountConnection'))[0] as any;
    expect(connection.Properties.WaitForAcceptance).toBeUndefined();
    template.hasOutput('ConnectionId', {});
    template.hasOutput('ConnectionStatus', {});
  });

  test('management stack: the acceptor expects exactly that pair and exposes its connection id', () => {
    const { managementStack } = buildTwoAccountApp(new App());
    expect(managementStack.account).toBe(PLACEHOLDERS.managementAccount);
    const template = Template.fromStack(managementStack);
    template.resourceCountIs('Custom::ProtonConnectionAcceptance', 1);
    template.hasResourceProperties('Custom::ProtonConnectionAcceptance', { Pairs: [`${PLACEHOLDERS.environmentAccount}/dev`] });
    template.hasOutput('AcceptedConnectionId', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AcceptorAcceptance'), 'ConnectionId0'] } });
    template.resourceCountIs('Custom::ProtonEnvironmentAccountConnection', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/RejectEnvironmentAccountConnection/);
  });

  test('the management stack depends on the environment stack, so deploy --all files before it accepts', () => {
    const app = new App();
    const { environmentStack, managementStack } = buildTwoAccountApp(app);
    expect(managementStack.dependencies).toEqual([environmentStack]);
    const manifest = app.synth().getStackArtifact(managementStack.artifactId);
    expect(manifest.dependencies.map((d) => d.id)).toContain(environmentStack.artifactId);
  });

  test('context sets accounts, Region, environment name and role name', () => {
    const app = new App({
      context: { environmentAccount: '333333333333', managementAccount: '444444444444', region: 'eu-central-1', environmentName: 'prod', protonRoleName: 'proton-prod' },
    });
    const { environmentStack, managementStack } = buildTwoAccountApp(app);
    expect([environmentStack.account, managementStack.account, environmentStack.region, managementStack.region]).toEqual(['333333333333', '444444444444', 'eu-central-1', 'eu-central-1']);
    const template = Template.fromStack(environmentStack);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'proton-prod' });
    expect(JSON.stringify(template.toJSON())).toContain(':proton:eu-central-1:444444444444:environment/prod');
    Template.fromStack(managementStack).hasResourceProperties('Custom::ProtonConnectionAcceptance', { Pairs: ['333333333333/prod'] });
  });

  test('different Regions fail synth, saying why', () => {
    const app = new App({ context: { environmentRegion: 'eu-west-1', managementRegion: 'us-east-1' } });
    expect(() => buildTwoAccountApp(app)).toThrow(
      /EnvironmentAccountStack\/Environment: invalid acceptor "ManagementAccountStack": is in us-east-1, but the environment stack is in eu-west-1: AWS Proton shows a connection request only to a management account in the same Region/,
    );
  });

  test('the same account for both sides fails synth', () => {
    const app = new App({ context: { environmentAccount: '111111111111', managementAccount: '111111111111' } });
    expect(() => buildTwoAccountApp(app)).toThrow(/is in account 111111111111, the environment stack's own account: a connection links two different accounts/);
  });

  test('bad context fails synth naming the prop', () => {
    const app = new App({ context: { environmentName: 'not valid!' } });
    expect(() => buildTwoAccountApp(app)).toThrow(/invalid environmentName(s)? .*"not valid!"/);
  });

  test('zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const app = new App();
    buildTwoAccountApp(app);
    expect(awsSolutionsFindings(app)).toEqual([]);
  });
});
