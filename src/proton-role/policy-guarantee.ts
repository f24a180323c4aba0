import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PROTON_CLOUDFORMATION_ACTIONS, protonStacksArn } from './cloudformation-base';

/**
 * The rules every statement of a Proton provisioning role obeys, written once, and the
 * synth-time check that holds them on the role's FINAL CloudFormation, whatever put a statement
 * there: the library's own policies, `addToPrincipalPolicy`, `attachInlinePolicy`, an
 * `iam.Policy`/`iam.ManagedPolicy` naming the role, `addManagedPolicy`, L1 resources
 * (`CfnPolicy`, `CfnManagedPolicy`, `CfnRolePolicy`) and property overrides of the role itself.
 *
 * Rules for every `Allow` statement (`Deny` statements only restrict, and are always accepted):
 * - a literal statement (not a token or `Fn::If`), with the literal `Effect` `Allow` or `Deny`;
 * - no `NotAction` (it grants every action it does not name); the Proton and component roles
 *   accept one exact exception, the documented broad default of
 *   `ProvisioningPermissions.allServicesExceptOrganizationsAndAccount()`;
 * - no `NotResource` (it grants on every resource it does not name);
 * - every action `<service>:<Action>`, a literal lowercase service prefix, never `*`, never
 *   `organizations:` or `account:`;
 * - Proton and component roles only: `ForAnyValue:StringEquals aws:CalledVia =
 *   cloudformation.amazonaws.com`, except the CloudFormation base (only the 16 documented
 *   CloudFormation actions, only on this account's and Region's `stack/AWSProton-*`), which is
 *   recognized by its content, never by its Sid.
 *
 * Managed policies are accepted only when they are `AWS::IAM::ManagedPolicy` resources of the
 * role's stack, whose statements are checked by the same rules; any other ARN (an AWS managed
 * policy, an imported customer managed policy) is refused: the library cannot see what it grants.
 */

/** The service principal through which every provisioning permission must be used. */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/** Services never granted, not even by the documented broad default. */
export const FORBIDDEN_SERVICES = ['organizations', 'account'];

const SERVICE_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const ACTION_PATTERN = /^([a-z0-9][a-z0-9-]*):([A-Za-z0-9*]+)$/;
const CALLED_VIA_OPERATOR = 'ForAnyValue:StringEquals';
const CALLED_VIA_KEY = 'aws:CalledVia';

/** The condition that limits a statement to calls CloudFormation makes on the role's behalf. */
export function viaCloudFormation(): Record<string, unknown> {
  return { [CALLED_VIA_OPERATOR]: { [CALLED_VIA_KEY]: [CLOUDFORMATION_SERVICE] } };
}

/** What a role promises about its final policy. */
export interface PolicyGuarantee {
  /** How errors name the role, e.g. `Proton role`. */
  readonly roleKind: string;
  /**
   * Whether every Allow statement but the CloudFormation base must carry the CalledVia
   * condition (the role provisions only through CloudFormation). Such roles also accept the
   * documented broad default, the one `NotAction` statement.
   */
  readonly throughCloudFormationOnly: boolean;
}

/** The AWS Proton service role (`EnvironmentAccountProtonRole`). */
export const PROTON_ROLE_GUARANTEE: PolicyGuarantee = { roleKind: 'Proton role', throughCloudFormationOnly: true };

/** The component role: the same rules as the Proton role. */
export const COMPONENT_ROLE_GUARANTEE: PolicyGuarantee = { roleKind: 'component role', throughCloudFormationOnly: true };

/**
 * The CodeBuild provisioning role: CodeBuild runs the template's own commands (`cdk deploy`,
 * Terraform, the AWS CLI), which call AWS directly, so its statements need no CalledVia
 * condition; every other rule holds.
 */
export const CODEBUILD_ROLE_GUARANTEE: PolicyGuarantee = { roleKind: 'CodeBuild provisioning role', throughCloudFormationOnly: false };

