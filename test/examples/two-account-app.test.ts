import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PLACEHOLDERS } from '../../examples/two-account-app/app-context';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';
import { awsSolutionsFindings } from '../support/nag';

describe('two-account example app', () => {
  test('placeholders: the environment stack holds the Proton role for the placeholder management account', () => {
    const app = new App();
    const { environmentStack } = buildTwoAccountApp(app);
    expect(environmentStack.account).toBe(PLACEHOLDERS.environmentAccount);
    expect(environmentStack.region).toBe(PLACEHOLDERS.region);
    Template.fromStack(environmentStack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'proton.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': PLACEHOLDERS.managementAccount },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:proton:${PLACEHOLDERS.region}:${PLACEHOLDERS.managementAccount}:environment/dev`]],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('context sets accounts, Region and environment name', () => {
    const app = new App({
      context: { environmentAccount: '333333333333', managementAccount: '444444444444', region: 'eu-central-1', environmentName: 'prod' },
    });
    const { environmentStack } = buildTwoAccountApp(app);
    expect(environmentStack.account).toBe('333333333333');
    expect(environmentStack.region).toBe('eu-central-1');
    expect(JSON.stringify(Template.fromStack(environmentStack).toJSON())).toContain(':proton:eu-central-1:444444444444:environment/prod');
  });

  test('bad context fails synth naming the prop', () => {
    const app = new App({ context: { managementAccount: 'not-an-account' } });
    expect(() => buildTwoAccountApp(app)).toThrow(/invalid managementAccountId "not-an-account": must be a 12-digit AWS account id/);
  });

  test('zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const app = new App();
    buildTwoAccountApp(app);
    expect(awsSolutionsFindings(app)).toEqual([]);
  });
});
