import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The 16 CloudFormation actions the AWS Proton user guide's provisioning policy grants,
 * limited to the stacks Proton provisions (`AWSProton-*`) in this account and Region.
 */
export const PROTON_CLOUDFORMATION_ACTIONS = [
  'cloudformation:CancelUpdateStack',
  'cloudformation:ContinueUpdateRollback',
  'cloudformation:CreateChangeSet',
  'cloudformation:CreateStack',
  'cloudformation:DeleteChangeSet',
  'cloudformation:DeleteStack',
  'cloudformation:DescribeChangeSet',
  'cloudformation:DescribeStackDriftDetectionStatus',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResourceDrifts',
  'cloudformation:DescribeStacks',
  'cloudformation:DetectStackResourceDrift',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:ListChangeSets',
  'cloudformation:ListStackResources',
  'cloudformation:UpdateStack',
];

/** The name pattern of the stacks AWS Proton provisions. */
export const PROTON_STACK_NAME_PATTERN = 'AWSProton-*';

/** ARN of the Proton-provisioned stacks in the scope's account and Region. */
export function protonStacksArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${PROTON_STACK_NAME_PATTERN}` });
}

/** The CloudFormation base statement every Proton provisioning role carries. */
export function protonCloudFormationStatement(scope: IConstruct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ManageProtonStacks',
    actions: PROTON_CLOUDFORMATION_ACTIONS,
    resources: [protonStacksArn(scope)],
  });
}
