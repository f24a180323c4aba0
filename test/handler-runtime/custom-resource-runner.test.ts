import * as http from 'http';
import { AddressInfo } from 'net';
import { CustomResourceFailure, isTransient, runCustomResource } from '../../src/handler-runtime/custom-resource-runner';
import { createEvent } from '../support/cfn-events';

/** The runner always answers CloudFormation, and runs a step again after transient failures. */
let server: http.Server;
let url: string;
const responses: any[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      responses.push({ method: req.method, body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
beforeEach(() => responses.splice(0));
afterAll(() => new Promise((resolve) => server.close(resolve)));

const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

test('SUCCESS carries the physical id and data, PUT to the ResponseURL', async () => {
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => ({ physicalResourceId: 'abc', data: { Id: 'abc' } }), () => undefined);
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
  }, () => undefined);
  expect(calls).toBe(2);
  expect(responses[0].body.Status).toBe('SUCCESS');
}, 10_000);

test('a permanent failure is reported at once; a failed Create reports a placeholder that owns nothing', async () => {
  let calls = 0;
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(60_000), async () => {
    calls++;
    throw new CustomResourceFailure('already exists');
  }, () => undefined);
  expect(calls).toBe(1);
  expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'already exists', PhysicalResourceId: `not-created-${event.RequestId}` });
});

test('no retry past the Lambda deadline: the failure is reported in time', async () => {
  let calls = 0;
  const event = createEvent('Custom::Test', {}, { ResponseURL: url });
  await runCustomResource(event, context(10_500), async () => {
    calls++;
    throw throttled();
  }, () => undefined);
  expect(calls).toBe(1);
  expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'Rate exceeded' });
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