/** The rules, word for word as errors state them. */
export const RULES = {
  notLiteral: 'a statement must be a literal JSON object (not a token or an intrinsic function), so that what it grants can be checked',
  effect: 'a statement\'s Effect must be the literal "Allow" or "Deny"',
  notAction: 'NotAction is refused in an Allow statement: it grants every action it does not name',
  notActionOrBroadDefault: 'NotAction is refused in an Allow statement: it grants every action it does not name '
    + '(the one exception is the documented broad default of ProvisioningPermissions.allServicesExceptOrganizationsAndAccount(): '
    + 'NotAction exactly ["organizations:*","account:*"] on "*", with the CalledVia condition)',
  notResource: 'NotResource is refused in an Allow statement: it grants on every resource it does not name',
  noAction: 'an Allow statement must name its actions in Action',
  literalAction: 'actions must be literal strings',
  actionFormat: 'an action is "<service>:<Action>" with a literal, lowercase service prefix (e.g. "s3:CreateBucket"); "*" is never allowed',
  servicePrefix: 'a service prefix is lowercase letters, digits and "-" (e.g. "s3", "elasticloadbalancing")',
  forbiddenService: (service: string) => `"${service}" actions are never granted to a Proton provisioning role`,
  calledVia: 'every statement except the CloudFormation base (only the 16 documented CloudFormation actions, only on '
    + 'arn:<partition>:cloudformation:<this Region>:<this account>:stack/AWSProton-*) must carry the condition '
    + 'ForAnyValue:StringEquals aws:CalledVia = cloudformation.amazonaws.com',
  managedPolicy: 'only AWS::IAM::ManagedPolicy resources of this stack may be attached: the library cannot see what any other '
    + 'managed policy grants (AWS managed policies included)',
  document: 'a policy document must be a literal object whose Statement is a statement or a list of statements',
  inlinePolicies: 'the role\'s Policies must be a literal list of literal inline policies (objects with a PolicyName and a PolicyDocument)',
};

/** Why a service prefix is refused, if it is. */
export function servicePrefixProblem(service: string): string | undefined {
  if (!SERVICE_PREFIX_PATTERN.test(service)) return RULES.servicePrefix;
  if (FORBIDDEN_SERVICES.includes(service)) return RULES.forbiddenService(service);
  return undefined;
}

/** Why an action is refused, if it is. */
export function actionProblem(action: unknown): string | undefined {
  if (typeof action !== 'string' || Token.isUnresolved(action)) return RULES.literalAction;
  const match = ACTION_PATTERN.exec(action);
  if (!match) return RULES.actionFormat;
  return servicePrefixProblem(match[1]);
}

/** What a resolved statement is checked against in one stack. */
interface StatementContext {
  readonly guarantee: PolicyGuarantee;
  /** The CloudFormation base ARN of the role's stack, rendered (see `renderArn`). */
  readonly baseArn: string;
  readonly stack: Stack;
}

/** The rule a resolved (CloudFormation) statement breaks, if any. */
function statementProblem(statement: unknown, context: StatementContext): string | undefined {
  if (!isPlainObject(statement) || isIntrinsic(statement)) return RULES.notLiteral;
  const effect = statement.Effect;
  if (effect === 'Deny') return undefined;
  if (effect !== 'Allow') return RULES.effect;
  const { guarantee } = context;
  if (statement.NotAction !== undefined) {
    if (guarantee.throughCloudFormationOnly && isBroadDefault(statement)) return undefined;
    return guarantee.throughCloudFormationOnly ? RULES.notActionOrBroadDefault : RULES.notAction;
  }
  if (statement.NotResource !== undefined) return RULES.notResource;
  if (statement.Action === undefined) return RULES.noAction;
  for (const action of listOf(statement.Action)) {
    const problem = actionProblem(action);
    if (problem) return `action ${JSON.stringify(action)}: ${problem}`;
  }
  if (!guarantee.throughCloudFormationOnly || hasCalledVia(statement.Condition) || isCloudFormationBase(statement, context)) return undefined;
  return RULES.calledVia;
}

/** `ForAnyValue:StringEquals aws:CalledVia` is exactly `cloudformation.amazonaws.com` (other conditions only restrict further). */
function hasCalledVia(condition: unknown): boolean {
  if (!isPlainObject(condition)) return false;
  const operator = condition[CALLED_VIA_OPERATOR];
  if (!isPlainObject(operator)) return false;
  const values = listOf(operator[CALLED_VIA_KEY]);
  return values.length === 1 && values[0] === CLOUDFORMATION_SERVICE;
}

/** Only documented CloudFormation actions, only on the role's stack's `stack/AWSProton-*`. */
function isCloudFormationBase(statement: Record<string, unknown>, context: StatementContext): boolean {
  const actions = listOf(statement.Action);
  const resources = listOf(statement.Resource);
  return actions.length > 0 && actions.every((action) => PROTON_CLOUDFORMATION_ACTIONS.includes(action as string))
    && resources.length > 0 && resources.every((resource) => normalizedPartition(renderArn(resource, context.stack)) === context.baseArn);
}

