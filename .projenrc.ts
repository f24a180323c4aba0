import { awscdk, DependencyType, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/**
 * The single source of truth for the project's configuration.
 * Pins come from shared/docs/TOOLCHAIN.md: do not bump one without the others.
 */
const OFFLINE_ENV = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  JSII_SILENCE_SUPPORT_WARNING: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  CDK_DISABLE_VERSION_CHECK: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The oldest aws-cdk-lib release users may pair the library with; the Java app test runs on it. */
const CDK_FLOOR_VERSION = '2.263.0';
/** The aws-cdk-lib release the TypeScript suite, the examples and the package test run on. */
const CDK_DEV_VERSION = '2.276.0';
const CONSTRUCTS_VERSION = '10.8.1';

/** Runs a TypeScript entry point without type-checking and without npx (which may ask the registry). */
const RUN_TS = 'node --require ts-node/register/transpile-only';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-proton-account-connections',
  description:
    'AWS CDK constructs that connect AWS Proton environment accounts to a management account as code: scoped service role, connection request, acceptor, and an offline Proton endpoint.',
  author: 'Proton Account Connections contributors',
  authorAddress: 'maintainers@proton-account-connections.invalid',
  repositoryUrl: 'https://github.com/proton-account-connections/cdk-proton-account-connections.git',
  keywords: ['aws-cdk', 'proton', 'multi-account', 'environment-account-connection'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,

  // The oldest aws-cdk-lib the library supports (its peer dependency, and the floor of the Python,
  // Java and Go packages): 2.263.0 is the newest release every registry here serves (Maven Central
  // stops there, PyPI at 2.275.0). The library itself is developed and tested on CDK_DEV_VERSION.
  cdkVersion: CDK_FLOOR_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',

  devDeps: [
    'aws-cdk@2.1148.1',
    '@aws-sdk/client-proton@3.1029.0',
    // same release as the Proton client: the two share one copy of the SDK core in the bundle
    '@aws-sdk/client-ssm@3.1029.0',
    // the acceptor enumerates trusted organizational units (OU acceptance)
    '@aws-sdk/client-organizations@3.1029.0',
    // the Proton client's own retry strategy and types, wrapped by the handlers' ProtonRetryStrategy
    '@smithy/core@^3.23.14',
    '@smithy/types@^4.14.0',
    '@types/aws-lambda@^8.10.0',
    'cdk-nag@^3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'fast-check@^4.3.0',
    'esbuild@~0.28.0',
    'ts-jest@^29.4.0',
  ],

  jestOptions: {
    jestVersion: '^30',
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // two test files at a time on these 2-core machines: the package suites mostly wait on pip,
      // Maven, go and npm child processes (jest's default here is one)
      maxWorkers: 2,
      coverageProvider: 'v8',
    },
  },

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // Bundle the AWS SDK: the Lambda runtime's built-in SDK no longer ships the Proton client.
    bundlingOptions: { externals: [] },
    awsSdkConnectionReuse: false,
  },

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'local', 'examples', 'bench', 'projenrc'],
  },

  // The same constructs for Python, Java and Go (jsii-pacmak). .NET is left out: no .NET SDK builds here.
  publishToPypi: {
    distName: 'cdk-proton-account-connections',
    module: 'cdk_proton_account_connections',
  },
  publishToMaven: {
    javaPackage: 'io.github.protonaccountconnections.cdk',
    mavenGroupId: 'io.github.proton-account-connections',
    mavenArtifactId: 'cdk-proton-account-connections',
  },
  publishToGo: {
    moduleName: 'github.com/proton-account-connections/cdk-proton-account-connections-go',
    packageName: 'cdkprotonaccountconnections',
  },

  gitignore: ['cdk.out', '/cdk.out.organization/', '/.local-deploy/', '/bench/out/', '/.venv/', '__pycache__/', '/.jsii.tabl.json', '/.jsii.tabl.json.gz',
    '/examples/java-app/target/', '/examples/go-app/proton-two-account-app'],
  npmignoreEnabled: true,
});

// projen derives `@types/node@ts6.0` from typescriptVersion, a dist-tag the registry does not have.
project.deps.removeDependency('@types/node');
project.addDevDeps('@types/node@^20');

// jsii fails on any warning, reserved words of Python, Java and Go included (projen silences those);
// the one silenced warning is the deliberate gap between the peer floor and the development release.
project.compileTask.reset('jsii --fail-on-warnings --silence-warnings=metadata/missing-dev-dependency');

