import {
  CfnResource, CustomResource, Duration, IResource, ITaggableV2, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CONNECTION_RESOURCE_TYPE,
  ConnectionAttribute,
  ConnectionProperty,
  DEFAULT_ACCEPTANCE_TIMEOUT_SECONDS,
  MAX_ACCEPTANCE_TIMEOUT_SECONDS,
} from './connection-contract';
import { ConnectionProvider } from './connection-provider';
import { retainNamedRolesWhenRetained } from './retained-roles';
import { HandlerOptions } from '../hardening/handler-options';
import { EnvironmentAccountProtonRole } from '../proton-role/environment-account-proton-role';
import { hasBrand, markBrand } from '../shared/brand';
import { omitDefaultDeletionPolicies } from '../shared/custom-resource-options';
import { endOfSupportSwitch } from '../shared/end-of-support-switch';
import { checkNotOwnAccount } from '../shared/own-account';
import { CONNECTION_ID_PATTERN, RETURNED_ROLE_ARN_MAX_LENGTH } from '../shared/proton-patterns';
import { checkAccountId, checkEnvironmentName, checkRoleArn, checkTags, invalidProp, wholeSeconds } from '../shared/validation';
import { waitingOrderProblems } from '../shared/waiting-order';

/** An AWS Proton environment account connection. */
export interface IEnvironmentAccountConnection extends IResource {
  /**
   * The connection id (a lowercase UUID), to create Proton environments with.
   * @attribute
   */
  readonly connectionId: string;
  /**
   * The connection ARN.
   * @attribute
   */
  readonly connectionArn: string;
}

/** An existing connection, for `EnvironmentAccountConnection.fromConnectionAttributes()`. */
export interface EnvironmentAccountConnectionAttributes {
  /** The connection id (a lowercase UUID). */
  readonly connectionId: string;
  /**
   * The connection ARN.
   * @default - the ARN of a connection with this id in the scope's account and Region
   */
  readonly connectionArn?: string;
}

/** Properties of an `EnvironmentAccountConnection`. */
export interface EnvironmentAccountConnectionProps {
  /** The management account to connect this (environment) account to. */
  readonly managementAccountId: string;

  /** The name of the management account's environment this connection serves. */
  readonly environmentName: string;

  /**
   * The Proton service role in this account that the environment provisions through, usually an
   * `EnvironmentAccountProtonRole`.
   */
  readonly role: iam.IRole;

  /**
   * The CodeBuild provisioning role.
   * @default - the role's `codeBuildRole` when `role` is an `EnvironmentAccountProtonRole`, else none
   */
  readonly codeBuildRole?: iam.IRole;

  /**
   * The component role, required for directly defined components.
   * @default - the role's `componentRole` when `role` is an `EnvironmentAccountProtonRole`, else none
   */
  readonly componentRole?: iam.IRole;

  /**
   * Tags on the connection, kept in step on every deployment. `Tags.of(scope).add()` reaches the
   * connection too; these are the same as tags added that way at the connection.
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Finish the deployment only once the management account has accepted the request (CONNECTED).
   * A rejection fails the deployment; so does `acceptanceTimeout` passing. It needs the management
   * stack deployed first, with continuous acceptance (`cdk deploy` deploys one stack at a time):
   * when an acceptor of the same app would accept the request only after this stack, synth fails.
   * @default false
   */
  readonly waitForAcceptance?: boolean;

  /**
   * How long to wait for acceptance when `waitForAcceptance` is on (at most 14 minutes).
   * @default Duration.minutes(10)
   */
  readonly acceptanceTimeout?: Duration;

  /**
   * What happens to the connection when it leaves the stack.
   *
   * `DESTROY` deletes it. `RETAIN` (or `RETAIN_ON_UPDATE_OR_DELETE`) keeps it, together with the
   * roles it names that this stack creates, so that a kept connection never names a deleted role. It is CloudFormation's
   * `DeletionPolicy`, the same as `applyRemovalPolicy()` and `RemovalPolicies.of(scope)` set. A
   * stack created again under the same name takes a retained connection back.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * When the management account has REJECTED this connection, file a new request in its place.
   *
   * A rejected connection can never be used. This acts on the next Update of the resource, and
   * turning it on is such an update, so one deploy recovers. The rejected connection is deleted.
   * @default false
   */
  readonly replaceRejected?: boolean;

  /**
   * Take over a PENDING or CONNECTED connection for the same environment and management account
   * that already exists in this account (AWS Proton allows one). Without it, such a connection
   * fails the deployment with a message naming it. An adopted connection then belongs to this stack.
   * @default false
   */
  readonly adoptExisting?: boolean;

  /**
   * Hardening of the stack's shared connection handler (VPC, encrypted log group, reserved
   * concurrency). Every connection of a stack must give the same options, or none.
   * @default - no hardening, unless a `HandlerOptionsInjection` property injector supplies it
   */
  readonly handlerOptions?: HandlerOptions;
}

