/**
 * Reads a synthesized CDK cloud assembly (`cdk.out`): the stack artifacts of `manifest.json`
 * (including those of nested assemblies, i.e. CDK Stages), their templates and their asset manifests.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A CloudFormation template, as far as the deployer reads it. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly Rules?: Record<string, unknown>;
  readonly Transform?: unknown;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
  readonly NoEcho?: boolean | string;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/** One `aws:cloudformation:stack` artifact. */
export interface StackArtifact {
  /** Artifact id; for stacks inside Stages it is prefixed with the stage path (`Stage/Stack`). */
  readonly id: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly displayName: string;
  readonly account: string;
  readonly region: string;
  /** Ids of the stack artifacts this stack depends on. */
  readonly dependencies: string[];
  readonly templateFile: string;
  readonly template: CfnTemplate;
  /** The directory that holds this stack's template and assets. */
  readonly assemblyDir: string;
  /** S3 object key (e.g. `<hash>.zip`) → absolute path of the asset's source (usually a directory). */
  readonly fileAssets: Map<string, string>;
}

export interface CloudAssembly {
  readonly directory: string;
  /** All stacks, in manifest order. */
  readonly stacks: StackArtifact[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly properties?: Record<string, any>;
  readonly dependencies?: string[];
  readonly displayName?: string;
}

/** Reads `manifest.json` of `directory` (and of nested assemblies). */
export function readCloudAssembly(directory: string): CloudAssembly {
  const dir = path.resolve(directory);
  const stacks: StackArtifact[] = [];
  readAssembly(dir, '', stacks);
  // Dependencies may name artifacts that are not stacks (asset manifests): keep stacks only.
  const ids = new Set(stacks.map(s => s.id));
  const result = stacks.map(s => ({ ...s, dependencies: s.dependencies.filter(d => ids.has(d) && d !== s.id) }));
  return { directory: dir, stacks: result };
}

function readAssembly(dir: string, prefix: string, out: StackArtifact[]): void {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`No cloud assembly at ${dir}: ${manifestPath} does not exist (run "cdk synth" first)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = manifest.artifacts ?? {};
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const nested = artifact.properties?.directoryName;
      if (typeof nested === 'string') readAssembly(path.join(dir, nested), `${prefix}${id}/`, out);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const props = artifact.properties ?? {};
    const templateFile = String(props.templateFile ?? `${id}.template.json`);
    const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf8')) as CfnTemplate;
    const { account, region } = parseEnvironment(id, artifact.environment);
    const dependencies = (artifact.dependencies ?? []).map(d => `${prefix}${d}`);
    const fileAssets = new Map<string, string>();
    for (const dep of artifact.dependencies ?? []) {
      const depArtifact = artifacts[dep];
      if (depArtifact?.type === 'cdk:asset-manifest' && typeof depArtifact.properties?.file === 'string') {
        readAssetManifest(dir, path.join(dir, depArtifact.properties.file), fileAssets);
      }
    }
    out.push({
      id: `${prefix}${id}`,
      stackName: String(props.stackName ?? id),
      displayName: artifact.displayName ?? `${prefix}${id}`,
      account,
      region,
      dependencies,
      templateFile: path.join(dir, templateFile),
      template,
      assemblyDir: dir,
      fileAssets,
    });
  }
}

function parseEnvironment(id: string, environment: string | undefined): { account: string; region: string } {
  const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment ?? '');
  if (!match) throw new Error(`Stack ${id}: unexpected environment "${environment}" in manifest.json`);
  return { account: match[1], region: match[2] };
}

/** Asserts that the stack's account and Region are concrete (`env` was set on the stack). */
export function assertConcreteEnvironment(stack: StackArtifact): void {
  if (!/^\d{12}$/.test(stack.account) || stack.region.startsWith('unknown-')) {
    throw new Error(
      `Stack ${stack.id} has an unresolved environment (aws://${stack.account}/${stack.region}). `
      + 'The local deployer needs an explicit account and Region: set `env: { account, region }` on the stack and synthesize again.',
    );
  }
}

function readAssetManifest(dir: string, file: string, out: Map<string, string>): void {
  if (!fs.existsSync(file)) return;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
  };
  for (const [hash, asset] of Object.entries(manifest.files ?? {})) {
    const source = asset.source?.path;
    if (!source) continue;
    const abs = path.resolve(dir, source);
    out.set(hash, abs);
    for (const dest of Object.values(asset.destinations ?? {})) {
      if (dest.objectKey) out.set(dest.objectKey, abs);
    }
  }
}

/**
 * Where the code of an `AWS::Lambda::Function` lives in the assembly: by its resolved `Code.S3Key`
 * (via the asset manifests, then `asset.<hash>`), then the `aws:asset:path` resource metadata.
 * Returns `undefined` when none applies.
 */
export function findFunctionAssetPath(stack: StackArtifact, s3Key: unknown, metadata: Record<string, unknown> | undefined): string | undefined {
  if (typeof s3Key === 'string') {
    const direct = stack.fileAssets.get(s3Key);
    if (direct) return direct;
    const hash = path.basename(s3Key).replace(/\.zip$/, '');
    const byHash = stack.fileAssets.get(hash);
    if (byHash) return byHash;
    const guess = path.join(stack.assemblyDir, `asset.${hash}`);
    if (fs.existsSync(guess)) return guess;
  }
  const assetPath = metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') {
    const abs = path.resolve(stack.assemblyDir, assetPath);
    if (fs.existsSync(abs)) return abs;
  }
  return undefined;
}
