import { Annotations, AspectPriority, Aspects, CfnResource, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** IAM resources that make up a role and what it may do. */
const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/** Retains every IAM resource of one role's construct subtree (the role, its default policy, companions). */
class RetainIamResources implements IAspect {
  public visit(node: IConstruct): void {
    if (CfnResource.isCfnResource(node) && IAM_TYPES.has(node.cfnResourceType)) node.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}

/**
 * A retained connection must never name a role that was deleted: the roles it names that this
 * stack creates are retained with it (with the policies created under them). Roles this stack
 * does not create are not its to delete. Applied as an aspect, so policies added later count.
 */
export function retainNamedRoles(connection: IConstruct, roles: iam.IRole[]): void {
  const stack = Stack.of(connection);
  const retained: string[] = [];
  for (const role of roles) {
    if (!CfnResource.isCfnResource(role.node.defaultChild) || Stack.of(role) !== stack) continue;
    Aspects.of(role).add(new RetainIamResources(), { priority: AspectPriority.MUTATING });
    retained.push(role.node.path);
  }
  if (retained.length > 0) {
    Annotations.of(connection).addInfo(
      `removalPolicy RETAIN: the roles the connection names (${retained.join(', ')}) are retained with it, so that a kept connection never names a deleted role. `
      + 'A stack created again under the same name takes the connection back; a fixed roleName then needs the kept role deleted or imported first.',
    );
  }
}