/**
 * Files an AWS Proton environment account connection request from the environment account,
 * and keeps it in step with the stack: role changes update it in place, a new environment name
 * or management account files a new request, removing it deletes the request.
 *
 * All connections of a stack share one handler. `Tags.of()` and `RemovalPolicies.of()` reach it.
 *
 * @see https://docs.aws.amazon.com/proton/latest/userguide/ag-env-account-connections.html
 */
export class EnvironmentAccountConnection extends Resource implements IEnvironmentAccountConnection, ITaggableV2 {
  /** An existing connection (for example one filed by hand), to pass where a connection is expected. */
  public static fromConnectionAttributes(scope: Construct, id: string, attrs: EnvironmentAccountConnectionAttributes): IEnvironmentAccountConnection {
    const path = `${scope.node.path}/${id}`;
    if (!Token.isUnresolved(attrs.connectionId) && !CONNECTION_ID_PATTERN.test(attrs.connectionId)) {
      invalidProp(path, 'connectionId', attrs.connectionId, 'must be a connection id, a lowercase UUID');
    }
    class Imported extends Resource implements IEnvironmentAccountConnection {
      public readonly connectionId = attrs.connectionId;
      public readonly connectionArn = attrs.connectionArn ?? Stack.of(scope).formatArn({
        service: 'proton', resource: 'environment-account-connection', resourceName: attrs.connectionId,
      });
    }
    return new Imported(scope, id);
  }

  /**
   * Whether `x` is an `EnvironmentAccountConnection` (also when the app loads more than one copy of this library).
   * @param x any value
   */
  public static isEnvironmentAccountConnection(x: unknown): x is EnvironmentAccountConnection {
    return hasBrand(x, CONNECTION_BRAND);
  }

  /** @attribute */
  public readonly connectionId: string;
  /** @attribute */
  public readonly connectionArn: string;
  /**
   * The status at the end of the deployment: `PENDING`, or `CONNECTED`.
   * @attribute
   */
  public readonly connectionStatus: string;
  /** The management account this connection links to. */
  public readonly managementAccountId: string;
  /** The environment this connection serves. */
  public readonly environmentName: string;
  /** The connection's tags: the `tags` prop and those `Tags.of()` adds. */
  public readonly cdkTagManager: TagManager;
  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: EnvironmentAccountConnectionProps) {
    super(scope, id);
    markBrand(this, CONNECTION_BRAND);
    const path = this.node.path;
    checkAccountId(path, 'managementAccountId', props.managementAccountId);
    checkEnvironmentName(path, 'environmentName', props.environmentName);
    checkTags(path, 'tags', props.tags ?? {});
    checkNotOwnAccount(this, 'managementAccountId', props.managementAccountId, 'a connection links this environment account to a different management account');
    checkRoleMatches(this, props);

    const protonRole = EnvironmentAccountProtonRole.isEnvironmentAccountProtonRole(props.role) ? props.role : undefined;
    const codeBuildRole = props.codeBuildRole ?? protonRole?.codeBuildRole;
    const componentRole = props.componentRole ?? protonRole?.componentRole;
    const roles: Array<[string, iam.IRole | undefined]> = [['role', props.role], ['codeBuildRole', codeBuildRole], ['componentRole', componentRole]];
    for (const [prop, role] of roles) {
      if (role) checkRoleInThisAccount(this, prop, role);
    }
    const namedRoles = roles.flatMap(([, role]) => (role ? [role] : []));

    const timeoutSeconds = acceptanceTimeoutSeconds(this, props);
    const endOfSupport = endOfSupportSwitch(this);
    if (props.waitForAcceptance) {
      const stack = Stack.of(this);
      this.node.addValidation({ validate: () => waitingOrderProblems(path, stack, props.managementAccountId, props.environmentName) });
    }

    const provider = ConnectionProvider.of(this, props.handlerOptions);
    provider.allowPassRoles(namedRoles.map((role) => role.roleArn));

    this.cdkTagManager = new TagManager(TagType.MAP, CONNECTION_RESOURCE_TYPE, props.tags);
    this.node.addValidation({ validate: () => tagProblems(path, this.cdkTagManager.tagValues()) });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CONNECTION_RESOURCE_TYPE,
      properties: {
        [ConnectionProperty.managementAccountId]: props.managementAccountId,
        [ConnectionProperty.environmentName]: props.environmentName,
        [ConnectionProperty.roleArn]: props.role.roleArn,
        [ConnectionProperty.codebuildRoleArn]: codeBuildRole?.roleArn,
        [ConnectionProperty.componentRoleArn]: componentRole?.roleArn,
        [ConnectionProperty.tags]: Lazy.any({ produce: () => this.cdkTagManager.renderTags() }),
        [ConnectionProperty.waitForAcceptance]: props.waitForAcceptance ? true : undefined,
        [ConnectionProperty.acceptanceTimeoutSeconds]: props.waitForAcceptance ? timeoutSeconds : undefined,
        [ConnectionProperty.adoptExisting]: props.adoptExisting ? true : undefined,
        [ConnectionProperty.replaceRejected]: props.replaceRejected ? true : undefined,
        [ConnectionProperty.endOfSupport]: endOfSupport ? true : undefined,
      },
    });
    // The ServiceToken already orders this after the handler, which depends on its role and policy.
    omitDefaultDeletionPolicies(this.resource);
    if (props.removalPolicy !== undefined) this.applyRemovalPolicy(props.removalPolicy);
    retainNamedRolesWhenRetained(this, this.resource.node.defaultChild as CfnResource, namedRoles);

    this.connectionId = this.resource.ref;
    this.connectionArn = this.resource.getAttString(ConnectionAttribute.arn);
    this.connectionStatus = this.resource.getAttString(ConnectionAttribute.status);
    this.managementAccountId = props.managementAccountId;
    this.environmentName = props.environmentName;
  }

  /**
   * What happens to the connection when it leaves the stack (CloudFormation's `DeletionPolicy`
   * and `UpdateReplacePolicy`): `DESTROY`, `RETAIN` or `RETAIN_ON_UPDATE_OR_DELETE`. A retained
   * connection keeps the roles it names that this stack creates.
   * @param policy the removal policy
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    if (policy === RemovalPolicy.SNAPSHOT) {
      invalidProp(this.node.path, 'removalPolicy', policy, 'must be RemovalPolicy.DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE (a connection has no snapshot)');
    }
    this.resource.applyRemovalPolicy(policy);
  }
}

/** Marks instances for `isEnvironmentAccountConnection()`, whichever copy of the library made them. */
const CONNECTION_BRAND = Symbol.for('cdk-proton-account-connections.EnvironmentAccountConnection');

