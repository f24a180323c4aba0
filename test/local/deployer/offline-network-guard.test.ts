import { spawnSync } from 'child_process';
import * as os from 'os';
import { OFFLINE_NETWORK_GUARD } from '../../../local/deployer/custom-resource-invoker';

jest.setTimeout(30_000);

/**
 * The preload on its own: a script run with and without `--require <guard>`. Each probe prints
 * `<code>|<errno>|<syscall>|<hostname or address>|<message>` for an error, or what it got.
 */
const PROBES = String.raw`
'use strict';
const dgram = require('dgram');
const dns = require('dns');
const http = require('http');
const net = require('net');
const util = require('util');
const d = (e) => [e.code, e.errno, e.syscall, e.hostname !== undefined ? e.hostname : e.address, e.message].map((v) => (v === undefined ? '' : String(v))).join('|');
const settle = (p) => p.then((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)), d);
const callback = (fn) => new Promise((resolve) => {
  let returned = false;
  fn((err, ...values) => resolve((err ? d(err) : JSON.stringify(values)) + (returned ? '' : ' (synchronous!)')));
  returned = true;
});
const connect = (options) => new Promise((resolve) => {
  const socket = net.connect(options);
  socket.on('connect', () => { socket.destroy(); resolve('connected'); });
  socket.on('error', (err) => resolve(d(err)));
});
const get = (url) => new Promise((resolve) => {
  http.get(url, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(res.statusCode + ' ' + b)); })
    .on('error', (err) => resolve(d(err)));
});
const only = (process.env.ONLY || '').split(',').filter(Boolean);
(async () => {
  const iface = process.env.IFACE;
  const web = http.createServer((q, s) => s.end('hi'));
  await new Promise((r) => web.listen(0, '0.0.0.0', r));
  const port = web.address().port;
  const dnsServer = dgram.createSocket('udp4');
  let dnsQueries = 0;
  dnsServer.on('message', () => { dnsQueries += 1; });
  await new Promise((r) => dnsServer.bind(0, '127.0.0.1', r));
  const resolver = new dns.promises.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers(['127.0.0.1:' + dnsServer.address().port]);
  const toLoopback = (h, o, cb) => (o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4));
  const toIface = (h, o, cb) => (o && o.all ? cb(null, [{ address: iface, family: 4 }]) : cb(null, iface, 4));
  const probes = {
    lookup: () => callback((cb) => dns.lookup('proton.us-east-1.amazonaws.com', cb)),
    lookupAll: () => callback((cb) => dns.lookup('example.com', { all: true }, cb)),
    lookupFamily: () => callback((cb) => dns.lookup('example.com', 4, cb)),
    lookupHostname: () => callback((cb) => dns.lookup('not-loopback.' + require('os').hostname(), cb)),
    promisesLookup: () => settle(dns.promises.lookup('example.com')),
    dnsPromisesModule: () => settle(require('dns/promises').lookup('example.com', { family: 6 })),
    promisified: () => settle(util.promisify(dns.lookup)('example.com')),
    localhost: () => callback((cb) => dns.lookup('localhost', { family: 4 }, cb)),
    localhostPromisified: () => settle(util.promisify(dns.lookup)('LOCALHOST', { family: 4 })),
    loopbackV4: () => callback((cb) => dns.lookup('127.0.0.5', cb)),
    loopbackV6: () => settle(dns.promises.lookup('::1')),
    resolve4: () => callback((cb) => dns.resolve4('example.com', cb)),
    resolveMx: () => callback((cb) => dns.resolve('example.com', 'MX', cb)),
    resolveLocalhost: () => callback((cb) => dns.resolve4('localhost', cb)),
    resolverAny: () => settle(resolver.resolveAny('example.com')),
    resolverTxt: () => settle(resolver.resolveTxt('example.com')),
    promisesResolve6: () => settle(dns.promises.resolve6('localhost')),
    reverse: () => settle(dns.promises.reverse('192.0.2.1')),
    lookupService: () => settle(dns.promises.lookupService('192.0.2.1', 443)),
    connectIp: () => connect({ host: '192.0.2.1', port: 443 }),
    connectIpv6: () => get('http://[2001:db8::1]:8080/'),
    connectName: () => connect({ host: 'example.com', port: 443 }),
    customLookup: () => connect({ host: 'example.test', port, lookup: toLoopback }),
    customLookupToIface: () => (iface ? connect({ host: 'localhost', port, lookup: toIface }) : Promise.resolve('no interface')),
    connectIface: () => (iface ? connect({ host: iface, port }) : Promise.resolve('no interface')),
    loopbackHttp: () => get('http://127.0.0.1:' + port + '/'),
    localhostHttp: () => get('http://localhost:' + port + '/'),
    fetchName: () => fetch('https://proton.us-east-1.amazonaws.com/').then((r) => String(r.status), (e) => d(e.cause)),
    fetchIp: () => fetch('http://192.0.2.1/').then((r) => String(r.status), (e) => d(e.cause)),
    fetchLoopback: () => fetch('http://127.0.0.1:' + port + '/').then((r) => r.text()),
    udpIp: () => callback((cb) => { const u = dgram.createSocket('udp4'); u.send('x', 53, '192.0.2.1', (e) => { u.close(); cb(e); }); }),
    udpName: () => callback((cb) => { const u = dgram.createSocket({ type: 'udp4' }); u.send('x', 53, 'example.com', (e) => { u.close(); cb(e); }); }),
    udpLoopback: () => callback((cb) => { const u = dgram.createSocket('udp4'); u.send('x', dnsServer.address().port, '127.0.0.1', (e) => { u.close(); cb(e); }); }),
  };
  const out = {};
  for (const [name, probe] of Object.entries(probes)) if (only.length === 0 || only.includes(name)) out[name] = await probe();
  await new Promise((r) => setTimeout(r, 50));
  out.dnsQueries = String(dnsQueries);
  web.close();
  dnsServer.close();
  console.log(JSON.stringify(out));
})();
`;

