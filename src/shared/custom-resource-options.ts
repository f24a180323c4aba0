import { CfnResource, CustomResource } from 'aws-cdk-lib';

/**
 * Leaves out `DeletionPolicy: Delete` and `UpdateReplacePolicy: Delete`, which are
 * CloudFormation's defaults: about 90 bytes less per custom resource. What happens to the
 * connection on delete is the handler's business (the `RetainOnDelete` property).
 */
export function omitDefaultDeletionPolicies(resource: CustomResource): void {
  const cfn = resource.node.defaultChild as CfnResource;
  cfn.cfnOptions.deletionPolicy = undefined;
  cfn.cfnOptions.updateReplacePolicy = undefined;
}
