import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Hardening of the library's custom resource handlers (one Lambda function per stack and side:
 * the connection handler in an environment account's stack, the acceptor handler in the
 * management account's stack), for organizations whose AWS Control Tower proactive controls
 * require it. Every option is off by default.
 *
 * The handler is shared by every construct of its kind in a stack, so all of them must give the
 * same options (or none): a construct that gives different options fails synthesis.
 *
 * - `vpc` satisfies `CT.LAMBDA.PR.3` (function in a customer-managed VPC).
 * - `logGroupEncryptionKey` satisfies `CT.CLOUDWATCH.PR.3` (log group encrypted with a KMS key).
 *
 * To apply options to every stack of an app without passing them to each construct, register a
 * property injector for `HandlerOptionsInjection.PROPERTY_INJECTION_ID`.
 */
export interface HandlerOptions {
  /**
   * Run the handler in this VPC. The handler calls the AWS Proton API (and, for the acceptor in
   * continuous mode, AWS Systems Manager Parameter Store) over HTTPS, so the selected subnets need
   * a route to them: a NAT gateway, or interface VPC endpoints for `proton` and `ssm`. Without
   * one, every deployment that creates, updates or deletes a connection times out.
   *
   * The handler's role gets exactly the network interface permissions Lambda needs, scoped to the
   * selected subnets, the security groups and this VPC where EC2 allows it.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   * @default - the handler runs outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` to place the handler in. Only with `vpc`.
   * @default - the VPC's private subnets with egress (Lambda's own default)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the handler's network interfaces. Only with `vpc`.
   * @default - one new security group that allows no inbound traffic and only HTTPS (TCP 443) out
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Encrypt the handler's CloudWatch log group with this customer managed KMS key. When the key
   * is defined in the same app (a `kms.Key`), its key policy gets a statement that lets CloudWatch
   * Logs in this account and Region use it for log groups; an imported key's policy must already
   * allow that.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * @default - encrypted by CloudWatch Logs with an AWS owned key
   */
  readonly logGroupEncryptionKey?: kms.IKey;

  /**
   * Reserved concurrency of the handler: caps how many copies run at once (and guarantees them).
   * CloudFormation invokes the handler once per custom resource operation; in continuous mode the
   * acceptor also runs on its schedule and on AWS Proton events. Throttled invocations are retried
   * by Lambda, so a small value (2–5) is enough for most stacks.
   *
   * @default - no reservation: the handler uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Environment variables of the handler, for example `AWS_ENDPOINT_URL_PROTON` to reach a
   * Proton-compatible endpoint instead of AWS's (which answers no more since AWS Proton's end of
   * support), or `AWS_MAX_ATTEMPTS`. The variables Lambda reserves (`AWS_REGION`, credentials, ...)
   * are refused at synth.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * Applies `HandlerOptions` to every stack of an app (or stage) through the CDK's property
 * injection: register an `IPropertyInjector` whose `constructUniqueId` is `PROPERTY_INJECTION_ID`
 * with `PropertyInjectors.of(app).add(...)`. Its `inject(originalProps, context)` is called once per
 * handler, when the handler is created; `originalProps` are the `HandlerOptions` the first
 * construct of that stack gave (or `{}`), `context.scope` is the stack; it returns the options to
 * use (typically the stack's VPC and key, looked up or created in `context.scope`).
 */
export class HandlerOptionsInjection {
  /** The `constructUniqueId` for property injectors that supply `HandlerOptions`. */
  public static readonly PROPERTY_INJECTION_ID = 'cdk-proton-account-connections.HandlerOptions';

  private constructor() {}
}
