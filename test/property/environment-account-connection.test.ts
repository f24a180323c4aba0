import { Aws, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { roleArnAccount, validAccountId, validEnvironmentName, validRoleArn, validTags, wholeSecondsWithin } from './oracle';
import {
  DurationInput, OTHER_ACCOUNT, STACK_ACCOUNT, StackEnv, StrInput, TagsInput, accountLiteralArb, assertPropError, check, durationArb,
  environmentNameLiteralArb, importedRole, literal, literalPartOfTags, materialize, materializeTags, newStack, optionalBoolean,
  roleArnLiteralArb, stackEnvArb, synthesize, tagsArb, tokenArb, validAccountArb, validEnvironmentNameArb,
} from './support';
import { EnvironmentAccountConnection, EnvironmentAccountProtonRole } from '../../src';
import { parseConnectionSpec } from '../../src/connection/connection-contract';
import { roleStatements } from '../support/handler-policy';

const counter = { cases: 0 };
afterAll(() => console.log(`[property] environment-account-connection: ${counter.cases} cases`));

type RoleInput =
  | { kind: 'proton'; trustsSameAccount: boolean; trusts: 'name' | 'other' | 'all'; codeBuild: boolean; component: boolean }
  | { kind: 'arn'; arn: string }
  | { kind: 'token-arn' }
  | { kind: 'new' };

const roleArb: fc.Arbitrary<RoleInput> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('proton' as const), trustsSameAccount: fc.boolean(), trusts: fc.constantFrom('name' as const, 'name' as const, 'other' as const, 'all' as const), codeBuild: fc.boolean(), component: fc.boolean() }) },
  { weight: 3, arbitrary: roleArnLiteralArb(STACK_ACCOUNT).map((arn) => ({ kind: 'arn' as const, arn })) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'token-arn' as const }, { kind: 'new' as const }) },
);
const optionalArnRole = fc.option(roleArnLiteralArb(STACK_ACCOUNT).map((arn) => ({ kind: 'arn' as const, arn })), { nil: undefined, freq: 2 });

interface ConnectionCase {
  env: StackEnv;
  managementAccountId: StrInput;
  environmentName: StrInput;
  role: RoleInput;
  codebuildRole?: { kind: 'arn'; arn: string };
  componentRole?: { kind: 'arn'; arn: string };
  tags: TagsInput;
  waitForAcceptance?: boolean;
  acceptanceTimeout?: DurationInput;
  removalPolicy?: RemovalPolicy;
  adoptExisting?: boolean;
}

const caseArb: fc.Arbitrary<ConnectionCase> = fc.record({
  env: stackEnvArb,
  managementAccountId: fc.oneof(
    { weight: 3, arbitrary: literal(validAccountArb) },
    { weight: 3, arbitrary: literal(accountLiteralArb) },
    { weight: 1, arbitrary: literal(fc.constant(STACK_ACCOUNT)) },
    { weight: 1, arbitrary: tokenArb(fc.constantFrom(OTHER_ACCOUNT, '1111'), fc.constant('1111')) },
  ),
  environmentName: fc.oneof(
    { weight: 3, arbitrary: literal(validEnvironmentNameArb) },
    { weight: 3, arbitrary: literal(environmentNameLiteralArb) },
    { weight: 1, arbitrary: tokenArb(fc.constantFrom('dev', 'bad/name', ''), fc.constant('dev-')) },
  ),
  role: roleArb,
  codeBuildRole: optionalArnRole,
  componentRole: optionalArnRole,
  tags: tagsArb,
  waitForAcceptance: optionalBoolean,
  acceptanceTimeout: fc.option(durationArb, { nil: undefined }),
  removalPolicy: fc.option(fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.SNAPSHOT), { nil: undefined }),
  adoptExisting: optionalBoolean,
}, { requiredKeys: ['env', 'managementAccountId', 'environmentName', 'role', 'tags'] });

function duration(d: DurationInput): Duration {
  return d.unit === 'millis' ? Duration.millis(d.amount) : d.unit === 'seconds' ? Duration.seconds(d.amount) : Duration.minutes(d.amount);
}


