import { App, Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  EnvironmentAccountConnectionAcceptor, EnvironmentNaming, OrganizationReadAccess,
} from '../../src';
import { roleStatements } from '../support/handler-policy';
import { awsSolutionsFindings } from '../support/nag';

const MANAGEMENT = '111111111111';
const OU = 'ou-ab12-cdefgh34';
const NESTED_ROOT = 'r-ab12';

function managementStack(): Stack {
  return new Stack(new App(), 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
}

describe('EnvironmentNaming.accountIdWithPrefix', () => {
  test('names account <id> "<prefix>-<id>", literal or token', () => {
    const naming = EnvironmentNaming.accountIdWithPrefix('platform');
    expect(naming.prefix).toBe('platform');
    expect(naming.environmentNameFor('222222222222')).toBe('platform-222222222222');
    const stack = managementStack();
    expect(stack.resolve(naming.environmentNameOfDeployingAccount())).toEqual({ 'Fn::Join': ['', ['platform-', { Ref: 'AWS::AccountId' }]] });
    expect(stack.resolve(naming.environmentNameFor(Aws.ACCOUNT_ID))).toEqual({ 'Fn::Join': ['', ['platform-', { Ref: 'AWS::AccountId' }]] });
  });

  test('the longest prefix still gives valid names for every account; one more character is refused', () => {
    const longest = 'p'.repeat(87);
    expect(EnvironmentNaming.accountIdWithPrefix(longest).environmentNameFor('999999999999')).toHaveLength(100);
    expect(() => EnvironmentNaming.accountIdWithPrefix('p'.repeat(88))).toThrow(
      'EnvironmentNaming.accountIdWithPrefix: invalid prefix "' + 'p'.repeat(88) + '": must be 1 to 87 characters long, so that "<prefix>-<12-digit account id>" fits Proton\'s 100 (got 88)');
  });

  test.each([
    ['', 'must be 1 to 87 characters long'],
    ['-platform', 'gives environment names that must start with a letter or digit and contain only letters, digits, "_" and "-"'],
    ['plat form', 'gives environment names that must start with a letter or digit'],
    ['platform.eu', 'gives environment names that must start with a letter or digit'],
  ])('prefix %j is refused: %s', (prefix, rule) => {
    expect(() => EnvironmentNaming.accountIdWithPrefix(prefix)).toThrow(`EnvironmentNaming.accountIdWithPrefix: invalid prefix ${JSON.stringify(prefix)}: ${rule}`);
  });

  test('a token prefix and an invalid literal account are refused, naming the rule', () => {
    expect(() => EnvironmentNaming.accountIdWithPrefix(Aws.STACK_NAME)).toThrow(/invalid prefix .*: must be a literal: both sides must know the rule at synth/);
    expect(() => EnvironmentNaming.accountIdWithPrefix('platform').environmentNameFor('12345')).toThrow(
      'EnvironmentNaming.environmentNameFor: invalid accountId "12345"');
  });
});

describe('EnvironmentAccountConnectionAcceptor trustedOrganizationalUnits', () => {
  const naming = EnvironmentNaming.accountIdWithPrefix('platform');

  test('needs continuous acceptance, saying why', () => {
    expect(() => new EnvironmentAccountConnectionAcceptor(managementStack(), 'Acceptor', {
      trustedOrganizationalUnits: [{ organizationalUnitIds: [OU], environmentNaming: naming }],
    })).toThrow(`Management/Acceptor: invalid trustedOrganizationalUnits ["${OU}"]: needs continuousAcceptance: accounts join an OU over time, and only the continuous sweep accepts their requests when they are filed`);
  });

  test.each([
    ['ou-AB12-cdefgh34', 'must be an organizational unit id'],
    ['ou-ab1-cdefgh34', 'must be an organizational unit id'],
    ['r-ab', 'must be an organizational unit id'],
    ['222222222222', 'must be an organizational unit id'],
  ])('OU id %j is refused at synth', (id, rule) => {
    expect(() => new EnvironmentAccountConnectionAcceptor(managementStack(), 'Acceptor', {
      continuousAcceptance: {},
      trustedOrganizationalUnits: [{ organizationalUnitIds: [id], environmentNaming: naming }],
    })).toThrow(`Management/Acceptor: invalid trustedOrganizationalUnits.organizationalUnitIds ${JSON.stringify(id)}: ${rule}`);
  });

  test('no OU id, or an OU id as a token, is refused', () => {
    expect(() => new EnvironmentAccountConnectionAcceptor(managementStack(), 'Acceptor', {
      continuousAcceptance: {}, trustedOrganizationalUnits: [{ organizationalUnitIds: [], environmentNaming: naming }],
    })).toThrow('invalid trustedOrganizationalUnits.organizationalUnitIds []: must name at least one OU or root id');
    expect(() => new EnvironmentAccountConnectionAcceptor(managementStack(), 'Acceptor', {
      continuousAcceptance: {}, trustedOrganizationalUnits: [{ organizationalUnitIds: [Aws.STACK_NAME], environmentNaming: naming }],
    })).toThrow(/must be a literal: the stored allow-list is read at run time/);
  });

  test('stores the OU trust with the allow-list and grants exactly the two Organizations reads and Accept for any account', () => {
    const stack = managementStack();
    new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', {
      continuousAcceptance: {},
      trustedOrganizationalUnits: [{ organizationalUnitIds: [OU, NESTED_ROOT, OU], environmentNaming: naming }],
    });
    const template = Template.fromStack(stack);
    // nothing to wait for at deploy: the resource says the sweep accepts (no Pairs, no Accounts)
    template.hasResourceProperties('Custom::ProtonConnectionAcceptance', { TrustsOrganizationalUnits: true, Pairs: Match.absent(), Accounts: Match.absent() });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Value: JSON.stringify({ pairs: [], accounts: [], organizationalUnits: [{ ids: [OU, NESTED_ROOT], prefix: 'platform' }] }),
    });
    const statements = roleStatements(template, 'ProtonConnectionAcceptorProviderRole');
    expect(statements).toContainEqual({
      Sid: 'ReadTrustedOrganizationalUnits',
      Effect: 'Allow',
      Action: ['organizations:ListAccountsForParent', 'organizations:ListChildren'],
      Resource: '*',
    });
    expect(statements).toContainEqual(expect.objectContaining({
      Sid: 'AcceptAllowListedAccounts',
      Action: 'proton:AcceptEnvironmentAccountConnection',
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:*:environment-account-connection/*']] }],
    }));
    const organizationActions = statements.flatMap((statement: any) => [statement.Action].flat()).filter((action: string) => action.startsWith('organizations:'));
    expect(organizationActions.sort()).toEqual(['organizations:ListAccountsForParent', 'organizations:ListChildren']);
    expect(statements.flatMap((statement: any) => [statement.Action].flat())).not.toContain('proton:RejectEnvironmentAccountConnection');
  });

  test('an acceptor without OU trust gets no Organizations permission', () => {
    const stack = managementStack();
    new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { continuousAcceptance: {}, trustedAccounts: ['222222222222'] });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('organizations:');
  });

  test('addTrustedOrganizationalUnits adds a second rule; OU trust alone is an expected connection source', () => {
    const stack = managementStack();
    const acceptor = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', { continuousAcceptance: {} });
    acceptor.addTrustedOrganizationalUnits({ organizationalUnitIds: [OU], environmentNaming: naming });
    acceptor.addTrustedOrganizationalUnits({ organizationalUnitIds: ['ou-ab12-zzzzzzzz'], environmentNaming: EnvironmentNaming.accountIdWithPrefix('sandbox') });
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::Parameter', {
      Value: Match.stringLikeRegexp('"organizationalUnits":\\[\\{"ids":\\["ou-ab12-cdefgh34"\\],"prefix":"platform"\\},\\{"ids":\\["ou-ab12-zzzzzzzz"\\],"prefix":"sandbox"\\}\\]'),
    });
  });
});

describe('OrganizationReadAccess', () => {
  function organizationManagementStack(): Stack {
    return new Stack(new App(), 'Organization', { env: { account: '999999999999', region: 'us-east-1' } });
  }

  test('the delegation policy lets exactly the reader accounts make the two reads', () => {
    const stack = organizationManagementStack();
    new OrganizationReadAccess(stack, 'ReadAccess', { readerAccountIds: [MANAGEMENT, '121212121212'] });
    const policies = Template.fromStack(stack).findResources('AWS::Organizations::ResourcePolicy');
    expect(Object.values(policies)).toHaveLength(1);
    const content = (Object.values(policies)[0] as any).Properties.Content;
    expect(stack.resolve(content)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'ProtonAcceptorsReadTrustedOrganizationalUnits',
        Effect: 'Allow',
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${MANAGEMENT}:root`]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::121212121212:root']] },
          ],
        },
        Action: ['organizations:ListAccountsForParent', 'organizations:ListChildren'],
        Resource: '*',
      }],
    });
  });

  test.each([
    [[], 'invalid readerAccountIds []: must name at least one account'],
    [['12345'], 'invalid readerAccountIds "12345"'],
    [['999999999999'], 'invalid readerAccountIds "999999999999": is this stack\'s own account: the organization\'s management account reads its organization already'],
    [[MANAGEMENT, MANAGEMENT], 'names an account twice'],
  ])('readerAccountIds %j is refused', (readers, message) => {
    expect(() => new OrganizationReadAccess(organizationManagementStack(), 'ReadAccess', { readerAccountIds: readers })).toThrow(message);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('an OU-trusting acceptor and the delegation policy leave no unacknowledged finding; each wildcard carries its reason', () => {
    const app = new App();
    const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    new EnvironmentAccountConnectionAcceptor(management, 'Acceptor', {
      continuousAcceptance: {},
      trustedOrganizationalUnits: [{ organizationalUnitIds: [OU], environmentNaming: EnvironmentNaming.accountIdWithPrefix('platform') }],
    });
    const organization = new Stack(app, 'Organization', { env: { account: '999999999999', region: 'us-east-1' } });
    new OrganizationReadAccess(organization, 'ReadAccess', { readerAccountIds: [MANAGEMENT] });
    expect(awsSolutionsFindings(management)).toEqual([]);
    expect(awsSolutionsFindings(organization)).toEqual([]);
    const acknowledged = JSON.stringify(management.node.findAll().flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'));
    expect(acknowledged).toContain('organizations:ListAccountsForParent and ListChildren none narrower than the organization');
    expect(acknowledged).toContain('Accounts of the trusted organizational units are known only at run time');
  });
});
