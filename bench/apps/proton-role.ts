/**
 * The Proton role of the hand-written sides (floor and peer), in aws-cdk-lib only: trusted by
 * proton.amazonaws.com, and, when given the environments it serves, only on their behalf (the
 * confused-deputy conditions of AWS Proton's guide, the ones the library's role carries).
 */
import { Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MANAGEMENT_ACCOUNT } from './app-spec';

export function protonRole(scope: Construct, id: string, guardedFor?: string[]): iam.Role {
  const principal = new iam.ServicePrincipal('proton.amazonaws.com');
  if (!guardedFor) return new iam.Role(scope, id, { assumedBy: principal });
  const stack = Stack.of(scope);
  const arns = guardedFor.map((name) => stack.formatArn({ service: 'proton', account: MANAGEMENT_ACCOUNT, resource: 'environment', resourceName: name }));
  return new iam.Role(scope, id, {
    assumedBy: principal.withConditions({
      StringEquals: { 'aws:SourceAccount': MANAGEMENT_ACCOUNT },
      ArnLike: { 'aws:SourceArn': arns.length === 1 ? arns[0] : arns },
    }),
  });
}
