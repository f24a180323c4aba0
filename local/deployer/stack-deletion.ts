/**
 * Deletion: of one resource (a Delete request to a custom resource, honouring Retain policies), and of a whole
 * deployed stack (reverse dependency order, independent resources concurrently, DELETE_FAILED with what is left).
 */
import type { ResourceState, StackState } from './deploy-state';
import { findFunction, FunctionPlace, invokeCustomResourceHandler, LambdaContext } from './lambda-invocation';
import { dependents, runGraph } from './resource-graph';
import { failedReason, isCustomResourceType, message, StackOperationContext, StackOperationError } from './stack-operation';

/** One resource to delete, with its stack and the function its ServiceToken names. */
export interface DeleteCall extends FunctionPlace {
  readonly stackId: string;
  readonly logicalId: string;
  readonly state: ResourceState;
  readonly policy: string | undefined;
  /** Why it is deleted (printed). */
  readonly why: string;
  /** `RetainExceptOnCreate` deletes the resource in the rollback of its stack's creation. */
  readonly rollbackOfCreate: boolean;
  readonly fn: ResourceState | undefined;
}

/** Deletes one resource (sends Delete to custom resources), honouring Retain policies. Throws on failure. */
export async function deleteOne(ctx: LambdaContext, call: DeleteCall): Promise<void> {
  const { state, logicalId: id, label } = call;
  const retain = call.policy === 'Retain' || (call.policy === 'RetainExceptOnCreate' && !call.rollbackOfCreate);
  if (retain) {
    ctx.progress.event({ stack: label, status: 'DELETE_SKIPPED', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason: `${call.policy} (${call.why}): ${state.physicalId} is kept` });
    return;
  }
  ctx.progress.event({ stack: label, status: 'DELETE_IN_PROGRESS', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason: call.why });
  if (isCustomResourceType(state.type)) {
    let reason: string | undefined;
    try {
      const response = await invokeCustomResourceHandler(ctx, {
        label,
        stackId: call.stackId,
        account: call.account,
        region: call.region,
        requestType: 'Delete',
        logicalId: id,
        resourceType: state.type,
        properties: state.properties,
        physicalId: state.physicalId,
        fn: call.fn,
      });
      if (response.status === 'FAILED') reason = failedReason(response.reason, response.received);
    } catch (err) {
      reason = message(err);
    }
    if (reason) {
      ctx.progress.event({ stack: label, status: 'DELETE_FAILED', resourceType: state.type, logicalId: id, physicalId: state.physicalId, reason });
      throw new Error(`${id} (${state.type}): ${reason}`);
    }
  }
  ctx.progress.event({ stack: label, status: 'DELETE_COMPLETE', resourceType: state.type, logicalId: id, physicalId: state.physicalId });
}

/** Deletes a deployed stack: Delete events in reverse dependency order, independent resources concurrently. */
export async function destroyStack(ctx: StackOperationContext, stack: StackState): Promise<void> {
  const label = stack.id;
  const others = ctx.state.all().filter(s => s.id !== stack.id && s.account === stack.account && s.region === stack.region);
  for (const o of Object.values(stack.outputs)) {
    const importer = o.exportName ? others.find(s => s.imports.includes(o.exportName!)) : undefined;
    if (importer) throw new StackOperationError(`Stack ${label} cannot be deleted: export ${o.exportName} is in use by ${importer.id}`);
  }
  ctx.progress.stack(label, 'DELETE_IN_PROGRESS');
  const ids = Object.keys(stack.resources);
  // what exists meanwhile: the resources not deleted yet
  const left = { ...stack.resources };
  const untrack = ctx.live.track(stack.id, () => ({ ...stack, resources: { ...left } }));
  const run = await runGraph(ids, dependents(ids, id => stack.resources[id].dependsOn), async id => {
    const state = stack.resources[id];
    await deleteOne(ctx, {
      label,
      stackId: stack.stackId,
      account: stack.account,
      region: stack.region,
      logicalId: id,
      state,
      policy: state.deletionPolicy,
      why: 'stack deletion',
      rollbackOfCreate: false,
      fn: isCustomResourceType(state.type) ? findFunction(String(state.properties.ServiceToken), stack.resources) : undefined,
    });
    delete left[id];
  }, { stopOnFailure: false }).finally(untrack);
  if (run.failed.size === 0 && run.skipped.length === 0) {
    ctx.state.remove(stack.id);
    ctx.progress.stack(label, 'DELETE_COMPLETE');
    return;
  }
  const remaining = new Set([...run.failed.keys(), ...run.skipped]);
  ctx.state.put({ ...stack, status: 'DELETE_FAILED', resources: Object.fromEntries(Object.entries(stack.resources).filter(([id]) => remaining.has(id))) });
  const reasons = [...run.failed.values()].map(e => e.message).join('; ');
  ctx.progress.stack(label, 'DELETE_FAILED', reasons);
  throw new StackOperationError(`Stack ${label} could not be deleted: ${reasons}`);
}