/** Tags are checked once all are known (`Tags.of()` adds them at synth). */
function tagProblems(path: string, tags: Record<string, string>): string[] {
  try {
    checkTags(path, 'tags', tags);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

function acceptanceTimeoutSeconds(scope: Construct, props: EnvironmentAccountConnectionProps): number {
  if (props.acceptanceTimeout === undefined) return DEFAULT_ACCEPTANCE_TIMEOUT_SECONDS;
  if (!props.waitForAcceptance) {
    invalidProp(scope.node.path, 'acceptanceTimeout', props.acceptanceTimeout.toHumanString(), 'only applies with waitForAcceptance: true');
  }
  return wholeSeconds(scope.node.path, 'acceptanceTimeout', props.acceptanceTimeout, 1, MAX_ACCEPTANCE_TIMEOUT_SECONDS,
    'must be whole seconds from 1 second to 14 minutes (a Lambda function runs at most 15 minutes)');
}

/** An EnvironmentAccountProtonRole must trust the environment this connection is for. */
function checkRoleMatches(scope: Construct, props: EnvironmentAccountConnectionProps): void {
  const role = props.role;
  if (!EnvironmentAccountProtonRole.isEnvironmentAccountProtonRole(role)) return;
  const path = scope.node.path;
  const accountsKnown = !Token.isUnresolved(role.managementAccountId) && !Token.isUnresolved(props.managementAccountId);
  if (accountsKnown && role.managementAccountId !== props.managementAccountId) {
    invalidProp(path, 'role', role.node.path, `trusts management account ${role.managementAccountId}, but managementAccountId is ${props.managementAccountId}`);
  }
  const names = role.environmentNames;
  const literal = !Token.isUnresolved(props.environmentName) && !names.some((name) => Token.isUnresolved(name));
  if (literal && !names.includes('*') && !names.includes(props.environmentName)) {
    invalidProp(path, 'role', role.node.path, `trusts environments ${JSON.stringify(names)}, not "${props.environmentName}": add it to the role's environmentNames`);
  }
}

/** Proton needs the roles in the environment account: this stack's account. */
function checkRoleInThisAccount(scope: Construct, prop: string, role: iam.IRole): void {
  const path = scope.node.path;
  checkRoleArn(path, prop, role.roleArn, prop === 'codeBuildRole' ? undefined : RETURNED_ROLE_ARN_MAX_LENGTH);
  const stackAccount = Stack.of(scope).account;
  const roleAccount = role.env.account;
  if (!Token.isUnresolved(stackAccount) && !Token.isUnresolved(roleAccount) && roleAccount !== stackAccount) {
    invalidProp(path, prop, role.roleArn, `is in account ${roleAccount}, but AWS Proton needs it in the environment account (this stack's account ${stackAccount})`);
  }
}
