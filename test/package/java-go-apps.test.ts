/**
 * The Java and Go packages as users get them: examples/java-app and examples/go-app (the
 * two-account example in Java and Go) compile against what `npx projen package:java` and
 * `npx projen package:go` wrote under dist/, synthesize with the CDK CLI, and give the two
 * templates of the TypeScript example. Uses dist/ as it is (never rebuilds it). Needs Maven
 * Central, the Go module proxy (or their caches), Java 17 + Maven, Go and node.
 *
 * The examples are copied as committed into a temporary folder, beside a `dist` link to the
 * repository's dist/, so their relative paths (`../../dist/java`, `../../dist/go/...`) resolve
 * unchanged and target/, cdk.out and binaries never land in the repository.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildTwoAccountApp } from '../../examples/two-account-app/two-account-app';

const ROOT = path.join(__dirname, '..', '..');
const LIBRARY_VERSION = '0.0.0'; // what examples/java-app/pom.xml asks for: the version jsii-pacmak packages in this repository
const MAVEN_ARTIFACT = path.join('io', 'github', 'proton-account-connections', 'cdk-proton-account-connections', LIBRARY_VERSION);
const DIST_JAVA_JAR = path.join(ROOT, 'dist', 'java', MAVEN_ARTIFACT, `cdk-proton-account-connections-${LIBRARY_VERSION}.jar`);
const DIST_GO_MODULE = path.join(ROOT, 'dist', 'go', 'cdkprotonaccountconnections');
/** The local Maven repository every mvn call here uses: `MAVEN_REPO_LOCAL`, else Maven's default. */
const MAVEN_REPO_LOCAL = process.env.MAVEN_REPO_LOCAL ?? path.join(os.homedir(), '.m2', 'repository');

const ENVIRONMENT_ACCOUNT = '222222222222';
const MANAGEMENT_ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const ENVIRONMENT_NAME = 'dev';
const STACKS = ['EnvironmentAccountStack', 'ManagementAccountStack'];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'java-go-apps-'));
fs.symlinkSync(path.join(ROOT, 'dist'), path.join(tmp, 'dist'));
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  CDK_DISABLE_CLI_TELEMETRY: '1',
  CDK_DISABLE_VERSION_CHECK: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.env.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?? '20',
  JSII_SILENCE_SUPPORT_WARNING: '1',
  // also reaches the mvn that `cdk synth` starts from cdk.json
  MAVEN_OPTS: `${process.env.MAVEN_OPTS ?? ''} -Dmaven.repo.local=${MAVEN_REPO_LOCAL}`.trim(),
};

interface Step { readonly stdout: string; readonly stderr: string }

