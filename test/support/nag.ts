import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** A violation cdk-nag reports, reduced to what a test asserts on. */
export interface NagFinding {
  readonly rule: string;
  readonly paths: string[];
}

/** Runs cdk-nag AwsSolutions (the v3 plugin) over `scope` and returns the unacknowledged findings. */
export function awsSolutionsFindings(scope: IConstruct): NagFinding[] {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((violation) => ({
    rule: violation.ruleName,
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? '<no construct path>'),
  }));
}
