import { Annotations, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { END_OF_SUPPORT_CONTEXT_KEY } from './end-of-support';

/** Marks an app whose synth has already said what the switch does. */
const ANNOUNCED = Symbol.for('cdk-proton-account-connections.endOfSupportAnnounced');

/**
 * Whether the end-of-support switch (`cdk-proton-account-connections:endOfSupport`) is on for
 * `scope`: `true` or `"true"` (as `-c key=true` gives it). The first construct of an app that
 * reads it on says once, at synth, what it does. Any value but true or false is an error.
 */
export function endOfSupportSwitch(scope: IConstruct): boolean {
  const value: unknown = scope.node.tryGetContext(END_OF_SUPPORT_CONTEXT_KEY);
  if (value === undefined || value === false || value === 'false') return false;
  if (value !== true && value !== 'true') {
    throw new Error(`${scope.node.path}: invalid context ${END_OF_SUPPORT_CONTEXT_KEY} ${JSON.stringify(value)}: must be true or false`);
  }
  const root = scope.node.root as unknown as Record<symbol, boolean>;
  if (!root[ANNOUNCED]) {
    root[ANNOUNCED] = true;
    Annotations.of(Stack.of(scope)).addInfo(
      `${END_OF_SUPPORT_CONTEXT_KEY} is on: after this deploy, the connections and acceptors of this app update and delete without calling AWS Proton, `
      + 'continuous acceptance has no schedule or event rule, and no new connection can be created. Deploy once, then destroy.',
    );
  }
  return true;
}
