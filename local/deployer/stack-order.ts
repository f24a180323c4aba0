/**
 * Orders stack artifacts by their `dependencies` and selects stacks by name.
 */
import type { StackArtifact } from './cloud-assembly';
import { topologicalOrder } from './resource-graph';

/** Finds a stack by artifact id, display name or CloudFormation stack name. */
export function findStack(stacks: readonly StackArtifact[], name: string): StackArtifact | undefined {
  return stacks.find(s => s.id === name) ?? stacks.find(s => s.displayName === name) ?? stacks.find(s => s.stackName === name);
}

/**
 * The stacks named by `names` (all when omitted), ordered so that every stack comes after the stacks it depends on.
 * Only the named stacks are returned (like `cdk deploy --exclusively`); dependencies outside the selection are not added.
 */
export function selectStacks(stacks: readonly StackArtifact[], names?: readonly string[]): StackArtifact[] {
  let selected: StackArtifact[];
  if (names && names.length > 0) {
    selected = [];
    for (const name of names) {
      const stack = findStack(stacks, name);
      if (!stack) {
        throw new Error(`No stack named "${name}" in the cloud assembly (stacks: ${stacks.map(s => s.id).join(', ') || 'none'})`);
      }
      if (!selected.includes(stack)) selected.push(stack);
    }
  } else {
    selected = [...stacks];
  }
  return orderStacks(selected);
}

/** Dependency order (dependencies first) of the given stacks; dependencies outside the list are ignored. */
export function orderStacks(stacks: readonly StackArtifact[]): StackArtifact[] {
  const byId = new Map(stacks.map(s => [s.id, s]));
  const deps = new Map(stacks.map(s => [s.id, s.dependencies.filter(d => byId.has(d))]));
  return topologicalOrder([...byId.keys()], id => deps.get(id) ?? [], 'stack').map(id => byId.get(id)!);
}
