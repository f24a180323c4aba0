/**
 * Template dependency analysis (Ref, Fn::GetAtt, Fn::Sub `${X}` / `${X.Attr}`, DependsOn) and a scheduler that runs
 * graph nodes as soon as their dependencies are done, concurrently (the way CloudFormation runs resources) up to a limit
 * (the way the CDK CLI runs stacks).
 */
import type { CfnResource } from './cloud-assembly';

/** Names referenced by `Ref`, `Fn::GetAtt` and `Fn::Sub` anywhere in `value` (parameters and pseudo parameters included). */
export function referencedNames(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedNames(v, out);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof obj.Ref === 'string') {
      out.add(obj.Ref);
      return out;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const arg = obj['Fn::GetAtt'];
      if (Array.isArray(arg) && typeof arg[0] === 'string') out.add(arg[0]);
      else if (typeof arg === 'string') out.add(arg.split('.')[0]);
      if (Array.isArray(arg)) referencedNames(arg.slice(1), out);
      return out;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const arg = obj['Fn::Sub'];
      const [str, vars] = Array.isArray(arg) ? [arg[0], arg[1] as Record<string, unknown> | undefined] : [arg, undefined];
      if (typeof str === 'string') {
        for (const name of subVariables(str)) {
          const base = name.split('.')[0];
          if (!vars || !(name in vars)) out.add(base);
        }
      } else {
        referencedNames(str, out);
      }
      if (vars) referencedNames(vars, out);
      return out;
    }
    for (const v of Object.values(obj)) referencedNames(v, out);
  }
  return out;
}

/** The `${...}` variable names of an `Fn::Sub` string (without `${!Literal}` escapes). */
export function subVariables(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1].trim();
    if (!name.startsWith('!')) names.push(name);
  }
  return names;
}

/** For each resource, the logical ids of the resources it depends on (references and DependsOn). */
export function resourceDependencies(resources: Record<string, CfnResource>): Map<string, string[]> {
  const ids = new Set(Object.keys(resources));
  const result = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const deps = new Set<string>();
    for (const name of referencedNames(resource.Properties ?? {})) if (ids.has(name)) deps.add(name);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const d of dependsOn) {
      if (!ids.has(d)) throw new Error(`Resource ${id}: DependsOn names "${d}", which is not a resource of the template`);
      deps.add(d);
    }
    deps.delete(id);
    result.set(id, [...deps]);
  }
  return result;
}

/** A topological order (dependencies first), stable with respect to `ids`. Throws on a cycle. */
export function topologicalOrder(ids: readonly string[], depsOf: (id: string) => readonly string[], what = 'resource'): string[] {
  const known = new Set(ids);
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (id: string, trail: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`Circular dependency between ${what}s: ${[...trail.slice(trail.indexOf(id)), id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const d of depsOf(id)) if (known.has(d)) visit(d, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id, []);
  return order;
}

export interface GraphRunResult {
  /** Nodes whose run succeeded, in completion order. */
  readonly completed: string[];
  /** Nodes whose run failed. */
  readonly failed: Map<string, Error>;
  /** Nodes never started (a dependency failed, or stopOnFailure). */
  readonly skipped: string[];
}

export interface RunGraphOptions {
  /** No new node starts after the first failure (running ones finish). Otherwise only the dependents of a failed node are skipped. */
  readonly stopOnFailure: boolean;
  /** What a node is, for error messages (`resource`, `stack`). */
  readonly what?: string;
  /**
   * At most this many nodes run at once (default: no limit). Among the nodes that are ready, the one that comes first
   * in `ids` starts first, so with 1 and a topologically ordered `ids` the nodes run exactly in the order of `ids`.
   */
  readonly concurrency?: number;
}

/**
 * Runs `run(id)` for every node once all of its dependencies (restricted to `ids`) completed, concurrently otherwise
 * (up to `concurrency`). With `stopOnFailure`, no new node starts after the first failure (running ones finish).
 * Without it, only the nodes that (transitively) depend on a failed node are skipped.
 */
export async function runGraph(
  ids: readonly string[],
  depsOf: (id: string) => readonly string[],
  run: (id: string) => Promise<void>,
  options: RunGraphOptions,
): Promise<GraphRunResult> {
  topologicalOrder(ids, depsOf, options.what); // throws on cycles
  const limit = options.concurrency ?? Infinity;
  const known = new Set(ids);
  const deps = new Map(ids.map(id => [id, depsOf(id).filter(d => known.has(d) && d !== id)]));
  const completed: string[] = [];
  const failed = new Map<string, Error>();
  const started = new Set<string>();
  const blocked = new Set<string>();
  let stop = false;
  return new Promise<GraphRunResult>(resolve => {
    let running = 0;
    const pump = () => {
      if (!stop) {
        for (const id of ids) {
          if (running >= limit) break;
          if (started.has(id) || blocked.has(id)) continue;
          const d = deps.get(id)!;
          if (d.some(x => failed.has(x) || blocked.has(x))) {
            blocked.add(id);
            continue;
          }
          if (!d.every(x => completed.includes(x))) continue;
          started.add(id);
          running++;
          run(id).then(
            () => { completed.push(id); },
            (err: unknown) => {
              failed.set(id, err instanceof Error ? err : new Error(String(err)));
              if (options.stopOnFailure) stop = true;
            },
          ).finally(() => {
            running--;
            pump();
          });
        }
        // blocking can cascade; loop until stable
        let changed = true;
        while (changed) {
          changed = false;
          for (const id of ids) {
            if (started.has(id) || blocked.has(id)) continue;
            if (deps.get(id)!.some(x => failed.has(x) || blocked.has(x))) {
              blocked.add(id);
              changed = true;
            }
          }
        }
      }
      if (running === 0) {
        resolve({ completed, failed, skipped: ids.filter(id => !started.has(id)) });
      }
    };
    pump();
  });
}

/** Inverts a dependency function over `ids`: the result lists, for each node, the nodes that depend on it. */
export function dependents(ids: readonly string[], depsOf: (id: string) => readonly string[]): (id: string) => string[] {
  const map = new Map<string, string[]>(ids.map(id => [id, []]));
  for (const id of ids) {
    for (const d of depsOf(id)) map.get(d)?.push(id);
  }
  return id => map.get(id) ?? [];
}
