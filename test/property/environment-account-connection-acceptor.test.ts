import { Duration, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { validAccountId, validEnvironmentName, wholeSecondsWithin } from './oracle';
import {
  DurationInput, StackEnv, StrInput, accountLiteralArb, assertPropError, check, durationArb, environmentNameLiteralArb, literal,
  materialize, newStack, optionalBoolean, stackEnvArb, synthesize, tokenArb, validAccountArb, validEnvironmentNameArb,
} from './support';
import { EnvironmentAccountConnectionAcceptor } from '../../src';
import { parseAcceptanceSpec } from '../../src/acceptor/acceptor-contract';

const counter = { cases: 0 };
afterAll(() => console.log(`[property] environment-account-connection-acceptor: ${counter.cases} cases`));

type Op = { op: 'pair'; account: StrInput; name: StrInput } | { op: 'account'; account: StrInput };
const accountIn = fc.oneof({ weight: 4, arbitrary: literal(validAccountArb) }, { weight: 2, arbitrary: literal(accountLiteralArb) }, { weight: 1, arbitrary: tokenArb(fc.constantFrom('333333333333', '33'), fc.constant('3')) });
const nameIn = fc.oneof({ weight: 4, arbitrary: literal(validEnvironmentNameArb) }, { weight: 2, arbitrary: literal(environmentNameLiteralArb) }, { weight: 1, arbitrary: tokenArb(fc.constantFrom('dev', 'a/b'), fc.constant('dev-')) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pair' as const), account: accountIn, name: nameIn }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('account' as const), account: accountIn }) },
);
/** Many long valid pairs (to fill chunks), then more operations. */
const bulkArb: fc.Arbitrary<Op[]> = fc.integer({ min: 0, max: 70 }).map((n) => Array.from({ length: n }, (_, i): Op => ({
  op: 'pair', account: { kind: 'literal', value: String(300000000000 + (i % 7)) }, name: { kind: 'literal', value: `env-${i}-`.padEnd(100, 'x') },
})));

interface AcceptorCase {
  env: StackEnv;
  initial: Op[];
  later: Op[];
  waitTimeout?: DurationInput;
  continuous?: { onProtonEvents?: boolean };
  rejectUnlisted?: boolean;
}

const caseArb: fc.Arbitrary<AcceptorCase> = fc.record({
  env: stackEnvArb,
  initial: fc.oneof({ weight: 3, arbitrary: fc.array(opArb, { maxLength: 5 }) }, { weight: 1, arbitrary: bulkArb }),
  later: fc.array(opArb, { maxLength: 3 }),
  waitTimeout: fc.option(durationArb, { nil: undefined }),
  continuous: fc.option(fc.record({ onProtonEvents: optionalBoolean }, { requiredKeys: [] }), { nil: undefined }),
  rejectUnlisted: optionalBoolean,
}, { requiredKeys: ['env', 'initial', 'later'] });

test('every acceptor input synthesizes exactly its pairs and accounts, or throws naming the prop', () => {
  check(caseArb, 150, (c) => {
    const stack = newStack(c.env);
    const bad: string[] = [];
    if (c.waitTimeout && !wholeSecondsWithin(c.waitTimeout.millis, 0, 840)) bad.push('waitTimeout');
    const ops = [...c.initial.filter((o) => o.op === 'account'), ...c.initial.filter((o) => o.op === 'pair'), ...c.later];
    const pairs: string[] = [];
    const accounts: string[] = [];
    const material = ops.map((o) => ({ o, account: materialize(stack, o.account), name: o.op === 'pair' ? materialize(stack, o.name) : undefined }));
    // the oracle walks the operations in order; the first invalid one is where construction stops
    let stopAt = material.length;
    let stopProps: string[] = [];
    for (let i = 0; i < material.length && bad.length === 0; i++) {
      const { o, account, name } = material[i];
      const literalAccount = o.account.kind === 'literal';
      // the stack's own account, literally or as the AWS::AccountId token, is never an environment account
      const ownAccount = o.account.kind === 'Aws.ACCOUNT_ID' || (literalAccount && !Token.isUnresolved(stack.account) && account === stack.account);
      if (o.op === 'account') {
        if ((literalAccount && !validAccountId(account)) || ownAccount) { stopAt = i; stopProps = ['trustedAccounts']; break; }
        if (!accounts.includes(account)) accounts.push(account);
      } else {
        const p: string[] = [];
        if (literalAccount && !validAccountId(account)) p.push('expectedConnections.environmentAccountId');
        if (o.name.kind === 'literal' && !validEnvironmentName(name)) p.push('expectedConnections.environmentName');
        if (p.length === 0 && ownAccount) p.push('expectedConnections.environmentAccountId');
        if (p.length === 0 && pairs.includes(`${account}/${name}`)) p.push('expectedConnections.environmentName');
        if (p.length) { stopAt = i; stopProps = p; break; }
        pairs.push(`${account}/${name}`);
      }
    }
    const initialCount = c.initial.length;
    let acceptor: EnvironmentAccountConnectionAcceptor;
    try {
      acceptor = new EnvironmentAccountConnectionAcceptor(stack, 'Acceptor', {
        expectedConnections: material.slice(0, initialCount).filter((m) => m.o.op === 'pair').map((m) => ({ environmentAccountId: m.account, environmentName: m.name })),
        trustedAccounts: material.slice(0, initialCount).filter((m) => m.o.op === 'account').map((m) => m.account),
        waitTimeout: c.waitTimeout && (c.waitTimeout.unit === 'millis' ? Duration.millis(c.waitTimeout.amount) : c.waitTimeout.unit === 'seconds' ? Duration.seconds(c.waitTimeout.amount) : Duration.minutes(c.waitTimeout.amount)),
        continuousAcceptance: c.continuous && { ...c.continuous, rejectUnlisted: c.rejectUnlisted },
      });
      for (const m of material.slice(initialCount)) {
        if (m.o.op === 'account') acceptor.addTrustedAccount(m.account);
        else acceptor.addExpectedConnection({ environmentAccountId: m.account, environmentName: m.name });
      }
    } catch (error) {
      const expectedProps = [...bad, ...stopProps];
      if (expectedProps.length === 0) throw new Error(`valid input refused: ${(error as Error)?.message}`);
      assertPropError(error, 'Env/Acceptor', expectedProps);
      return;
    }
    if (bad.length + stopProps.length > 0 || stopAt < material.length) throw new Error(`accepted invalid input (should refuse ${[...bad, ...stopProps].join(', ')})`);
    if (pairs.length + accounts.length === 0) {
      expect(() => synthesize(stack)).toThrow(/Env\/Acceptor: expects no connection/);
      return;
    }
    const template = synthesize(stack).toJSON();
    const resources = Object.entries(template.Resources).filter(([, r]: any) => r.Type === 'Custom::ProtonConnectionAcceptance') as Array<[string, any]>;
    expect(resources.map(([, r]) => r.Properties.Pairs ?? []).flat()).toEqual(pairs.map((p) => stack.resolve(p)));
    expect(resources.map(([, r]) => r.Properties.Accounts ?? []).flat()).toEqual(accounts.map((a) => stack.resolve(a)));
    for (const [, r] of resources) {
      expect((r.Properties.Pairs ?? []).length).toBeLessThanOrEqual(50);
      const seconds = c.waitTimeout ? c.waitTimeout.millis / 1000 : 600;
      expect(r.Properties.WaitTimeoutSeconds).toEqual(seconds === 600 ? undefined : seconds);
      // deploy-time: what CloudFormation sends back must parse when every entry is literal
      const props = { Pairs: r.Properties.Pairs, Accounts: r.Properties.Accounts, WaitTimeoutSeconds: r.Properties.WaitTimeoutSeconds === undefined ? undefined : String(r.Properties.WaitTimeoutSeconds) };
      if ([...(props.Pairs ?? []), ...(props.Accounts ?? [])].every((v: unknown) => typeof v === 'string')) {
        const allValid = (props.Pairs ?? []).every((p: string) => validAccountId(p.split('/')[0]) && p.split('/').length === 2 && validEnvironmentName(p.split('/')[1]))
          && (props.Accounts ?? []).every(validAccountId);
        if (allValid) expect(parseAcceptanceSpec(props).entries).toEqual({ pairs: props.Pairs ?? [], accounts: props.Accounts ?? [] });
        else expect(() => parseAcceptanceSpec(props)).toThrow(/^invalid (Pairs|Accounts) /);
      }
    }
    if (c.continuous) {
      for (const p of Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::SSM::Parameter') as any[]) {
        if (typeof p.Properties.Value === 'string') expect(p.Properties.Value.length).toBeLessThanOrEqual(4096);
      }
    }
  }, counter);
});
