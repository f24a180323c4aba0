import { ResponseEndpoint } from './response-endpoint';
import { CustomResourceFailure, isTransient, runCustomResource } from '../../src/handler-runtime/custom-resource-runner';
import { SERVICE_GONE_BOUND_ENV, ServiceGoneError, serviceGoneBoundMs } from '../../src/handler-runtime/service-reachability';
import { createEvent, deleteEvent, updateEvent } from '../support/cfn-events';

/** The runner always answers CloudFormation, and runs a step again after transient failures. */
let endpoint: ResponseEndpoint;
let url: string;
let responses: ResponseEndpoint['received'];
beforeAll(async () => {
  endpoint = await ResponseEndpoint.start();
  url = endpoint.url();
  responses = endpoint.received;
});
beforeEach(() => endpoint.clear());
afterAll(() => endpoint.close());

const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

test('SUCCESS carries the physical id and data, PUT to the ResponseURL', async () => {
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => ({ physicalResourceId: 'abc', data: { Id: 'abc' } }), { log: () => undefined });
  expect(responses).toEqual([{
    method: 'PUT',
    body: {
      Status: 'SUCCESS', PhysicalResourceId: 'abc', Data: { Id: 'abc' }, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    },
  }]);
});

test('a transient failure runs the step again; a later success is reported', async () => {
  let calls = 0;
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => {
    calls++;
    if (calls === 1) throw new CustomResourceFailure('could not file the request: ThrottlingException', undefined, throttled());
    return { physicalResourceId: 'abc' };
  }, { log: () => undefined });
  expect(calls).toBe(2);
  expect(responses[0].body.Status).toBe('SUCCESS');
}, 10_000);

test('a permanent failure is reported at once; a failed Create reports a placeholder that owns nothing', async () => {
  let calls = 0;
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => {
    calls++;
    throw new CustomResourceFailure('already exists');
  }, { log: () => undefined });
  expect(calls).toBe(1);
  expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'Connection (Custom::Test): already exists', PhysicalResourceId: `not-created-${event.RequestId}` });
});

test('no retry past the Lambda deadline: the failure is reported in time', async () => {
  let calls = 0;
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(10_500), async () => {
    calls++;
    throw throttled();
  }, { log: () => undefined });
  expect(calls).toBe(1);
  expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'Connection (Custom::Test): Rate exceeded' });
});

test('what counts as transient', () => {
  expect(isTransient(throttled())).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'InternalServerException' }))).toBe(true);
  expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isTransient(new CustomResourceFailure('wrapped', undefined, throttled()))).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'ConflictException' }))).toBe(false);
  expect(isTransient(Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }))).toBe(false);
  expect(isTransient(new CustomResourceFailure('REJECTED'))).toBe(false);
});

const unresolvable = () => Object.assign(new Error('getaddrinfo ENOTFOUND proton.us-east-1.amazonaws.com'), {
  code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'proton.us-east-1.amazonaws.com', $metadata: { attempts: 1 },
});
const html403 = () => Object.assign(new SyntaxError('Unexpected token \'<\', "<html><bod"... is not valid JSON\n  Deserialization error'), {
  $metadata: { httpStatusCode: 403 },
});

