import { Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { validAccountId, validEnvironmentName } from './oracle';
import { accountLiteralArb, assertValidTemplate, check, environmentNameLiteralArb, newApp, synthesize, validAccountArb, validEnvironmentNameArb } from './support';
import { EnvironmentAccountConnectionAcceptor, ProtonEnvironmentLink } from '../../src';

/**
 * ProtonEnvironmentLink: for random stack accounts and Regions (named, agnostic, equal, different)
 * and environment names, the link either wires both sides exactly (role trust, request, allow-list
 * entry, dependency) or throws an Error naming the offending prop and the construct path.
 */
const counter = { cases: 0 };
afterAll(() => console.log(`[property] proton-environment-link: ${counter.cases} cases`));

const regionArb = fc.constantFrom<string | undefined>(undefined, 'us-east-1', 'eu-west-1', 'cn-north-1');
const caseArb = fc.record({
  environmentAccount: fc.option(fc.oneof(validAccountArb, accountLiteralArb.filter((a): a is string => typeof a === 'string')), { nil: undefined }),
  managementAccount: fc.option(validAccountArb, { nil: undefined }),
  environmentRegion: regionArb,
  managementRegion: regionArb,
  sameAccount: fc.boolean(),
  environmentName: fc.oneof(validEnvironmentNameArb, environmentNameLiteralArb.filter((n): n is string => typeof n === 'string')),
});

function stack(app: ReturnType<typeof newApp>, id: string, account: string | undefined, region: string | undefined): Stack {
  return new Stack(app, id, { env: { account, region } });
}

test('every ProtonEnvironmentLink input wires both sides exactly, or throws naming the prop', () => {
  check(caseArb, 150, (c) => {
    const app = newApp();
    const managementAccount = c.managementAccount;
    const environmentAccount = c.sameAccount ? managementAccount : c.environmentAccount;
    const management = stack(app, 'Management', managementAccount, c.managementRegion);
    const environment = stack(app, 'Environment', environmentAccount, c.environmentRegion);
    const acceptor = new EnvironmentAccountConnectionAcceptor(management, 'Acceptor');

    const bad: string[] = [];
    const agnostic = [managementAccount, environmentAccount, c.managementRegion, c.environmentRegion].some((v) => v === undefined);
    if (agnostic) bad.push('environment stack', 'management stack');
    else if (environmentAccount === managementAccount || c.environmentRegion !== c.managementRegion) bad.push('acceptor');
    if (!agnostic && !validAccountId(environmentAccount)) bad.push('environment stack');
    if (!validEnvironmentName(c.environmentName)) bad.push('environmentName', 'environmentNames');

    let link: ProtonEnvironmentLink;
    try {
      link = new ProtonEnvironmentLink(environment, 'Dev', { acceptor, environmentName: c.environmentName });
    } catch (error) {
      if (bad.length === 0) throw new Error(`valid input refused: ${(error as Error)?.message}`);
      // the link, the role it creates or the acceptor it extends may be the one that knows
      const message = error instanceof Error ? error.message : String(error);
      const named = bad.some((prop) => new RegExp(`^(Environment/Dev|Management/Acceptor)(/[^:]*)?: invalid ${prop} `).test(message));
      if (!(error instanceof Error) || !named) throw new Error(`expected an error naming ${bad.join(' or ')} and the path, got: ${message}`);
      return;
    }
    if (bad.length > 0) throw new Error(`invalid input accepted (expected an error naming ${bad.join(' or ')}): ${JSON.stringify(c)}`);

    const envTemplate = synthesize(environment).toJSON();
    const mgmtTemplate = synthesize(management).toJSON();
    assertValidTemplate(envTemplate);
    assertValidTemplate(mgmtTemplate);
    const request = Object.values<any>(envTemplate.Resources).find((r) => r.Type === 'Custom::ProtonEnvironmentAccountConnection');
    expect(request.Properties).toMatchObject({ ManagementAccountId: managementAccount, EnvironmentName: c.environmentName });
    const role = Object.values<any>(envTemplate.Resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'proton.amazonaws.com');
    const condition = role.Properties.AssumeRolePolicyDocument.Statement[0].Condition;
    expect(condition.StringEquals['aws:SourceAccount']).toBe(managementAccount);
    expect(JSON.stringify(condition.ArnLike['aws:SourceArn'])).toContain(`:proton:${c.environmentRegion}:${managementAccount}:environment/${c.environmentName}"`);
    const acceptance = Object.values<any>(mgmtTemplate.Resources).find((r) => r.Type === 'Custom::ProtonConnectionAcceptance');
    expect(acceptance.Properties.Pairs).toEqual([`${environmentAccount}/${c.environmentName}`]);
    expect(management.dependencies).toEqual([environment]);
    expect(management.resolve(link.acceptedConnectionId)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'ConnectionId0'] });
  }, counter);
}, 120_000);