/** Runs one step of a user's workflow, fails with its output, and reports how long it took. */
function step(label: string, command: string, args: string[], cwd: string, timeout: number): Step {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`[java-go-apps] ${label}: ${seconds} s${result.status === 0 ? '' : ' (failed)'}\n`);
  if (result.error) {
    const reason = (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} is not on PATH` : result.error.message;
    throw new Error(`${label}: ${command} ${args.join(' ')} did not finish (${reason}) after ${seconds} s (timeout ${timeout / 1000} s):\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  }
  if (result.status !== 0) {
    throw new Error(`${label}: ${command} ${args.join(' ')} exited ${result.status} in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Copies examples/<name> as committed to <tmp>/examples/<as>, leaving out build outputs (Maven's target/, cdk.out, the `go build` binary). */
function copyExample(name: string, as = name): string {
  const target = path.join(tmp, 'examples', as);
  fs.cpSync(path.join(ROOT, 'examples', name), target, {
    recursive: true,
    filter: (source) => !['target', 'cdk.out', 'proton-two-account-app'].includes(path.basename(source)),
  });
  return target;
}

/** `cdk synth` in the app's folder, running the app its cdk.json names, into <app>/cdk.out. */
function synth(label: string, app: string, timeout: number): string {
  const out = path.join(app, 'cdk.out');
  fs.rmSync(out, { recursive: true, force: true });
  try {
    step(label, CDK, ['synth', '--quiet'], app, timeout);
  } catch (error) {
    const message = (error as Error).message;
    if (/InvalidValidationId/.test(message)) {
      throw new Error([
        'the library does not synthesize on this aws-cdk-lib: the ids it gives Validations.of(scope).acknowledge()',
        '(src/shared/nag-acknowledgements.ts, e.g. "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:...]") hold "::" inside the brackets,',
        'which aws-cdk-lib releases without the bracket-aware id parser refuse (2.263.0: the floor, and the newest on Maven Central)',
        'when an ARN renders as "<AWS::Partition>" (no @aws-cdk/core:enablePartitionLiterals in the example\'s cdk.json, or no Region).',
        message,
      ].join('\n'));
    }
    throw error;
  }
  return out;
}

function readTemplate(out: string, stack: string): Template {
  return Template.fromJSON(JSON.parse(fs.readFileSync(path.join(out, `${stack}.template.json`), 'utf8')));
}

/** The two templates and the manifest of the two-account example, whatever language built them. */
function expectTwoAccountAssembly(out: string): void {
  expect(fs.readdirSync(out).filter((file) => file.endsWith('.template.json')).sort())
    .toEqual(STACKS.map((stack) => `${stack}.template.json`));

  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  expect(manifest.artifacts.EnvironmentAccountStack.environment).toBe(`aws://${ENVIRONMENT_ACCOUNT}/${REGION}`);
  expect(manifest.artifacts.ManagementAccountStack.environment).toBe(`aws://${MANAGEMENT_ACCOUNT}/${REGION}`);
  // the request is filed before the acceptor looks for it
  expect(manifest.artifacts.ManagementAccountStack.dependencies).toContain('EnvironmentAccountStack');

  const environment = readTemplate(out, 'EnvironmentAccountStack');
  environment.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({
        Principal: { Service: 'proton.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': MANAGEMENT_ACCOUNT },
          ArnLike: { 'aws:SourceArn': Match.anyValue() },
        },
      })],
    },
    Policies: Match.arrayWith([Match.objectLike({
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Action: ['ec2:*', 'ecs:*', 'logs:*'] })]),
      }),
    })]),
  });
  expect(JSON.stringify(environment.findResources('AWS::IAM::Role')))
    .toContain(`:proton:${REGION}:${MANAGEMENT_ACCOUNT}:environment/${ENVIRONMENT_NAME}`);
  environment.resourceCountIs('Custom::ProtonEnvironmentAccountConnection', 1);
  environment.hasResourceProperties('Custom::ProtonEnvironmentAccountConnection', {
    ManagementAccountId: MANAGEMENT_ACCOUNT,
    EnvironmentName: ENVIRONMENT_NAME,
    RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvironmentProtonRole'), 'Arn'] },
  });
  environment.resourceCountIs('AWS::Lambda::Function', 1); // the connection handler, from the asset the package ships
  for (const output of ['ConnectionId', 'ConnectionStatus', 'ProtonRoleArn']) environment.hasOutput(output, {});
  expect(environment.toJSON().Description).toBe(`AWS Proton environment account ${ENVIRONMENT_ACCOUNT}: role and connection request `
    + `for environment "${ENVIRONMENT_NAME}" of management account ${MANAGEMENT_ACCOUNT}`);

  const management = readTemplate(out, 'ManagementAccountStack');
  management.resourceCountIs('Custom::ProtonConnectionAcceptance', 1);
  management.hasResourceProperties('Custom::ProtonConnectionAcceptance', { Pairs: [`${ENVIRONMENT_ACCOUNT}/${ENVIRONMENT_NAME}`] });
  management.resourceCountIs('Custom::ProtonEnvironmentAccountConnection', 0);
  management.hasOutput('AcceptedConnectionId', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AcceptorAcceptance'), 'ConnectionId0'] } });
  expect(management.toJSON().Description)
    .toBe(`AWS Proton management account ${MANAGEMENT_ACCOUNT}: accepts environment "${ENVIRONMENT_NAME}" from account ${ENVIRONMENT_ACCOUNT}`);
}

/** Logical ids and types of every resource, outputs and descriptions: what must not differ between the languages. */
function shape(template: Record<string, any>): Record<string, unknown> {
  const resources = Object.entries(template.Resources as Record<string, { Type: string }>)
    .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
    .map(([id, resource]) => `${id} ${resource.Type}`).sort();
  return { description: template.Description, resources, outputs: Object.keys(template.Outputs ?? {}).sort() };
}

let typeScript: Record<string, unknown> | undefined;

/** The shape of the TypeScript example, synthesized in process with the repository's cdk.json context (the examples' cdk.json carry the same). */
function typeScriptShapes(): Record<string, unknown> {
  if (typeScript) return typeScript;
  const { context } = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const app = new App({ context, outdir: path.join(tmp, 'typescript.out') });
  const { environmentStack, managementStack } = buildTwoAccountApp(app);
  typeScript = {
    EnvironmentAccountStack: shape(Template.fromStack(environmentStack).toJSON()),
    ManagementAccountStack: shape(Template.fromStack(managementStack).toJSON()),
  };
  return typeScript;
}

