import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';

/**
 * Runs the real CloudFormation linter (cfn-lint from PyPI, pinned in requirements-dev.txt and
 * installed into .venv by `npx projen python:env`) over synthesized templates, in one process.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CFN_LINT = process.platform === 'win32'
  ? path.join(REPO_ROOT, '.venv', 'Scripts', 'cfn-lint.exe')
  : path.join(REPO_ROOT, '.venv', 'bin', 'cfn-lint');
/** The one place where findings are acknowledged, each with its reason. */
export const CONFIG_FILE = path.join(REPO_ROOT, '.cfnlintrc.yaml');

/** One synthesized template, and how to name its resources in a report. */
export interface LintTemplate {
  /** `<app shape>/<stack artifact id>`. */
  readonly name: string;
  readonly file: string;
  /** The Region its stack deploys to (undefined: environment-agnostic). */
  readonly region?: string;
  /** Logical id → construct path, for the report. */
  readonly constructPaths: Record<string, string>;
}

/** One cfn-lint finding, with the construct it is about. */
export interface CfnLintFinding {
  /** Rule id, e.g. `E3002`. */
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational' | string;
  readonly template: string;
  /** Logical id of the resource (or output, parameter, …) when the finding is about one. */
  readonly logicalId?: string;
  /** Construct path of that resource, when known. */
  readonly constructPath?: string;
  /** Where in the template, e.g. `Resources/Queue/Properties/NotAProperty`. */
  readonly location: string;
  readonly message: string;
}

/** cfn-lint's exit codes when it ran and reported findings (or none): sums of 2, 4 and 8. */
const FINDING_EXIT_CODES = new Set([0, 2, 4, 6, 8, 10, 12, 14]);

/** The error to fail with when the venv has no cfn-lint. */
export function missingCfnLintMessage(): string {
  return `cfn-lint is not installed at ${CFN_LINT}: run \`npx projen python:env\` (it installs requirements-dev.txt into .venv; \`npx projen test\` runs it first)`;
}

/**
 * Synthesizes `app` into `outdir` and lists its stacks' templates, named `<shape>/<artifact id>`,
 * with each template's logical ids mapped to construct paths.
 */
export function synthesizeTemplates(shape: string, app: App): LintTemplate[] {
  const assembly = app.synth();
  const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  // stacks synthesized as templates only (a StackSet's): linted as templates for every Region
  const templatesOnly = stacks.filter((s) => !assembly.stacks.some((a) => a.id === s.artifactId)).map((stack) => ({
    name: `${shape}/${stack.artifactId} (StackSet template)`,
    file: path.join(assembly.directory, stack.templateFile),
    region: undefined,
    constructPaths: constructPathsOf(stack),
  }));
  return [...templatesOnly, ...assembly.stacks.map((artifact) => {
    const stack = stacks.find((s) => s.artifactId === artifact.id);
    const region = artifact.environment.region;
    return {
      name: `${shape}/${artifact.id}`,
      file: artifact.templateFullPath,
      region: region && region !== 'unknown-region' ? region : undefined,
      constructPaths: stack ? constructPathsOf(stack) : {},
    };
  })];
}

function constructPathsOf(stack: Stack): Record<string, string> {
  const constructPaths: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    if (CfnElement.isCfnElement(c) && c.stack === stack) constructPaths[stack.resolve(c.logicalId)] = c.node.path;
  }
  return constructPaths;
}

/**
 * Lints every template in ONE cfn-lint process (JSON output), with the repository's
 * `.cfnlintrc.yaml`. Each template is linted for its own stack's Region: cfn-lint's per-template
 * configuration (`Metadata.cfn-lint.config.regions`, which takes precedence over the config
 * file's `regions`) is written into the synthesized copy, so one process checks templates of
 * different Regions without checking every template for every Region. Throws when cfn-lint is
 * missing, fails, or does not answer in JSON.
 */