// Developed and tested on CDK_DEV_VERSION, not on the floor projen would pin (peerDependencyOptions).
project.deps.addDependency(`aws-cdk-lib@${CDK_DEV_VERSION}`, DependencyType.BUILD);
project.deps.addDependency(`constructs@${CONSTRUCTS_VERSION}`, DependencyType.BUILD);

// npm ci fails on the lockfile otherwise: the registry's unrs-resolver 1.13.0 lacks some platform bindings.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// One type-checked view of everything that is TypeScript but not the jsii library itself
// (ts-jest runs with isolatedModules and does not type-check).
new javascript.TypescriptConfig(project, {
  fileName: 'tsconfig.dev.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['./tsconfig.json']),
  compilerOptions: { noEmit: true, rootDir: '.' },
  include: ['src/**/*.ts', 'test/**/*.ts', 'local/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
  // a user's app, type-checked against the installed package by the consumer test
  exclude: ['node_modules', 'cdk.out', 'test/package/consumer-app'],
});
// Handler-side code is bundled by esbuild (the AWS SDK included), never required from lib/.
project.eslint?.allowDevDeps('src/handler-runtime/**');
project.eslint?.allowDevDeps('src/**/handler/**');
project.eslint?.allowDevDeps('local/**');

// The consumer test's app imports the installed package, which this repository does not resolve.
project.eslint?.addIgnorePattern('test/package/consumer-app/');

// Tests quote whole IAM statements and error messages; long lines read better there than wrapped.
project.eslint?.addOverride({ files: ['test/**/*.ts'], rules: { '@stylistic/max-len': 'off' } });

// Per-folder configs so that eslint's project service (and editors) find one for every file.
for (const dir of ['local', 'examples', 'bench']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    compilerOptions: { noEmit: true, rootDir: '..' },
    include: ['**/*.ts'],
    exclude: ['node_modules'],
  });
}
const typecheck = project.addTask('typecheck', {
  description: 'Type-check the library, tests, local endpoint, examples and benchmarks',
  exec: 'tsc -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);
// Handlers are minified, and prefer the SDK's ES module builds (better tree-shaking): smaller
// bundles and faster cold starts (see BENCHMARKS.md). projen's BundlingOptions has no such switch.
for (const task of project.tasks.all.filter((t) => /^bundle:.*\.lambda$/.test(t.name))) {
  const [step] = task.steps;
  if (!step?.execArgs) throw new Error(`unexpected bundle task shape: ${task.name}`);
  task.reset();
  task.exec([...step.execArgs, '--minify', '--main-fields=module,main', '--legal-comments=none'].join(' '));
}

// Tests synthesize stacks whose Lambda code is the bundled handlers in assets/.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// The offline tools ship in the package, compiled to JavaScript that runs with plain node: the
// `cdk-proton-local` CLI and the test API `cdk-proton-account-connections/local` (not jsii API).
const LOCAL_TOOLS_OUT = 'lib/local-tools';
const CLI = `${LOCAL_TOOLS_OUT}/local/bin/cdk-proton-local.js`;
new javascript.TypescriptConfig(project, {
  fileName: 'tsconfig.local-tools.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['./tsconfig.json']),
  compilerOptions: {
    rootDir: '.', outDir: LOCAL_TOOLS_OUT, allowJs: true, types: ['node', 'aws-lambda'], inlineSourceMap: false, inlineSources: false,
  },
  include: ['local/**/*.ts', 'local/**/*.js'],
  exclude: ['node_modules'],
});
const compileLocalTools = project.addTask('compile:local-tools', {
  description: 'Compile the offline tools (local/) into lib/local-tools for the package',
  exec: 'tsc -p tsconfig.local-tools.json',
});
// Executable, as every `bin` must be: npm sets the mode when it installs the package, but the jsii
// kernel behind the Python wheel's `cdk-proton-local` script runs the file with the mode it was packed with.
compileLocalTools.exec(`node -e "require('fs').chmodSync('${CLI}', 0o755)"`);
project.postCompileTask.spawn(compileLocalTools);
// The tarball users install (dist/js), without the whole build's tests: what the consumer test installs.
const tarball = project.addTask('tarball', { description: 'Bundle, compile and pack the npm package into dist/js' });
for (const step of ['bundle', 'compile', 'compile:local-tools', 'package:js']) tarball.spawn(project.tasks.tryFind(step)!);
project.package.addBin({ 'cdk-proton-local': CLI });
// What users get, whatever the working tree holds: the compiled library, the bundled handlers, the compiled tools.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', 'assets/**', '.jsii', 'API.md', 'docs/**']);
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './local': { types: `./${LOCAL_TOOLS_OUT}/local/index.d.ts`, default: `./${LOCAL_TOOLS_OUT}/local/index.js` },
  './package.json': './package.json',
  './.jsii': './.jsii',
  './*': './*',
});