function assemblyShapes(out: string): Record<string, unknown> {
  return Object.fromEntries(STACKS.map((stack) => [stack, shape(readTemplate(out, stack).toJSON())]));
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('Java: examples/java-app against dist/java', () => {
  let app = '';
  let assembly: string | undefined;

  beforeAll(() => {
    if (!fs.existsSync(DIST_JAVA_JAR)) {
      throw new Error(`no ${path.relative(ROOT, DIST_JAVA_JAR)}: run \`npx projen package:java\` first (this test uses dist/java as it is)`);
    }
    app = copyExample('java-app');
    // Maven never downloads a release version again: a copy of 0.0.0 from an earlier dist/java would hide this one
    const cached = path.join(MAVEN_REPO_LOCAL, MAVEN_ARTIFACT);
    const cachedJar = path.join(cached, path.basename(DIST_JAVA_JAR));
    if (fs.existsSync(cached) && (!fs.existsSync(cachedJar) || !fs.readFileSync(cachedJar).equals(fs.readFileSync(DIST_JAVA_JAR)))) {
      process.stdout.write(`[java-go-apps] removing the stale ${cached} from the local Maven repository\n`);
      fs.rmSync(cached, { recursive: true, force: true });
    }
  });

  test('compiles with Maven (the library from dist/java as a file:// repository, aws-cdk-lib and constructs from Maven Central)', () => {
    step('java: mvn compile', 'mvn', ['-B', '-q', 'compile'], app, 1_200_000);
    expect(fs.existsSync(path.join(app, 'target', 'classes', 'com', 'example', 'protonapp', 'App.class'))).toBe(true);
    // the jar Maven resolved is the one dist/java holds
    expect(fs.readFileSync(path.join(MAVEN_REPO_LOCAL, MAVEN_ARTIFACT, path.basename(DIST_JAVA_JAR))).equals(fs.readFileSync(DIST_JAVA_JAR))).toBe(true);
  }, 1_300_000);

  test('cdk synth (cdk.json: mvn exec:java) gives the environment stack\'s role and request and the management stack\'s acceptor', () => {
    assembly = synth('java: cdk synth', app, 900_000);
    expectTwoAccountAssembly(assembly);
  }, 1_000_000);

  test('cdk synth without @aws-cdk/core:enablePartitionLiterals (ARNs with the partition token) on the floor aws-cdk-lib', () => {
    // an app whose cdk.json predates the flag: the library's code paths that see "<AWS::Partition>"
    const older = copyExample('java-app', 'java-app-without-partition-literals');
    const cdkJson = JSON.parse(fs.readFileSync(path.join(older, 'cdk.json'), 'utf8'));
    delete cdkJson.context['@aws-cdk/core:enablePartitionLiterals'];
    fs.writeFileSync(path.join(older, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
    const out = synth('java: cdk synth without partition literals', older, 900_000);
    expectTwoAccountAssembly(out);
    expect(fs.readFileSync(path.join(out, 'EnvironmentAccountStack.template.json'), 'utf8')).toContain('AWS::Partition');
  }, 1_000_000);

  test('the same resources, outputs and descriptions as the TypeScript example', () => {
    if (!assembly) throw new Error('no cloud assembly: the Java synth test failed');
    expect(assemblyShapes(assembly)).toEqual(typeScriptShapes());
  }, 120_000);
});

describe('Go: examples/go-app against dist/go', () => {
  let app = '';
  let assembly: string | undefined;

  beforeAll(() => {
    if (!fs.existsSync(path.join(DIST_GO_MODULE, 'go.mod'))) {
      throw new Error(`no ${path.relative(ROOT, DIST_GO_MODULE)}/go.mod: run \`npx projen package:go\` first (this test uses dist/go as it is)`);
    }
    app = copyExample('go-app');
  });

  test('builds with the committed go.sum (the library through the replace directive, awscdk from the module proxy)', () => {
    // the default -mod=readonly: a go.sum that misses a module fails here
    step('go: go build', 'go', ['build', '-o', path.join(tmp, 'go-app-bin'), '.'], app, 1_800_000);
    step('go: go vet', 'go', ['vet', '.'], app, 600_000);
    expect(fs.statSync(path.join(tmp, 'go-app-bin')).isFile()).toBe(true);
  }, 2_500_000);

  test('cdk synth (cdk.json: go run .) gives the environment stack\'s role and request and the management stack\'s acceptor', () => {
    assembly = synth('go: cdk synth', app, 900_000);
    expectTwoAccountAssembly(assembly);
  }, 1_000_000);

  test('the same resources, outputs and descriptions as the TypeScript example', () => {
    if (!assembly) throw new Error('no cloud assembly: the Go synth test failed');
    expect(assemblyShapes(assembly)).toEqual(typeScriptShapes());
  }, 120_000);
});
