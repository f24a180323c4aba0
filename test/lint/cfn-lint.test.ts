import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import {
  CFN_LINT,
  CONFIG_FILE,
  CfnLintFinding,
  LintTemplate,
  describeFinding,
  missingCfnLintMessage,
  runCfnLint,
  synthesizeTemplates,
} from './cfn-lint';
import { LINT_APPS } from './lint-apps';

/**
 * cfn-lint over every synthesized template of the example apps and of test apps that use every
 * construct and option, in one cfn-lint process. Findings are acknowledged only in
 * .cfnlintrc.yaml, rule by rule, each with its reason; anything else fails the test.
 */

/** A template that must not pass: an unknown property (E3002), beside findings the config decides about. */
const PROBE_NAME = 'deliberately-broken/Probe';
const PROBE = {
  Resources: {
    // E3002: an unknown property; I1022: Fn::Join with an empty delimiter; I3011/I3013: informational (stateful, no retention)
    Queue: {
      Type: 'AWS::SQS::Queue',
      Properties: { NotAProperty: true, QueueName: { 'Fn::Join': ['', ['probe-', { Ref: 'AWS::Region' }]] } },
    },
    // W3005: a DependsOn that the Ref already gives
    QueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      DependsOn: ['Queue'],
      Properties: {
        Queues: [{ Ref: 'Queue' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }],
        },
      },
    },
  },
};

/** A template linted for its stack's Region only: AWS Proton never existed in eu-south-1 (E3006 there). */
const REGION_PROBE_NAME = 'deliberately-broken/RegionProbe';
const REGION_PROBE = {
  Resources: {
    Connection: {
      Type: 'AWS::Proton::EnvironmentAccountConnection',
      Properties: { ManagementAccountId: '111111111111', EnvironmentName: 'dev', RoleArn: 'arn:aws:iam::222222222222:role/proton' },
    },
  },
};
const PROBES = [PROBE_NAME, REGION_PROBE_NAME];

/** The rules `.cfnlintrc.yaml` acknowledges, each with the comment lines just above it. */
function acknowledgedRules(): Array<{ rule: string; reason: string }> {
  const lines = fs.readFileSync(CONFIG_FILE, 'utf-8').split(/\r?\n/);
  const start = lines.findIndex((line) => /^ignore_checks:\s*$/.test(line));
  if (start < 0) return [];
  const rules: Array<{ rule: string; reason: string }> = [];
  let comments: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const comment = /^\s+#\s?(.*)$/.exec(line);
    const entry = /^\s+-\s*["']?([A-Za-z0-9]+)["']?\s*(#.*)?$/.exec(line);
    if (comment) {
      comments.push(comment[1]);
    } else if (entry) {
      rules.push({ rule: entry[1], reason: comments.join(' ').trim() });
      comments = [];
    } else if (line.trim() !== '') {
      throw new Error(`${CONFIG_FILE}: cannot read ignore_checks line ${JSON.stringify(line)}: write one "- RULE" per line, its reason in comments above it`);
    }
  }
  return rules;
}

function report(findings: CfnLintFinding[]): string {
  return findings.map((f) => `  ${describeFinding(f)}`).join('\n');
}