test('every EnvironmentAccountConnection input synthesizes exactly its properties, or throws naming the prop', () => {
  check(caseArb, 250, (c) => {
    const stack = newStack(c.env);
    const stackAccount = Token.isUnresolved(stack.account) ? undefined : stack.account;
    const managementAccountId = materialize(stack, c.managementAccountId);
    const environmentName = materialize(stack, c.environmentName);
    const bad: string[] = [];
    const either: string[] = [];
    const m = c.managementAccountId;
    // the stack's own account is refused literally, and as the AWS::AccountId token (which an agnostic stack's account also is)
    if (m.kind === 'literal' && (!validAccountId(m.value) || m.value === stackAccount)) bad.push('managementAccountId');
    if (m.kind === 'Aws.ACCOUNT_ID') bad.push('managementAccountId');
    if (c.environmentName.kind === 'literal' && !validEnvironmentName(c.environmentName.value)) bad.push('environmentName');

    // the role, built from valid inputs (it is not the construct under test)
    let role: iam.IRole;
    const literalArnProblem = (prop: string, arn: string) => {
      const account = roleArnAccount(arn);
      if (!validRoleArn(arn) || (stackAccount !== undefined && account !== stackAccount)) bad.push(prop);
    };
    if (c.role.kind === 'proton') {
      const trustedAccount = c.role.trustsSameAccount && m.kind === 'literal' && validAccountId(m.value) && m.value !== stackAccount ? m.value as string : OTHER_ACCOUNT;
      const names = c.role.trusts === 'all' ? undefined : c.role.trusts === 'name' && c.environmentName.kind === 'literal' && validEnvironmentName(c.environmentName.value) ? [c.environmentName.value as string] : ['zz-other'];
      role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', {
        managementAccountId: trustedAccount, environmentNames: names, trustAllEnvironments: names === undefined, codeBuildRole: c.role.codeBuild ? {} : undefined, componentRole: c.role.component ? {} : undefined,
      });
      if (m.kind === 'literal' && trustedAccount !== m.value) bad.push('role');
      if (names && c.environmentName.kind === 'literal' && !names.includes(c.environmentName.value as string)) bad.push('role');
    } else if (c.role.kind === 'arn') {
      role = importedRole(stack, 'Imported', c.role.arn);
      literalArnProblem('role', c.role.arn);
    } else if (c.role.kind === 'token-arn') {
      role = iam.Role.fromRoleArn(stack, 'TokenRole', `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/proton`);
    } else {
      role = new iam.Role(stack, 'PlainRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
    }
    const codebuildRole = c.codebuildRole && importedRole(stack, 'CodeBuild', c.codebuildRole.arn);
    const componentRole = c.componentRole && importedRole(stack, 'Component', c.componentRole.arn);
    if (c.codebuildRole) literalArnProblem('codebuildRole', c.codebuildRole.arn);
    if (c.componentRole) literalArnProblem('componentRole', c.componentRole.arn);

    const tags = materializeTags(stack, c.tags);
    if (tags && !validTags(literalPartOfTags(tags))) bad.push('tags');
    if (c.acceptanceTimeout && (!c.waitForAcceptance || !wholeSecondsWithin(c.acceptanceTimeout.millis, 1, 840))) bad.push('acceptanceTimeout');
    if (c.removalPolicy === RemovalPolicy.SNAPSHOT) bad.push('removalPolicy');

    let connection: EnvironmentAccountConnection;
    try {
      connection = new EnvironmentAccountConnection(stack, 'Connection', {
        managementAccountId,
        environmentName,
        role,
        codeBuildRole: codebuildRole,
        componentRole,
        tags,
        waitForAcceptance: c.waitForAcceptance,
        acceptanceTimeout: c.acceptanceTimeout && duration(c.acceptanceTimeout),
        removalPolicy: c.removalPolicy,
        adoptExisting: c.adoptExisting,
      });
    } catch (error) {
      if (bad.length + either.length === 0) throw new Error(`valid input refused: ${(error as Error)?.message}`);
      assertPropError(error, 'Env/Connection', [...bad, ...either]);
      return;
    }
    if (bad.length > 0) throw new Error(`accepted invalid input (should refuse ${bad.join(', ')})`);

    const template = synthesize(stack).toJSON();
    const resources = Object.values(template.Resources).filter((r: any) => r.Type === 'Custom::ProtonEnvironmentAccountConnection') as any[];
    expect(resources).toHaveLength(1);
    const { ServiceToken, ...properties } = resources[0].Properties;
    expect(ServiceToken).toBeDefined();
    const proton = role instanceof EnvironmentAccountProtonRole ? role : undefined;
    const effectiveCodebuild = codebuildRole ?? proton?.codeBuildRole;
    const effectiveComponent = componentRole ?? proton?.componentRole;
    const expected: Record<string, unknown> = {
      ManagementAccountId: stack.resolve(managementAccountId),
      EnvironmentName: stack.resolve(environmentName),
      RoleArn: stack.resolve(role.roleArn),
    };
    if (effectiveCodebuild) expected.CodebuildRoleArn = stack.resolve(effectiveCodebuild.roleArn);
    if (effectiveComponent) expected.ComponentRoleArn = stack.resolve(effectiveComponent.roleArn);
    if (tags && Object.keys(tags).length > 0) expected.Tags = stack.resolve(tags);
    if (c.waitForAcceptance) {
      expected.WaitForAcceptance = true;
      expected.AcceptanceTimeoutSeconds = c.acceptanceTimeout ? c.acceptanceTimeout.millis / 1000 : 600;
    }
    if (c.adoptExisting) expected.AdoptExisting = true;
    expect(properties).toEqual(expected);
    // RETAIN is CloudFormation's DeletionPolicy, nothing the handler is told
    const resource = Object.values(template.Resources).find((r: any) => r.Type === 'Custom::ProtonEnvironmentAccountConnection') as any;
    expect(resource.DeletionPolicy).toBe(c.removalPolicy === RemovalPolicy.RETAIN ? 'Retain' : c.removalPolicy === RemovalPolicy.DESTROY ? 'Delete' : undefined);
    expect(stack.resolve(connection.managementAccountId)).toEqual(stack.resolve(managementAccountId));

    // the handler may pass exactly these roles
    const passRole = roleStatements(template, 'ProtonEnvironmentAccountConnectionProviderRole').find((s: any) => s.Sid === 'PassRolesToProton');
    const passed = [passRole.Resource].flat();
    for (const arn of [properties.RoleArn, properties.CodebuildRoleArn, properties.ComponentRoleArn].filter(Boolean)) expect(passed).toContainEqual(arn);

    // values that were tokens at synth meet the same oracle at deploy time (as CloudFormation sends them)
    const strings = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, typeof v === 'boolean' || typeof v === 'number' ? String(v) : v]));
    const allLiteral = ['ManagementAccountId', 'EnvironmentName', 'RoleArn'].every((k) => typeof strings[k] === 'string')
      && [strings.CodebuildRoleArn, strings.ComponentRoleArn].every((v) => v === undefined || typeof v === 'string')
      && (strings.Tags === undefined || JSON.stringify(strings.Tags).indexOf('{"Ref"') < 0);
    if (allLiteral) {
      const valid = validAccountId(strings.ManagementAccountId) && validEnvironmentName(strings.EnvironmentName) && validRoleArn(strings.RoleArn)
        && (strings.CodebuildRoleArn === undefined || validRoleArn(strings.CodebuildRoleArn))
        && (strings.ComponentRoleArn === undefined || validRoleArn(strings.ComponentRoleArn))
        && (strings.Tags === undefined || validTags(strings.Tags));
      let parsed = true;
      try {
        parseConnectionSpec(strings);
      } catch (error) {
        parsed = false;
        assertPropError(error, undefined, ['ManagementAccountId', 'EnvironmentName', 'RoleArn', 'CodebuildRoleArn', 'ComponentRoleArn', 'Tags']);
      }
      expect(parsed).toBe(valid);
    }
  }, counter);
});

test('fixed: acceptanceTimeout Duration.millis(1500) throws an error naming acceptanceTimeout and the construct path', () => {
  const stack = newStack('eu-west-1');
  const role = new EnvironmentAccountProtonRole(stack, 'ProtonRole', { managementAccountId: OTHER_ACCOUNT, environmentNames: ['dev'] });
  expect(() => new EnvironmentAccountConnection(stack, 'Connection', {
    managementAccountId: OTHER_ACCOUNT, environmentName: 'dev', role, waitForAcceptance: true, acceptanceTimeout: Duration.millis(1500),
  })).toThrow(/^Env\/Connection: invalid acceptanceTimeout /);
});
