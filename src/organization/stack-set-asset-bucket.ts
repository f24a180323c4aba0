import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../shared/nag-acknowledgements';
import { invalidProp } from '../shared/validation';

/** Properties of `StackSetAssetBucket`. */
export interface StackSetAssetBucketProps {
  /** The bucket is `<bucketNamePrefix>-<region>`: the `assetBucketNamePrefix` of the StackSets it serves. */
  readonly bucketNamePrefix: string;

  /** The organization (`o-…`) whose accounts may read the code. */
  readonly organizationId: string;

  /**
   * What happens to the bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const BUCKET_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const MAX_BUCKET_NAME = 63;

/** Checks that `<prefix>-<region>` is a valid bucket name for each Region. */
export function checkAssetBucketNamePrefix(path: string, prop: string, prefix: string, regions: readonly string[]): void {
  if (typeof prefix !== 'string' || Token.isUnresolved(prefix)) invalidProp(path, prop, prefix, 'must be a literal: each Region\'s bucket name is derived from it at synth');
  if (!BUCKET_PREFIX_PATTERN.test(prefix) || prefix.startsWith('xn--') || prefix.startsWith('sthree-')) {
    invalidProp(path, prop, prefix, 'must hold only lower-case letters, digits and "-", start with a letter or digit, and not start with "xn--" or "sthree-" (S3 bucket names)');
  }
  for (const region of regions) {
    const name = `${prefix}-${region}`;
    if (name.length > MAX_BUCKET_NAME) invalidProp(path, prop, prefix, `gives bucket "${name}" of ${name.length} characters in ${region}; S3 allows ${MAX_BUCKET_NAME}`);
  }
}

/**
 * The bucket of one Region that holds a StackSet template's handler code (bucket
 * `<bucketNamePrefix>-<region>`): every account of the organization may read its objects
 * (`aws:PrincipalOrgID`), nobody outside it. Deploy one in each target Region, in the account that
 * deploys the `EnvironmentAccountStackSet`, before it.
 */
export class StackSetAssetBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StackSetAssetBucketProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      invalidProp(this.node.path, 'region', '${AWS::Region}', 'the stack needs a literal Region (env.region): the bucket is named after it');
    }
    checkAssetBucketNamePrefix(this.node.path, 'bucketNamePrefix', props.bucketNamePrefix, [region]);
    if (Token.isUnresolved(props.organizationId) || !ORGANIZATION_ID_PATTERN.test(props.organizationId)) {
      invalidProp(this.node.path, 'organizationId', props.organizationId, 'must be an organization id ("o-" and 10 to 32 lower-case letters or digits)');
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: `${props.bucketNamePrefix}-${region}`,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OrganizationReadsStackSetCode',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
    }));
    acknowledgeFinding(this.bucket, 'AwsSolutions-S1',
      'The bucket holds only the handler code cdk deploy publishes for a StackSet template, read by CloudFormation in the organization\'s accounts; '
      + 'access logs of it would log those reads only (CloudTrail data events cover them where wanted)');
  }
}