/** The documented broad default: NotAction exactly organizations:* and account:*, on `*`, through CloudFormation. */
function isBroadDefault(statement: Record<string, unknown>): boolean {
  const notActions = listOf(statement.NotAction);
  const expected = FORBIDDEN_SERVICES.map((service) => `${service}:*`);
  const resources = listOf(statement.Resource);
  return notActions.length === expected.length && expected.every((action) => notActions.includes(action))
    && statement.NotResource === undefined && resources.length === 1 && resources[0] === '*'
    && hasCalledVia(statement.Condition);
}

/**
 * A resolved ARN as one string: `Fn::Join`s joined, pseudo parameters as `${AWS::Name}` (the
 * stack's literal account and Region in their place when the stack has them); undefined for
 * anything else (which is then never the CloudFormation base).
 */
function renderArn(value: unknown, stack: Stack): string | undefined {
  if (typeof value === 'string') return value;
  if (!isPlainObject(value)) return undefined;
  if (typeof value.Ref === 'string' && value.Ref.startsWith('AWS::') && Object.keys(value).length === 1) {
    if (value.Ref === 'AWS::AccountId' && !Token.isUnresolved(stack.account)) return stack.account;
    if (value.Ref === 'AWS::Region' && !Token.isUnresolved(stack.region)) return stack.region;
    return `\${${value.Ref}}`;
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1]) && Object.keys(value).length === 1) {
    const parts = join[1].map((part) => renderArn(part, stack));
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** A literal partition (`aws`, `aws-cn`, …) read as `${AWS::Partition}`. */
function normalizedPartition(arn: string | undefined): string | undefined {
  return arn?.replace(/^arn:aws(-[a-z]+)*:/, 'arn:${AWS::Partition}:');
}

/** An IAM policy resource of a stack, as it synthesizes. */
interface RenderedPolicy {
  readonly type: string;
  readonly logicalId: string;
  /** How errors name it: type, logical id and construct path. */
  readonly where: string;
  readonly properties: Record<string, any>;
}

const POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy'];

/** The roles of each stack whose guarantee is enforced. */
const ENFORCED = new WeakMap<Stack, Array<{ role: iam.Role; guarantee: PolicyGuarantee }>>();
/** Violations the stack's validation computed for a role's validation, which takes them (once). */
const PRECOMPUTED = new WeakMap<iam.Role, string[]>();

/**
 * Adds the synth-time check to `role`: a validation of the role (validations run after aspects,
 * on the final state). Its stack's own validation, which runs just before its descendants',
 * renders the stack's IAM policy resources once for all its enforced roles; a role validated on
 * its own computes its violations itself.
 */
export function enforcePolicyGuarantee(role: iam.Role, guarantee: PolicyGuarantee): void {
  const stack = Stack.of(role);
  let enforced = ENFORCED.get(stack);
  if (!enforced) {
    const roles: Array<{ role: iam.Role; guarantee: PolicyGuarantee }> = [];
    enforced = roles;
    ENFORCED.set(stack, roles);
    stack.node.addValidation({
      validate: () => {
        const policies = renderedPolicies(stack);
        for (const entry of roles) PRECOMPUTED.set(entry.role, policyGuaranteeViolations(entry.role, entry.guarantee, policies));
        return [];
      },
    });
  }
  enforced.push({ role, guarantee });
  role.node.addValidation({
    validate: () => {
      const precomputed = PRECOMPUTED.get(role);
      PRECOMPUTED.delete(role);
      return precomputed ?? policyGuaranteeViolations(role, guarantee);
    },
  });
}

/** Every `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and `AWS::IAM::RolePolicy` of `stack` (not of its nested stacks), rendered. */
function renderedPolicies(stack: Stack): RenderedPolicy[] {
  const policies: RenderedPolicy[] = [];
  for (const resource of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(resource) || !POLICY_TYPES.includes(resource.cfnResourceType) || Stack.of(resource) !== stack) continue;
    const rendered = renderedResource(resource);
    if (!rendered) continue;
    const type = resource.cfnResourceType;
    policies.push({
      type,
      logicalId: rendered.logicalId,
      where: `${type} ${rendered.logicalId} (${resource.node.path})`,
      properties: isPlainObject(rendered.resource.Properties) ? rendered.resource.Properties : {},
    });
  }
  return policies;
}

/**
 * Every violation of `guarantee` in the final CloudFormation of `role`: its own rendered
 * properties (property overrides included), every `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`
 * and `AWS::IAM::RolePolicy` of its stack that names it, and its `ManagedPolicyArns`.
 */
