import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HANDLER_TIMEOUT_SECONDS } from './handler-limits';
import { HandlerOptionsRecord, checkSameHandlerOptions, hardenHandler, resolveHandlerOptions } from '../hardening/handler-hardening';
import { HandlerOptions } from '../hardening/handler-options';

/** What distinguishes one per-stack handler from another. */
export interface HandlerProviderProps {
  /** Options of the construct that created the provider. */
  readonly handlerOptions?: HandlerOptions;
  /** Path of the construct that created the provider (named when options conflict). */
  readonly requestedBy: string;
  /** What the handler does, for the role's and function's descriptions. */
  readonly purpose: string;
  /** Creates the projen-generated function class with these props. */
  readonly createFunction: (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;
}

/**
 * The plumbing every per-stack handler shares: a role trusted by Lambda with no managed policies,
 * a log group (one-year retention, retained on delete), the hardening options, and the bundled
 * function (15-minute timeout). Subclasses add their exact permissions with `allow()`: they go
 * into the role's inline policy, so the handler needs no `AWS::IAM::Policy` resource of its own.
 */
export abstract class HandlerProvider extends Construct {
  /**
   * The provider `id` of `scope`'s stack: the existing one (whose options must match
   * `handlerOptions`, if given) or a new one from `create`.
   */
  protected static findOrCreate<T extends HandlerProvider>(
    scope: IConstruct, id: string, handlerName: string, handlerOptions: HandlerOptions | undefined, create: (stack: Stack) => T,
  ): T {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(id) as T | undefined;
    if (existing) {
      checkSameHandlerOptions(scope.node.path, handlerName, existing.handlerOptions, handlerOptions);
      return existing;
    }
    return create(stack);
  }

  public readonly role: iam.Role;
  public readonly handler: lambda.Function;
  private readonly handlerOptions: HandlerOptionsRecord;
  private readonly permissions = new iam.PolicyDocument();

  protected constructor(scope: Construct, id: string, props: HandlerProviderProps) {
    super(scope, id);
    this.handlerOptions = resolveHandlerOptions(this, props.handlerOptions, props.requestedBy);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.purpose,
      inlinePolicies: { HandlerPermissions: this.permissions },
    });
    const hardened = hardenHandler(this, this.role, this.handlerOptions.effective, props.purpose);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      ...hardened.logGroupProps,
    });
    this.allow(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    this.handler = props.createFunction(this, 'Handler', {
      role: this.role,
      logGroup,
      timeout: Duration.seconds(HANDLER_TIMEOUT_SECONDS),
      memorySize: 256,
      description: `${props.purpose} (cdk-proton-account-connections)`,
      ...hardened.functionProps,
    });
    hardened.dependencies.forEach((dependency) => this.handler.node.addDependency(dependency));
  }

  /** Adds a statement to the handler role's inline policy. */
  protected allow(statement: iam.PolicyStatement): void {
    this.permissions.addStatements(statement);
  }
}
