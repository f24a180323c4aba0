/**
 * Orders stack artifacts the way the CDK CLI does and selects stacks by name.
 */
import type { StackArtifact } from './cloud-assembly';
import { topologicalOrder } from './resource-graph';

/** Finds a stack by artifact id, display name or CloudFormation stack name. */
export function findStack(stacks: readonly StackArtifact[], name: string): StackArtifact | undefined {
  return stacks.find(s => s.id === name) ?? stacks.find(s => s.displayName === name) ?? stacks.find(s => s.stackName === name);
}

/**
 * The stacks named by `names` (all when omitted), in the CDK CLI's order (see `cliOrder`).
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

/** The given stacks in the CDK CLI's order (see `cliOrder`); dependencies outside the list are ignored. */
export function orderStacks(stacks: readonly StackArtifact[]): StackArtifact[] {
  const byId = new Map(stacks.map(s => [s.id, s]));
  return cliOrder([...byId.keys()], id => byId.get(id)!.dependencies).map(id => byId.get(id)!);
}

/**
 * The order in which the CDK CLI lists and deploys stacks (its cloud assembly's topological sort): first every stack
 * without dependencies, then every stack whose dependencies are all placed, and so on, each round sorted by artifact id.
 * Dependencies outside `ids` are ignored. Throws on a cycle.
 */
export function cliOrder(ids: readonly string[], depsOf: (id: string) => readonly string[]): string[] {
  topologicalOrder(ids, depsOf, 'stack'); // throws on cycles, naming them
  const known = new Set(ids);
  const remaining = new Set(ids);
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(id => depsOf(id).every(d => !known.has(d) || !remaining.has(d)));
    ready.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ready) {
      order.push(id);
      remaining.delete(id);
    }
  }
  return order;
}