/** A non-loopback IPv4 address of this machine (a server on 0.0.0.0 is reachable there without the guard). */
const IFACE = Object.values(os.networkInterfaces()).flat().find(i => i && i.family === 'IPv4' && !i.internal)?.address;

function run(guard: boolean, only: string[] = []): Record<string, string> {
  const result = spawnSync(process.execPath, [...(guard ? ['--require', OFFLINE_NETWORK_GUARD, '--require', OFFLINE_NETWORK_GUARD] : []), '-e', PROBES], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ONLY: only.join(','), ...(IFACE ? { IFACE } : {}) },
    timeout: 20_000,
  });
  if (result.status !== 0) throw new Error(`probe script failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const notFound = (host: string, syscall = 'getaddrinfo') => `ENOTFOUND|${syscall === 'getaddrinfo' ? -3008 : ''}|${syscall}|${host}|${syscall} ENOTFOUND ${host}`;
const refused = (address: string, port?: number) =>
  `ECONNREFUSED|${-os.constants.errno.ECONNREFUSED}|connect|${address}|connect ECONNREFUSED ${address}${port === undefined ? '' : `:${port}`}`;

test('the offline network guard: look-ups of other names than loopback fail with ENOTFOUND, non-loopback connects with ECONNREFUSED', () => {
  const out = run(true);
  expect(out).toEqual({
    lookup: notFound('proton.us-east-1.amazonaws.com'),
    lookupAll: notFound('example.com'),
    lookupFamily: notFound('example.com'),
    lookupHostname: notFound(`not-loopback.${os.hostname()}`),
    promisesLookup: notFound('example.com'),
    dnsPromisesModule: notFound('example.com'),
    promisified: notFound('example.com'),
    localhost: '["127.0.0.1",4]',
    localhostPromisified: '{"address":"127.0.0.1","family":4}',
    loopbackV4: '["127.0.0.5",4]',
    loopbackV6: '{"address":"::1","family":6}',
    resolve4: notFound('example.com', 'queryA'),
    resolveMx: notFound('example.com', 'queryMx'),
    resolveLocalhost: '[["127.0.0.1"]]',
    resolverAny: notFound('example.com', 'queryAny'),
    resolverTxt: notFound('example.com', 'queryTxt'),
    promisesResolve6: '["::1"]',
    reverse: notFound('192.0.2.1', 'getHostByAddr'),
    lookupService: notFound('192.0.2.1', 'getnameinfo'),
    connectIp: refused('192.0.2.1', 443),
    connectIpv6: refused('2001:db8::1', 8080),
    connectName: notFound('example.com'),
    customLookup: notFound('example.test'),
    customLookupToIface: IFACE ? refused(IFACE) : 'no interface',
    connectIface: IFACE ? expect.stringMatching(new RegExp(`^${refused(IFACE).replace(/[.|]/g, '\\$&')}:\\d+$`)) : 'no interface',
    loopbackHttp: '200 hi',
    localhostHttp: '200 hi',
    fetchName: notFound('proton.us-east-1.amazonaws.com'),
    fetchIp: refused('192.0.2.1', 80),
    fetchLoopback: 'hi',
    udpIp: refused('192.0.2.1'),
    udpName: notFound('example.com'),
    udpLoopback: '[]',
    dnsQueries: '1', // the udpLoopback datagram; no resolver query reached the DNS server
  });
});

test('without the guard the same probes reach the (loopback) network: what the guard refuses is its own doing', () => {
  const out = run(false, ['customLookup', 'customLookupToIface', 'connectIface', 'resolverTxt']);
  expect(out.customLookup).toBe('connected');
  expect(out.customLookupToIface).toBe(IFACE ? 'connected' : 'no interface');
  expect(out.connectIface).toBe(IFACE ? 'connected' : 'no interface');
  expect(out.resolverTxt).toMatch(/^ETIMEOUT\|/);
  expect(out.dnsQueries).toBe('1');
});