describe('cfn-lint over every synthesized template', () => {
  let workDir: string;
  let templates: LintTemplate[] = [];
  let findings: CfnLintFinding[] = [];

  beforeAll(() => {
    if (!fs.existsSync(CFN_LINT)) throw new Error(missingCfnLintMessage());
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-templates-'));
    templates = LINT_APPS.flatMap((lintApp) => {
      // aws-cdk-lib's own built-in template validation is off: cfn-lint is the linter here (it changes no template)
      const app = new App({ outdir: path.join(workDir, lintApp.name), context: lintApp.context, builtinCloudFormationValidation: false });
      lintApp.build(app);
      return synthesizeTemplates(lintApp.name, app);
    });
    const probes: LintTemplate[] = [
      { name: PROBE_NAME, file: path.join(workDir, 'Probe.template.json'), region: 'us-east-1', constructPaths: { Queue: 'Probe/Queue', QueuePolicy: 'Probe/QueuePolicy' } },
      { name: REGION_PROBE_NAME, file: path.join(workDir, 'RegionProbe.template.json'), region: 'eu-south-1', constructPaths: {} },
    ];
    fs.writeFileSync(probes[0].file, JSON.stringify(PROBE, undefined, 1));
    fs.writeFileSync(probes[1].file, JSON.stringify(REGION_PROBE, undefined, 1));
    // one cfn-lint process for everything
    findings = runCfnLint([...templates, ...probes]);
  }, 120_000);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('cfn-lint is installed in the repository\'s virtual environment', () => {
    if (!fs.existsSync(CFN_LINT)) throw new Error(missingCfnLintMessage());
  });

  test('the templates cover every example app and every construct and option that changes a template', () => {
    expect(new Set(templates.map((t) => t.name.split('/')[0]))).toEqual(new Set(LINT_APPS.map((a) => a.name)));
    const bodies = templates.map((t) => JSON.parse(fs.readFileSync(t.file, 'utf-8')));
    const resources = bodies.flatMap((body) => Object.values(body.Resources ?? {}) as Array<{ Type: string; Properties?: any; DeletionPolicy?: string }>);
    const types = new Set(resources.map((r) => r.Type));
    for (const type of [
      'Custom::ProtonEnvironmentAccountConnection', 'Custom::ProtonConnectionAcceptance', 'AWS::IAM::Role', 'AWS::IAM::Policy',
      'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::Events::Rule', 'AWS::Lambda::Permission',
      'AWS::SSM::Parameter', 'AWS::EC2::SecurityGroup', 'AWS::KMS::Key', 'AWS::CDK::Metadata', 'AWS::CloudFormation::StackSet',
      'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::Organizations::ResourcePolicy',
    ]) expect(types).toContain(type);
    // a StackSet's template is linted as a template of its own (for every Region)
    expect(templates.filter((t) => t.name.endsWith('(StackSet template)')).map((t) => t.region)).toEqual([undefined]);
    const connections = resources.filter((r) => r.Type === 'Custom::ProtonEnvironmentAccountConnection');
    expect(connections.some((r) => r.DeletionPolicy === 'Retain')).toBe(true);
    expect(connections.some((r) => r.Properties.WaitForAcceptance)).toBe(true);
    expect(connections.some((r) => r.Properties.Tags)).toBe(true);
    expect(connections.some((r) => r.Properties.EndOfSupport)).toBe(true);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.some((r) => r.Properties.VpcConfig && r.Properties.ReservedConcurrentExecutions)).toBe(true);
    // the acceptor split into chunks of at most 50 pairs
    expect(bodies.some((body) => Object.values(body.Resources).filter((r: any) => r.Type === 'Custom::ProtonConnectionAcceptance').length > 2)).toBe(true);
    // more than one Region
    expect(new Set(templates.map((t) => t.region)).size).toBeGreaterThan(1);
  });

  test('no finding that .cfnlintrc.yaml does not acknowledge: no error, and every warning and informational finding fixed or acknowledged', () => {
    const unacknowledged = findings.filter((f) => !PROBES.includes(f.template));
    if (unacknowledged.length > 0) {
      const errors = unacknowledged.filter((f) => f.rule.startsWith('E')).length;
      throw new Error(`cfn-lint reported ${unacknowledged.length} finding(s) over ${templates.length} templates (${errors} error(s)) that ${path.basename(CONFIG_FILE)} does not acknowledge. `
        + 'Fix them at their source; only a warning or informational rule that is right for these templates may be acknowledged there, with its reason. '
        + `Findings (rule [level] template resource (construct path) at location: message):\n${report(unacknowledged)}`);
    }
  });

  test('the wiring: a deliberately broken template is reported (E3002), with the config and each template\'s Region in force', () => {
    const probe = findings.filter((f) => f.template === PROBE_NAME);
    expect(probe).toContainEqual(expect.objectContaining({
      rule: 'E3002',
      level: 'Error',
      logicalId: 'Queue',
      constructPath: 'Probe/Queue',
      location: 'Resources/Queue/Properties/NotAProperty',
      message: expect.stringContaining('NotAProperty'),
    }));
    // informational rules are on (include_checks), and acknowledged rules are not reported (ignore_checks)
    expect(probe.map((f) => f.rule)).toContain('I3011');
    const acknowledged = new Set(acknowledgedRules().map((a) => a.rule));
    for (const rule of ['W3005', 'I1022']) {
      expect({ rule, reported: probe.some((f) => f.rule === rule) }).toEqual({ rule, reported: !acknowledged.has(rule) });
    }
    // each template is linted for its own stack's Region, not for the config's default us-east-1
    expect(findings.filter((f) => f.template === REGION_PROBE_NAME).map((f) => [f.rule, f.logicalId, f.message])).toEqual([
      ['E3006', 'Connection', expect.stringContaining('eu-south-1')],
    ]);
  });

  test('.cfnlintrc.yaml acknowledges no error rule, and gives every acknowledged rule its reason', () => {
    const acknowledged = acknowledgedRules();
    expect(acknowledged.filter((a) => !/^[WI]\d{4}$/.test(a.rule)).map((a) => a.rule)).toEqual([]);
    expect(acknowledged.filter((a) => !a.reason.includes('Reason:')).map((a) => a.rule)).toEqual([]);
  });
});