export function policyGuaranteeViolations(role: iam.Role, guarantee: PolicyGuarantee, policies = renderedPolicies(Stack.of(role))): string[] {
  const stack = Stack.of(role);
  const path = role.node.path;
  const cfnRole = role.node.defaultChild;
  if (!CfnResource.isCfnResource(cfnRole) || cfnRole.cfnResourceType !== 'AWS::IAM::Role') {
    return [`${path}: the role has no AWS::IAM::Role resource whose policies can be checked`];
  }
  const context: StatementContext = { guarantee, stack, baseArn: normalizedPartition(renderArn(stack.resolve(protonStacksArn(role)), stack))! };
  const problems: string[] = [];
  const breaks = `breaks the guarantee of the ${guarantee.roleKind}`;
  const checkDocument = (where: string, document: unknown) => {
    const statements = statementsOf(document);
    if (statements === undefined) {
      problems.push(`${path}: ${where}: policy document ${JSON.stringify(document)} ${breaks}: ${RULES.document}`);
      return;
    }
    for (const statement of statements) {
      const problem = statementProblem(statement, context);
      if (problem) problems.push(`${path}: ${where}: statement ${JSON.stringify(statement)} ${breaks}: ${problem}`);
    }
  };

  const rendered = renderedResource(cfnRole);
  if (!rendered) return [];
  const properties = isPlainObject(rendered.resource.Properties) ? rendered.resource.Properties : {};
  const names: unknown[] = [{ Ref: rendered.logicalId }];
  if (typeof properties.RoleName === 'string') names.push(properties.RoleName);
  // anywhere in the value: a role chosen by Fn::If or Fn::Select still counts
  const namesThisRole = (value: unknown) => names.some((name) => (JSON.stringify(value) ?? '').includes(JSON.stringify(name)));

  const inlinePolicies = properties.Policies;
  if (inlinePolicies !== undefined) {
    if (!Array.isArray(inlinePolicies)) {
      problems.push(`${path}: the role's Policies ${JSON.stringify(inlinePolicies)} ${breaks}: ${RULES.inlinePolicies}`);
    } else {
      for (const policy of inlinePolicies) {
        if (!isPlainObject(policy) || isIntrinsic(policy)) {
          problems.push(`${path}: the role's Policies: inline policy ${JSON.stringify(policy)} ${breaks}: ${RULES.inlinePolicies}`);
          continue;
        }
        checkDocument(`inline policy ${JSON.stringify(policy.PolicyName)} of the role`, policy.PolicyDocument);
      }
    }
  }

  const checked = new Set<string>();
  for (const policy of policies) {
    if (namesThisRole(policy.type === 'AWS::IAM::RolePolicy' ? policy.properties.RoleName : policy.properties.Roles)) {
      checked.add(policy.logicalId);
      checkDocument(policy.where, policy.properties.PolicyDocument);
    }
  }

  const managedPolicies = new Map(policies.filter((p) => p.type === 'AWS::IAM::ManagedPolicy').map((p) => [JSON.stringify({ Ref: p.logicalId }), p]));
  const arns = properties.ManagedPolicyArns;
  for (const arn of arns === undefined ? [] : Array.isArray(arns) ? arns : [arns]) {
    const managed = managedPolicies.get(JSON.stringify(arn));
    if (!managed) {
      problems.push(`${path}: the role's ManagedPolicyArns: managed policy ${JSON.stringify(arn)} ${breaks}: ${RULES.managedPolicy}`);
    } else if (!checked.has(managed.logicalId)) {
      checked.add(managed.logicalId);
      checkDocument(managed.where, managed.properties.PolicyDocument);
    }
  }
  return problems;
}

/** A resource as it synthesizes (property overrides included), resolved in its stack. */
function renderedResource(resource: CfnResource): { logicalId: string; resource: Record<string, unknown> } | undefined {
  const template = Stack.of(resource).resolve((resource as any)._toCloudFormation());
  const entries = Object.entries(isPlainObject(template) && isPlainObject(template.Resources) ? template.Resources : {});
  if (entries.length !== 1 || !isPlainObject(entries[0][1])) return undefined;
  return { logicalId: entries[0][0], resource: entries[0][1] };
}

/** The statements of a resolved policy document, or undefined when it cannot be read. */
function statementsOf(document: unknown): unknown[] | undefined {
  if (document === undefined) return [];
  let parsed = document;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return undefined;
    }
  }
  if (!isPlainObject(parsed) || isIntrinsic(parsed)) return undefined;
  const statement = parsed.Statement;
  if (statement === undefined) return [];
  if (Array.isArray(statement)) return statement;
  return isPlainObject(statement) ? [statement] : undefined;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `{ Ref: … }` or `{ "Fn::…": … }`: a value CloudFormation computes. */
function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
