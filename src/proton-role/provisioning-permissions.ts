import { Annotations, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { invalidProp } from '../shared/validation';

/** The service principal through which every provisioning permission must be used. */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/** Services never granted, not even by the documented broad default. */
const FORBIDDEN_SERVICES = ['organizations', 'account'];

const SERVICE_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const ACTION_PATTERN = /^([a-z0-9][a-z0-9-]*):([A-Za-z0-9*]+)$/;

/** The condition that limits a statement to calls CloudFormation makes on the role's behalf. */
export function viaCloudFormation(): Record<string, unknown> {
  return { 'ForAnyValue:StringEquals': { 'aws:CalledVia': [CLOUDFORMATION_SERVICE] } };
}

/**
 * What a provisioning role binds: the statements to add and the cdk-nag findings they
 * knowingly raise (acknowledged on the role's policy with a reason).
 */
export interface ProvisioningPermissionsConfig {
  /** Statements to add to the role's provisioning policy. */
  readonly statements: iam.PolicyStatement[];
  /** Wildcard findings these statements raise on purpose, e.g. `Action::s3:*`. */
  readonly intendedWildcards: string[];
}

/**
 * What the environment's CloudFormation templates may create, beyond the CloudFormation base
 * permissions every Proton provisioning role has.
 *
 * Every statement is usable only through CloudFormation (`aws:CalledVia =
 * cloudformation.amazonaws.com`), so the role cannot call these APIs directly.
 *
 * @see https://docs.aws.amazon.com/proton/latest/userguide/security_iam_service-role-policy-examples.html
 */
export abstract class ProvisioningPermissions {
  /**
   * Every action of the named services (e.g. `'s3'`, `'sqs'`), on any resource, through CloudFormation only.
   * `organizations` and `account` are refused.
   */
  public static fromServices(...services: string[]): ProvisioningPermissions {
    return new ServicePermissions(services);
  }

  /** Exactly these actions (e.g. `'s3:CreateBucket'`), on any resource, through CloudFormation only. */
  public static fromActions(...actions: string[]): ProvisioningPermissions {
    return new ActionPermissions(actions);
  }

  /**
   * These statements, each made usable only through CloudFormation. Statements must
   * allow named actions: `Deny`, `NotAction`, principals and the bare `*` action are refused.
   */
  public static fromStatements(...statements: iam.PolicyStatement[]): ProvisioningPermissions {
    return new StatementPermissions(statements);
  }

  /**
   * The broad default from the AWS Proton user guide: every action except `organizations:*`
   * and `account:*`, through CloudFormation only. Adds a synth warning: prefer named services.
   */
  public static allServicesExceptOrganizationsAndAccount(): ProvisioningPermissions {
    return new BroadDefaultPermissions();
  }

  /** Returns the statements for a role in `scope`; throws when the input breaks a rule. */
  public abstract bind(scope: IConstruct): ProvisioningPermissionsConfig;
}

function invalid(scope: IConstruct, value: unknown, rule: string): never {
  return invalidProp(scope.node.path, 'provisioningPermissions', value, rule);
}

function checkServicePrefix(scope: IConstruct, service: string): void {
  if (!SERVICE_PREFIX_PATTERN.test(service)) {
    invalid(scope, service, 'a service prefix is lowercase letters, digits and "-" (e.g. "s3", "elasticloadbalancing")');
  }
  if (FORBIDDEN_SERVICES.includes(service)) {
    invalid(scope, service, `"${service}" actions are never granted to a Proton provisioning role`);
  }
}

function checkAction(scope: IConstruct, action: string): void {
  if (typeof action !== 'string' || Token.isUnresolved(action)) {
    invalid(scope, action, 'actions must be literal strings');
  }
  const match = ACTION_PATTERN.exec(action);
  if (!match) {
    invalid(scope, action, 'an action is "<service>:<Action>" (e.g. "s3:CreateBucket"); "*" is never allowed');
  }
  checkServicePrefix(scope, match[1]);
}

function warnIfIam(scope: IConstruct, services: string[]): void {
  if (services.includes('iam')) {
    Annotations.of(scope).addWarningV2(
      'cdk-proton-account-connections:iam-via-cloudformation',
      'provisioningPermissions grants IAM actions: an environment template can then create roles of any power. Set permissionsBoundary to cap them.',
    );
  }
}

class ServicePermissions extends ProvisioningPermissions {
  constructor(private readonly services: string[]) {
    super();
  }

  public bind(scope: IConstruct): ProvisioningPermissionsConfig {
    if (this.services.length === 0) invalid(scope, this.services, 'fromServices needs at least one service');
    this.services.forEach((service) => checkServicePrefix(scope, service));
    warnIfIam(scope, this.services);
    const actions = [...new Set(this.services)].map((service) => `${service}:*`);
    return {
      statements: [new iam.PolicyStatement({ actions, resources: ['*'], conditions: viaCloudFormation() })],
      intendedWildcards: ['Resource::*', ...actions.map((action) => `Action::${action}`)],
    };
  }
}

class ActionPermissions extends ProvisioningPermissions {
  constructor(private readonly actions: string[]) {
    super();
  }

  public bind(scope: IConstruct): ProvisioningPermissionsConfig {
    if (this.actions.length === 0) invalid(scope, this.actions, 'fromActions needs at least one action');
    this.actions.forEach((action) => checkAction(scope, action));
    warnIfIam(scope, this.actions.map((action) => action.split(':')[0]));
    const actions = [...new Set(this.actions)];
    return {
      statements: [new iam.PolicyStatement({ actions, resources: ['*'], conditions: viaCloudFormation() })],
      intendedWildcards: ['Resource::*', ...actions.filter((a) => a.includes('*')).map((a) => `Action::${a}`)],
    };
  }
}

class StatementPermissions extends ProvisioningPermissions {
  constructor(private readonly statements: iam.PolicyStatement[]) {
    super();
  }

  public bind(scope: IConstruct): ProvisioningPermissionsConfig {
    if (this.statements.length === 0) invalid(scope, this.statements, 'fromStatements needs at least one statement');
    const statements = this.statements.map((statement) => {
      const json = statement.toStatementJson();
      if (statement.effect !== iam.Effect.ALLOW) invalid(scope, json, 'statements must have Effect "Allow"');
      if (statement.notActions.length > 0) invalid(scope, json, 'NotAction is refused (use allServicesExceptOrganizationsAndAccount() to opt in to the broad default)');
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
}

class BroadDefaultPermissions extends ProvisioningPermissions {
  public bind(scope: IConstruct): ProvisioningPermissionsConfig {
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
}
