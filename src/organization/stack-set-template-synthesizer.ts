import * as fs from 'fs';
import * as path from 'path';
import {
  Aws, DockerImageAssetLocation, DockerImageAssetSource, FileAssetLocation, FileAssetPackaging, FileAssetSource, Fn,
  ISynthesisSession, StackSynthesizer,
} from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';

/** The largest `TemplateBody` CloudFormation takes inline (bytes). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Where a StackSet template's file assets live: one bucket per target Region. */
export interface StackSetAssetDestinations {
  /** Bucket `<bucketNamePrefix>-<region>` in each Region. */
  readonly bucketNamePrefix: string;
  /** The Regions the template is deployed to. */
  readonly regions: string[];
}

/**
 * Synthesizes an environment-agnostic stack as a StackSet template instead of a deployable stack.
 *
 * - Its file assets (the handlers' code) point at `<bucketNamePrefix>-${AWS::Region}`, so each
 *   stack instance reads the copy in its own Region.
 * - It emits no stack artifact (`cdk deploy` must not deploy the template as a stack). It emits an
 *   asset manifest that publishes each asset to every Region's bucket. The artifact takes the
 *   template stack's artifact id, so the stack holding the StackSet depends on it, and `cdk deploy`
 *   publishes the assets before it creates or updates the StackSet.
 * - The rendered template (minified JSON) is `templateBody` once synthesized.
 */
export class StackSetTemplateSynthesizer extends StackSynthesizer {
  private readonly files = new Map<string, cxschema.FileAsset>();
  private rendered?: string;

  constructor(private readonly destinations: StackSetAssetDestinations) {
    super();
  }

  /** The template as CloudFormation receives it, once the stack is synthesized. */
  public get templateBody(): string | undefined {
    return this.rendered;
  }

  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (!asset.fileName || asset.executable) {
      throw new Error(`${this.boundStack.node.path}: a StackSet template takes file assets only (asset ${asset.sourceHash} is built by a command)`);
    }
    const extension = asset.packaging === FileAssetPackaging.ZIP_DIRECTORY ? '.zip' : path.extname(asset.fileName);
    const objectKey = `${asset.sourceHash}${extension}`;
    const { bucketNamePrefix, regions } = this.destinations;
    this.files.set(asset.sourceHash, {
      displayName: asset.displayName,
      source: { path: asset.fileName, packaging: asset.packaging as unknown as cxschema.FileAssetPackaging },
      destinations: Object.fromEntries(regions.map((region) => [region, { region, bucketName: `${bucketNamePrefix}-${region}`, objectKey }])),
    });
    const bucketName = Fn.join('', [`${bucketNamePrefix}-`, Aws.REGION]);
    return {
      bucketName,
      objectKey,
      httpUrl: Fn.join('', ['https://s3.', Aws.REGION, '.', Aws.URL_SUFFIX, '/', bucketName, '/', objectKey]),
      s3ObjectUrl: Fn.join('', ['s3://', bucketName, '/', objectKey]),
    };
  }

  public addDockerImageAsset(_asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`${this.boundStack.node.path}: a StackSet template cannot hold container image assets`);
  }

  public synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    const stack = this.boundStack;
    const templatePath = path.join(session.outdir, stack.templateFile);
    const body = JSON.stringify(JSON.parse(fs.readFileSync(templatePath, 'utf8')));
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > MAX_TEMPLATE_BODY_BYTES) {
      throw new Error(`${stack.node.path}: the StackSet template is ${bytes} bytes, more than the ${MAX_TEMPLATE_BODY_BYTES} CloudFormation takes as TemplateBody`);
    }
    this.rendered = body;
    const manifestFile = `${stack.artifactId}.json`;
    cxschema.Manifest.saveAssetManifest({
      version: cxschema.Manifest.version(),
      files: Object.fromEntries(this.files),
    }, path.join(session.outdir, manifestFile));
    session.assembly.addArtifact(stack.artifactId, {
      type: cxschema.ArtifactType.ASSET_MANIFEST,
      properties: { file: manifestFile },
      displayName: `${stack.node.path} (StackSet template assets)`,
    });
  }
}
