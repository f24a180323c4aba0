import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FORBIDDEN_SERVICES, RULES, actionProblem, servicePrefixProblem, viaCloudFormation } from './policy-guarantee';
import { acknowledgeFinding } from '../shared/nag-acknowledgements';
import { invalidProp } from '../shared/validation';

/**
 * What a provisioning role binds: the statements to add and the cdk-nag findings they
 * knowingly raise (acknowledged on the role's policy with a reason). Internal: the
 * acknowledgements are the library's business, not part of its API.
 * @internal
 */
export interface ProvisioningPermissionsConfig {
  /** Statements to add to the role's provisioning policy. */
  readonly statements: iam.PolicyStatement[];
  /** Wildcard findings these statements raise on purpose, e.g. `Action::s3:*`. */
  readonly intendedWildcards: string[];
}

type Binder = (scope: IConstruct) => ProvisioningPermissionsConfig;

/**
 * How each instance binds. Only the static factories register one, so a subclass (which
 * TypeScript forbids, the constructor being private, but plain JavaScript allows) binds nothing.
 */
const BINDERS = new WeakMap<ProvisioningPermissions, Binder>();

/**
 * The statements `permissions` give a role in `scope`; throws when the input breaks a rule,
 * or when `permissions` did not come from one of the static factories.
 */
export function bindProvisioningPermissions(permissions: ProvisioningPermissions, scope: IConstruct): ProvisioningPermissionsConfig {
  const binder = BINDERS.get(permissions);
  if (!binder) {
    invalid(scope, permissions?.constructor?.name ?? permissions,
      'provisioning permissions come only from the static factories of ProvisioningPermissions '
      + '(fromServices, fromActions, fromStatements, allServicesExceptOrganizationsAndAccount)');
  }
  return binder(scope);
}

/**
 * What the environment's CloudFormation templates may create, beyond the CloudFormation base
 * permissions every Proton provisioning role has.
 *
 * Every statement is usable only through CloudFormation (`aws:CalledVia =
 * cloudformation.amazonaws.com`), so the role cannot call these APIs directly. Instances come
 * only from the static factories; the class cannot be subclassed.
 *
 * @see https://docs.aws.amazon.com/proton/latest/userguide/security_iam_service-role-policy-examples.html
 */
export class ProvisioningPermissions {
  /**
   * Every action of the named services (e.g. `'s3'`, `'sqs'`), on any resource, through CloudFormation only.
   * `organizations` and `account` are refused.
   * @param services IAM service prefixes, lower case
   */
  public static fromServices(...services: string[]): ProvisioningPermissions {
    return ProvisioningPermissions.create(`services ${services.join(', ')}`, (scope) => bindServices(scope, services));
  }

  /**
   * Exactly these actions (e.g. `'s3:CreateBucket'`), on any resource, through CloudFormation only.
   * @param actions IAM actions as `service:Action` (wildcards within the action name allowed, not `*` alone)
   */
  public static fromActions(...actions: string[]): ProvisioningPermissions {
    return ProvisioningPermissions.create(`actions ${actions.join(', ')}`, (scope) => bindActions(scope, actions));
  }

  /**
   * These statements, each made usable only through CloudFormation. Statements must
   * allow named actions: `Deny`, `NotAction`, `NotResource`, principals and the bare `*`
   * action are refused.
   * @param statements IAM policy statements that allow named actions
   */
  public static fromStatements(...statements: iam.PolicyStatement[]): ProvisioningPermissions {
    return ProvisioningPermissions.create(`${statements.length} statement(s)`, (scope) => bindStatements(scope, statements));
  }

  /**
   * The broad default from the AWS Proton user guide: every action except `organizations:*`
   * and `account:*`, through CloudFormation only. Adds a synth warning: prefer named services.
   */
  public static allServicesExceptOrganizationsAndAccount(): ProvisioningPermissions {
    return ProvisioningPermissions.create('all services except organizations and account', bindBroadDefault);
  }

  private static create(summary: string, binder: Binder): ProvisioningPermissions {
    const permissions = new ProvisioningPermissions(summary);
    BINDERS.set(permissions, binder);
    return permissions;
  }

  /**
   * What these permissions grant, in words (e.g. `services ec2, ecs, logs`): for logs and reviews.
   * The rules are checked when a role uses them, not here.
   */
  public readonly summary: string;