export function runCfnLint(templates: LintTemplate[]): CfnLintFinding[] {
  if (!fs.existsSync(CFN_LINT)) throw new Error(missingCfnLintMessage());
  if (!fs.existsSync(CONFIG_FILE)) throw new Error(`${CONFIG_FILE} is missing: it holds the acknowledged cfn-lint rules`);
  if (templates.length === 0) throw new Error('no template to lint');
  templates.forEach(pinRegion);
  // No user-level ~/.cfnlintrc may change the result: cfn-lint runs with an empty HOME.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-home-'));
  try {
    const result = spawnSync(CFN_LINT, [
      '--format', 'json',
      '--config-file', CONFIG_FILE,
      '--', ...templates.map((t) => t.file),
    ], {
      cwd: REPO_ROOT,
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
      env: cfnLintEnvironment(home),
    });
    if (result.error) throw new Error(`cfn-lint could not run (${CFN_LINT}): ${result.error.message}. ${missingCfnLintMessage()}`);
    let raw: RawFinding[];
    try {
      raw = JSON.parse(result.stdout);
    } catch {
      throw new Error(`cfn-lint exited ${result.status ?? result.signal} without a JSON report:\n${result.stderr}\n${result.stdout}`);
    }
    // Exit codes are a sum of 2 (errors), 4 (warnings) and 8 (informational); anything else (1, 16, …) is cfn-lint failing.
    if (result.status === null || !FINDING_EXIT_CODES.has(result.status)) {
      throw new Error(`cfn-lint failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
    }
    const byFile = new Map(templates.map((t) => [path.resolve(t.file), t]));
    return raw.map((finding) => toFinding(finding, byFile));
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** One line per finding: rule, level, template, resource (construct path), location, message. */
export function describeFinding(f: CfnLintFinding): string {
  const resource = f.logicalId ? ` ${f.logicalId}${f.constructPath ? ` (${f.constructPath})` : ''}` : '';
  return `${f.rule} [${f.level}] ${f.template}${resource} at ${f.location}: ${f.message}`;
}

/**
 * The environment cfn-lint runs in: no user-level ~/.cfnlintrc (an empty HOME), and no
 * AWS_REGION / AWS_DEFAULT_REGION (cfn-lint's fallback Region): only the templates and
 * `.cfnlintrc.yaml` decide.
 */
function cfnLintEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.AWS_REGION;
  delete env.AWS_DEFAULT_REGION;
  return env;
}

/** Writes the stack's Region into the template's cfn-lint configuration (the template's own settings are kept). */
function pinRegion(template: LintTemplate): void {
  if (!template.region) return;
  const body = JSON.parse(fs.readFileSync(template.file, 'utf-8'));
  const metadata = body.Metadata ?? {};
  const cfnLint = metadata['cfn-lint'] ?? {};
  const config = cfnLint.config ?? {};
  if (config.regions !== undefined) return;
  body.Metadata = { ...metadata, 'cfn-lint': { ...cfnLint, config: { ...config, regions: [template.region] } } };
  fs.writeFileSync(template.file, JSON.stringify(body, undefined, 1));
}

interface RawFinding {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Location: { readonly Path?: Array<string | number> | null; readonly Start?: { readonly LineNumber?: number } };
  readonly Rule: { readonly Id: string };
}

function toFinding(raw: RawFinding, byFile: Map<string, LintTemplate>): CfnLintFinding {
  const template = byFile.get(path.resolve(raw.Filename));
  const where = raw.Location?.Path ?? [];
  const section = where[0];
  const logicalId = where.length > 1 && typeof where[1] === 'string'
    && ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Mappings'].includes(String(section)) ? where[1] : undefined;
  const location = where.length > 0 ? where.join('/') : `line ${raw.Location?.Start?.LineNumber ?? '?'}`;
  return {
    rule: raw.Rule.Id,
    level: raw.Level,
    template: template?.name ?? raw.Filename,
    logicalId,
    constructPath: logicalId && section === 'Resources' ? template?.constructPaths[logicalId] : undefined,
    location,
    message: raw.Message,
  };
}