describe('AWS Proton gone (end of support)', () => {
  test('the bound is 45 s, well within a minute; the environment can only shorten it', () => {
    expect(serviceGoneBoundMs({})).toBe(45_000);
    expect(serviceGoneBoundMs({ [SERVICE_GONE_BOUND_ENV]: '2' })).toBe(2_000);
    expect(serviceGoneBoundMs({ [SERVICE_GONE_BOUND_ENV]: '600' })).toBe(45_000);
    expect(serviceGoneBoundMs({ [SERVICE_GONE_BOUND_ENV]: 'soon' })).toBe(45_000);
  });

  test('an unresolvable name and an answer outside Proton\'s API are not transient; modeled errors keep their meaning', () => {
    expect(isTransient(unresolvable())).toBe(false);
    expect(isTransient(html403())).toBe(false);
    expect(isTransient(new ServiceGoneError('x'))).toBe(false);
    expect(isTransient(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }))).toBe(true);
  });

  test.each([['an unresolvable name', unresolvable, /its hostname proton\.us-east-1\.amazonaws\.com does not resolve \(ENOTFOUND\)/],
    ['an HTML 403', html403, /it answered HTTP 403 with an error outside AWS Proton's API \(SyntaxError: Unexpected token/]])(
    'a Delete concludes within the bound that the service is gone and answers SUCCESS (%s)', async (_what, fault, symptom) => {
      const lines: string[] = [];
      let calls = 0;
      const event = deleteEvent('Custom::Test', 'a0a0a0a0-0000-4000-8000-000000000000', {});
      const started = Date.now();
      await runCustomResource({ ...event, ResponseURL: url }, context(900_000), async () => {
        calls++;
        throw fault();
      }, { log: (line) => lines.push(line), serviceGoneBoundMs: 1_200 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(calls).toBeGreaterThan(1);
      expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'a0a0a0a0-0000-4000-8000-000000000000' });
      expect(lines.join('\n')).toMatch(symptom);
      expect(lines.join('\n')).toMatch(/AWS deleted Proton's data, and with it whatever this resource filed, at its end of support on 2026-10-07/);
    });

  test('a Create or Update fails within the bound, saying how to tear the stack down', async () => {
    for (const event of [createEvent('Custom::Test', {}), updateEvent('Custom::Test', 'abc', {}, { A: '1' })]) {
      responses.splice(0);
      await runCustomResource({ ...event, ResponseURL: url }, context(900_000), async () => {
        throw unresolvable();
      }, { log: () => undefined, serviceGoneBoundMs: 200 });
      expect(responses[0].body.Status).toBe('FAILED');
      expect(responses[0].body.Reason).toBe('Connection (Custom::Test): AWS Proton did not answer: its hostname proton.us-east-1.amazonaws.com does not resolve (ENOTFOUND). '
        + 'If this is AWS Proton\'s end of support (2026-10-07), deploy this stack once with -c cdk-proton-account-connections:endOfSupport=true, then destroy it: with the switch, the library\'s resources make no Proton calls.');
    }
  });
});

test('an unknown request type fails, naming it, without running the lifecycle', async () => {
  let calls = 0;
  const event = { ...deleteEvent('Custom::Test', 'abc', {}), RequestType: 'Import', ResponseURL: url } as any;
  await runCustomResource(event, context(60_000), async () => {
    calls++;
    return { physicalResourceId: 'abc' };
  }, { log: () => undefined });
  expect(calls).toBe(0);
  expect(responses[0].body).toMatchObject({
    Status: 'FAILED',
    PhysicalResourceId: 'abc',
    Reason: 'Connection (Custom::Test): unknown request type "Import": a custom resource answers only Create, Update and Delete; nothing was done',
  });
});

test('a long FAILED reason is cut so that the whole response fits CloudFormation\'s 4 KB, at a character boundary', async () => {
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => {
    throw new CustomResourceFailure(`${'é'.repeat(3000)}😀${'x'.repeat(3000)}`);
  }, { log: () => undefined });
  const sent = JSON.stringify(responses[0].body);
  expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(4096);
  expect(Buffer.byteLength(sent)).toBeGreaterThan(3900);
  expect(responses[0].body.Reason).toMatch(/^Connection \(Custom::Test\): é+\.\.\.$/);
});

test('the physical id of a FAILED answer: the one the failure names, else the one CloudFormation knows, else a placeholder that owns nothing', async () => {
  const create = createEvent('Custom::Test', {}, { ResponseURL: url });
  const update = { ...updateEvent('Custom::Test', 'known', {}, { A: '1' }), ResponseURL: url };
  const cases: Array<[typeof create | typeof update, Error, string]> = [
    [create, new CustomResourceFailure('filed none', `none-filed-${create.RequestId}`), `none-filed-${create.RequestId}`],
    [update, new CustomResourceFailure('replaced', 'named'), 'named'],
    [update, new Error('plain'), 'known'],
    [create, new Error('plain'), `not-created-${create.RequestId}`],
  ];
  for (const [event, failure, physicalId] of cases) {
    endpoint.clear();
    await runCustomResource(event, context(60_000), async () => {
      throw failure;
    }, { log: () => undefined });
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
  }
});