  private constructor(summary: string) {
    this.summary = summary;
  }
}

function invalid(scope: IConstruct, value: unknown, rule: string): never {
  return invalidProp(scope.node.path, 'provisioningPermissions', value, rule);
}

function checkServicePrefix(scope: IConstruct, service: string): void {
  const problem = servicePrefixProblem(service);
  if (problem) invalid(scope, service, problem);
}

function checkAction(scope: IConstruct, action: string): void {
  const problem = actionProblem(action);
  if (problem) invalid(scope, action, problem);
}

function warnIfIam(scope: IConstruct, services: string[]): void {
  if (services.includes('iam')) {
    Annotations.of(scope).addWarningV2(
      'cdk-proton-account-connections:iam-via-cloudformation',
      'provisioningPermissions grants IAM actions: an environment template can then create roles of any power. Set permissionsBoundary to cap them.',
    );
  }
}

function bindServices(scope: IConstruct, services: string[]): ProvisioningPermissionsConfig {
  if (services.length === 0) invalid(scope, services, 'fromServices needs at least one service');
  services.forEach((service) => checkServicePrefix(scope, service));
  warnIfIam(scope, services);
  const actions = [...new Set(services)].map((service) => `${service}:*`);
  return {
    statements: [new iam.PolicyStatement({ actions, resources: ['*'], conditions: viaCloudFormation() })],
    intendedWildcards: ['Resource::*', ...actions.map((action) => `Action::${action}`)],
  };
}

function bindActions(scope: IConstruct, requested: string[]): ProvisioningPermissionsConfig {
  if (requested.length === 0) invalid(scope, requested, 'fromActions needs at least one action');
  requested.forEach((action) => checkAction(scope, action));
  warnIfIam(scope, requested.map((action) => action.split(':')[0]));
  const actions = [...new Set(requested)];
  return {
    statements: [new iam.PolicyStatement({ actions, resources: ['*'], conditions: viaCloudFormation() })],
    intendedWildcards: ['Resource::*', ...actions.filter((a) => a.includes('*')).map((a) => `Action::${a}`)],
  };
}

function bindStatements(scope: IConstruct, given: iam.PolicyStatement[]): ProvisioningPermissionsConfig {
  if (given.length === 0) invalid(scope, given, 'fromStatements needs at least one statement');
  const statements = given.map((statement) => {
    const json = statement.toStatementJson();
    if (statement.effect !== iam.Effect.ALLOW) invalid(scope, json, 'statements must have Effect "Allow"');
    if (statement.notActions.length > 0) invalid(scope, json, 'NotAction is refused (use allServicesExceptOrganizationsAndAccount() to opt in to the broad default)');
    if (statement.notResources.length > 0) invalid(scope, json, RULES.notResource);
    if (statement.hasPrincipal) invalid(scope, json, 'identity-policy statements take no Principal');
    if (statement.actions.length === 0) invalid(scope, json, 'statements must name at least one action');
    statement.actions.forEach((action) => checkAction(scope, action));
    warnIfIam(scope, statement.actions.map((action) => action.split(':')[0]));
    const copy = iam.PolicyStatement.fromJson(json);
    copy.addConditions(viaCloudFormation());
    return copy;
  });
  return { statements, intendedWildcards: [] };
}

function bindBroadDefault(scope: IConstruct): ProvisioningPermissionsConfig {
  // aws-cdk-lib's own template validation flags any NotAction: this one is the user guide's documented default
  acknowledgeFinding(scope, 'CloudFormation-Validate::W2512',
    'The AWS Proton user guide\'s documented broad default: every action but organizations:* and account:*, usable only through CloudFormation (aws:CalledVia). Chosen explicitly with allServicesExceptOrganizationsAndAccount(), with a synth warning.');
  Annotations.of(scope).addWarningV2(
    'cdk-proton-account-connections:broad-provisioning-permissions',
    'provisioningPermissions uses the broad documented default (every action except organizations:* and account:*, through CloudFormation). Prefer ProvisioningPermissions.fromServices() with the services your templates create.',
  );
  return {
    statements: [
      new iam.PolicyStatement({
        notActions: FORBIDDEN_SERVICES.map((service) => `${service}:*`),
        resources: ['*'],
        conditions: viaCloudFormation(),
      }),
    ],
    intendedWildcards: ['Resource::*'],
  };
}