// The README's first command: the main job.
const demo = project.addTask('demo', {
  description: 'The main job: bundle the handlers, synthesize the two-account app, run its handshake on the local Proton endpoint',
});
demo.spawn(project.tasks.tryFind('bundle')!);
demo.exec('cdk synth --quiet');
demo.exec(`${RUN_TS} local/bin/cdk-proton-local.ts handshake --app cdk.out`);

// Organization scale (examples/organization-app): a StackSet rolls the environment side out to an
// OU, the acceptor accepts by OU membership; run on the local endpoint's organization.
const demoOrganization = project.addTask('demo:organization', {
  description: 'Bundle, synthesize the organization example, roll it out to an OU and accept by OU membership on the local endpoint',
});
demoOrganization.spawn(project.tasks.tryFind('bundle')!);
demoOrganization.exec(`cdk synth --quiet --app "${RUN_TS} examples/organization-app/main.ts" --output cdk.out.organization`);
demoOrganization.exec(`${RUN_TS} examples/organization-app/demo.ts cdk.out.organization`);

// The offline tools from this repository's sources (the package runs the compiled ones).
project.addTask('local-proton', {
  description: 'Start the local AWS Proton endpoint: cdk-proton-local endpoint (see local/proton-endpoint/README.md)',
  exec: `${RUN_TS} local/bin/cdk-proton-local.ts endpoint`,
  receiveArgs: true,
});
project.addTask('local-deploy', {
  description: 'Deploy or destroy a synthesized cdk.out on the local endpoint: cdk-proton-local deploy|destroy (see local/deployer/README.md)',
  exec: `${RUN_TS} local/bin/cdk-proton-local.ts`,
  receiveArgs: true,
});

// Every package users install, built the way CI builds them, for the tests that install them:
// the npm tarball (dist/js), the Python wheel (dist/python), the Maven artifacts (dist/java) and
// the Go module (dist/go). One jsii-pacmak run builds the four side by side.
const packages = project.addTask('packages', {
  description: 'Bundle and compile, then build the npm, Python, Java and Go packages into dist/',
});
for (const step of ['bundle', 'compile', 'docgen', 'compile:local-tools']) packages.spawn(project.tasks.tryFind(step)!);
// The README's and docs' examples compile (jsii-rosetta --strict), and their translations go into the
// Python, Java and Go packages' docs.
const SAMPLES_TABLET = '.jsii.tabl.json';
const docsExamples = project.addTask('docs:examples', {
  description: 'Compile the TypeScript examples of README.md and docs/ with jsii-rosetta --strict (needs the jsii compile)',
  exec: `node rosetta/check-readme-examples.js --tablet ${SAMPLES_TABLET}`,
});
packages.spawn(docsExamples);
packages.exec(`jsii-pacmak -v --target js --target python --target java --target go --rosetta-tablet ${SAMPLES_TABLET} --rosetta-unknown-snippets verbatim`);

// Python tools the suite runs (cfn-lint), in one virtual environment at .venv: pip leaves it as it
// is when requirements-dev.txt is already satisfied.
const pythonEnv = project.addTask('python:env', {
  description: 'Create .venv and install requirements-dev.txt (the Python tools the tests run)',
});
pythonEnv.exec('[ -x .venv/bin/python ] || python3 -m venv .venv');
pythonEnv.exec('.venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt');
project.testTask.prependSpawn(pythonEnv);
// After typecheck (a type error stops the run before the slow part), before jest: the package
// tests install what this built.
const jestStep = project.testTask.steps.findIndex((step) => (step.exec ?? step.execArgs?.join(' '))?.startsWith('jest'));
if (jestStep < 0) throw new Error('the test task has no jest step');
project.testTask.insertStep(jestStep, { spawn: packages.name });


// Benchmarks: not part of the test command (they compare timings side by side in one run).
const bench = project.addTask('bench', {
  description: 'Run the benchmarks and write BENCHMARKS.md and bench/synth-time.svg',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec(`${RUN_TS} bench/run-benchmarks.ts`);
project.addTask('bench:organization', {
  description: 'OU acceptance at scale: one sweep over a depth-3 OU tree of 1,000 accounts; writes bench/ORGANIZATION-SWEEP.md',
  exec: `${RUN_TS} bench/organization-sweep.ts`,
});

for (const [name, value] of Object.entries(OFFLINE_ENV)) {
  project.tasks.addEnvironment(name, value);
}

project.synth();
