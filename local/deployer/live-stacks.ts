/**
 * What exists right now, as the services the deployer emulates (SSM parameters, EventBridge rules) see it: every
 * deployed stack from the deployment state, and for a stack that an operation of this deployer is changing, its
 * resources as the operation has left them so far (a resource exists from its CREATE_COMPLETE to its
 * DELETE_COMPLETE, as in AWS).
 */
import type { DeployState, ResourceState } from './deploy-state';

/** One stack's resources, where they live. */
export interface StackView {
  /** The stack's artifact id (its label in progress lines). */
  readonly id: string;
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Readonly<Record<string, ResourceState>>;
  /** When the stack was last changed (ISO-8601). */
  readonly lastUpdated: string;
}

export class LiveStacks {
  private readonly inFlight = new Map<string, () => StackView | undefined>();

  constructor(private readonly state: DeployState) {}

  /**
   * Shows `view()` in place of the stack's deployed state while an operation runs (`undefined`: not there yet, or
   * gone). Returns the function that ends it.
   */
  track(id: string, view: () => StackView | undefined): () => void {
    this.inFlight.set(id, view);
    return () => {
      if (this.inFlight.get(id) === view) this.inFlight.delete(id);
    };
  }

  /** Every stack as it is now. */
  all(): StackView[] {
    const stacks = new Map<string, StackView>();
    for (const s of this.state.all()) stacks.set(s.id, s);
    for (const [id, view] of this.inFlight) {
      const v = view();
      if (v) stacks.set(id, v);
      else stacks.delete(id);
    }
    return [...stacks.values()];
  }
}
