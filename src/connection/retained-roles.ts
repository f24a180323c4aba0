import { Annotations, AspectPriority, Aspects, CfnDeletionPolicy, CfnResource, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** IAM resources that make up a role and what it may do. */
const IAM_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/** After `RemovalPolicies.of()` and other mutating aspects: the connection's final policy is known. */
const AFTER_REMOVAL_POLICIES = AspectPriority.MUTATING + 100;

const RETAINING: ReadonlySet<string> = new Set([CfnDeletionPolicy.RETAIN, CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE]);

/**
 * A retained connection must never name a role that was deleted. When the connection's final
 * `DeletionPolicy` retains it (whichever way it was set: the prop, `applyRemovalPolicy()`,
 * `RemovalPolicies.of()`), the roles it names that this stack creates are retained with it,
 * with the IAM policies created under them. Roles this stack does not create are not its to delete.
 */
export function retainNamedRolesWhenRetained(connection: IConstruct, resource: CfnResource, roles: iam.IRole[]): void {
  Aspects.of(connection).add(new RetainNamedRoles(connection, resource, roles), { priority: AFTER_REMOVAL_POLICIES });
}

class RetainNamedRoles implements IAspect {
  private done = false;

  constructor(private readonly connection: IConstruct, private readonly resource: CfnResource, private readonly roles: iam.IRole[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.resource || this.done) return;
    this.done = true;
    if (!RETAINING.has(this.resource.cfnOptions.deletionPolicy ?? CfnDeletionPolicy.DELETE)) return;
    const stack = Stack.of(this.connection);
    const retained: string[] = [];
    for (const role of this.roles) {
      if (!CfnResource.isCfnResource(role.node.defaultChild) || Stack.of(role) !== stack) continue;
      for (const child of role.node.findAll()) {
        if (CfnResource.isCfnResource(child) && IAM_TYPES.has(child.cfnResourceType)) child.applyRemovalPolicy(RemovalPolicy.RETAIN);
      }
      retained.push(role.node.path);
    }
    if (retained.length > 0) {
      Annotations.of(this.connection).addInfo(
        `removalPolicy RETAIN: the roles the connection names (${retained.join(', ')}) are retained with it, so that a kept connection never names a deleted role. `
        + 'A stack created again under the same name takes the connection back; a fixed roleName then needs the kept role deleted or imported first.',
      );
    }
  }
}
