import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The AWS Control Tower proactive controls (cfn-guard rules bundled with
 * `@cdklabs/cdk-validator-cfnguard`, run offline by its static cfn-guard binary), as a CDK policy
 * validation plugin. How it reports and what it honours:
 *
 * - The plugin validates the synthesized templates; the CDK (not the plugin) then drops every
 *   violating resource that an acknowledgement covers: `Validations.of(scope).acknowledge({ id:
 *   'cdk-validator-cfnguard::<rule_name>', reason })` on the resource or one of its ancestors (the
 *   closest wins). The namespace is the plugin's name; the rule name is the guard rule's, e.g.
 *   `lambda_inside_vpc_check` (CT.LAMBDA.PR.3). Acknowledge on the L1 resource (or its L2
 *   wrapper) to cover one rule on one resource.
 * - Acknowledged findings stay in the report, under `suppressedViolations`, with the reason.
 * - In a jest test (`NODE_ENV=test`) a failing validation throws from `app.synth()` with the whole
 *   report as the message; `@aws-cdk/core:failSynthOnValidationErrors: false` makes the CDK only
 *   write the report (`validation-report.json` in the assembly), which this helper reads.
 *   The built-in CloudFormation validation is turned off: it only warns about `AWS::Proton::*`
 *   (W3696) and would print a preamble.
 */
const PLUGIN_NAME = 'cdk-validator-cfnguard';

/** The id that acknowledges one Control Tower guard rule, e.g. `lambda_inside_vpc_check`. */
export function guardRuleId(ruleName: string): string {
  return `${PLUGIN_NAME}::${ruleName}`;
}

/** Acknowledges one Control Tower guard rule on `scope` (one resource) with a reason. */
export function acknowledgeGuardRule(scope: IConstruct, ruleName: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: guardRuleId(ruleName), reason });
}

/** One rule on one resource. */
export interface GuardFinding {
  /** The guard rule name, e.g. `lambda_inside_vpc_check`. */
  readonly rule: string;
  /** The Control Tower control, e.g. `CT.LAMBDA.PR.3`. */
  readonly control: string;
  /** Construct path of the violating resource (`<template>#<logicalId>` when the CDK cannot map it). */
  readonly path: string;
}

/** An acknowledged finding, with where and why it was acknowledged. */
export interface AcknowledgedGuardFinding extends GuardFinding {
  readonly acknowledgedAt: string;
  readonly reason: string;
}

export interface GuardReport {
  /** What the Control Tower rules reject and nobody acknowledged: must be empty to deploy in a governed OU. */
  readonly findings: GuardFinding[];
  readonly acknowledged: AcknowledgedGuardFinding[];
}

/**
 * A fresh `App` for `controlTowerReport`: the guard plugin registered, its report written to a
 * temporary directory instead of thrown or printed.
 */
export function guardedApp(props: AppProps = {}): App {
  const app = new App({
    ...props,
    outdir: props.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-guard-')),
    builtinCloudFormationValidation: false,
    context: { ...props.context, '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  Validations.of(app).addPlugins(new CfnGuardValidator());
  return app;
}

/** Synthesizes an app made by `guardedApp` and returns the Control Tower findings, sorted. */
export function controlTowerReport(app: App): GuardReport {
  const assembly = app.synth();
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  try {
    if (!fs.existsSync(reportFile)) return { findings: [], acknowledged: [] };
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport;
    const guard = report.pluginReports.filter((plugin) => plugin.pluginName === PLUGIN_NAME);
    if (guard.some((plugin) => plugin.violations.some((v) => v.ruleName === undefined))) {
      throw new Error(`the guard plugin failed: ${JSON.stringify(guard)}`);
    }
    return {
      findings: sorted(guard.flatMap((plugin) => plugin.violations.flatMap(findingsOf))),
      acknowledged: sorted(guard.flatMap((plugin) => (plugin.suppressedViolations ?? []).flatMap((violation) =>
        findingsOf(violation).map((finding) => ({ ...finding, acknowledgedAt: violation.acknowledgedAt ?? '', reason: violation.reason ?? '' }))))),
    };
  } finally {
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  }
}

/** The unacknowledged Control Tower findings of an app made by `guardedApp`. */
export function controlTowerFindings(app: App): GuardFinding[] {
  return controlTowerReport(app).findings;
}

interface ReportedViolation {
  readonly ruleName?: string;
  readonly description?: string;
  readonly violatingConstructs: Array<{ constructPath?: string; cloudFormationResource?: { templatePath?: string; logicalId?: string } }>;
  readonly acknowledgedAt?: string;
  readonly reason?: string;
}

interface ValidationReport {
  readonly pluginReports: Array<{ pluginName: string; violations: ReportedViolation[]; suppressedViolations?: ReportedViolation[] }>;
}

function findingsOf(violation: ReportedViolation): GuardFinding[] {
  const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description ?? '')?.[1] ?? 'unknown';
  return violation.violatingConstructs.map((resource) => ({
    rule: violation.ruleName!,
    control,
    path: resource.constructPath || `${resource.cloudFormationResource?.templatePath}#${resource.cloudFormationResource?.logicalId}`,
  }));
}

function sorted<T extends GuardFinding>(findings: T[]): T[] {
  return [...findings].sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule));
}
