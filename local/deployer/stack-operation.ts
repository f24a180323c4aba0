/**
 * What every stack operation (deploy in stack-deployment.ts, delete in stack-deletion.ts) shares: the context the
 * deployer gives it, its error type, the resource kinds it tells apart, and the one builder of a stack's state.
 */
import type { StackArtifact } from './cloud-assembly';
import type { DeployState, OutputState, ResourceState, StackState } from './deploy-state';
import type { LambdaContext } from './lambda-invocation';
import type { LiveStacks } from './live-stacks';

/** What a stack operation needs from the deployer. */
export interface StackOperationContext extends LambdaContext {
  readonly state: DeployState;
  readonly parameters: Record<string, string>;
  /** Where the operation shows the stack's resources as it changes them (to the SSM endpoint and the rules). */
  readonly live: LiveStacks;
}

export type StackOutcome = 'CREATE_COMPLETE' | 'UPDATE_COMPLETE' | 'NO_CHANGES';

export const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

export function isCustomResourceType(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/** An error that already carries the stack/resource it is about. */
export class StackOperationError extends Error {}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The reason CloudFormation gives for a FAILED response (`received`), or the local deployer's own reason. */
export function failedReason(reason: string | undefined, received: boolean): string {
  return received ? `Received response status [FAILED] from custom resource. Message returned: ${reason ?? '(none)'}` : (reason ?? 'failed');
}

/** What changes from one state of a stack to the next. */
export interface StackStateFields {
  readonly stackId: string;
  readonly status: string;
  readonly resources: Record<string, ResourceState>;
  readonly outputs: Record<string, OutputState>;
  /** Export names the stack imports. */
  readonly imports: Iterable<string>;
}

/** The state of an artifact's stack, as it is remembered after an operation (imports sorted, `lastUpdated` now). */
export function stackStateOf(artifact: StackArtifact, fields: StackStateFields): StackState {
  return {
    id: artifact.id,
    stackName: artifact.stackName,
    account: artifact.account,
    region: artifact.region,
    stackId: fields.stackId,
    status: fields.status,
    resources: fields.resources,
    outputs: fields.outputs,
    imports: [...fields.imports].sort(),
    dependencies: artifact.dependencies,
    lastUpdated: new Date().toISOString(),
  };
}
