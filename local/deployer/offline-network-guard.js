// Preloaded (`NODE_OPTIONS=--require <this file>`) into every custom resource handler process of the local deployer:
// keeps the handler offline. Plain CommonJS and node built-ins only, because handlers run with plain `node`.
//
// - Name look-ups (dns.lookup, dns.promises.lookup, util.promisify(dns.lookup)) of any name other than a loopback name
//   (`localhost`, `127.x.x.x`, `::1`) fail the way an unresolvable name fails: an Error `getaddrinfo ENOTFOUND <host>`
//   with code ENOTFOUND, errno -3008, syscall getaddrinfo and hostname, delivered asynchronously.
// - The resolver family (dns.resolve*, dns.reverse, dns.Resolver, the promise variants) never queries a DNS server:
//   non-loopback names fail with `query<Type> ENOTFOUND <host>`; `localhost` is answered locally (127.0.0.1 / ::1).
// - dns.lookupService of a non-loopback address fails with `getnameinfo ENOTFOUND <address>`.
// - TCP connects (net, http, https, tls, fetch) to a non-loopback IP address fail with
//   `connect ECONNREFUSED <address>:<port>` (code ECONNREFUSED, syscall connect), asynchronously, like a refused
//   connection. Names go through the (guarded) look-up first; a custom `lookup` option is guarded too.
// - UDP sockets (dgram) cannot send to or connect to a non-loopback address (ECONNREFUSED).
// Unix domain sockets and named pipes are left alone. Nothing is printed.
'use strict';
const dgram = require('dgram');
const dns = require('dns');
const net = require('net');
const os = require('os');
const util = require('util');

const GUARD = Symbol.for('local-deployer.offline-network-guard');
if (!dns[GUARD]) {
  dns[GUARD] = true;
  install();
}

function install() {
  const ENOTFOUND_ERRNO = -3008; // UV_EAI_NONAME, what getaddrinfo reports for a name that does not resolve
  const ECONNREFUSED_ERRNO = -(os.constants.errno.ECONNREFUSED || 111);

  const bare = (host) => String(host).replace(/^\[(.*)\]$/, '$1');
  const isLoopbackAddress = (address) => {
    const a = bare(address).toLowerCase();
    if (net.isIPv4(a)) return a.startsWith('127.');
    if (net.isIPv6(a)) {
      if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
      const mapped = /^(?:0:0:0:0:0|:):ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
      return mapped !== null && mapped[1].startsWith('127.');
    }
    return false;
  };
  const isLoopbackName = (host) => {
    const h = bare(host).toLowerCase().replace(/\.$/, '');
    return h === 'localhost' || isLoopbackAddress(h);
  };

  const later = (fn) => setImmediate(fn);
  const notFound = (syscall, hostname) => {
    const err = new Error(`${syscall} ENOTFOUND ${hostname}`);
    if (syscall === 'getaddrinfo') err.errno = ENOTFOUND_ERRNO;
    err.code = 'ENOTFOUND';
    err.syscall = syscall;
    err.hostname = hostname;
    return err;
  };
  const refused = (address, port) => {
    const err = new Error(`connect ECONNREFUSED ${address}${port !== undefined ? `:${port}` : ''}`);
    err.errno = ECONNREFUSED_ERRNO;
    err.code = 'ECONNREFUSED';
    err.syscall = 'connect';
    err.address = address;
    if (port !== undefined) err.port = Number(port);
    return err;
  };
  // a falsy name or an IP literal never reaches the network; loopback names are resolved locally (hosts file)
  const lookupAllowed = (hostname) => !hostname || net.isIP(bare(hostname)) !== 0 || isLoopbackName(hostname);

  // --- dns.lookup and its promise forms --------------------------------------------------------------------------
  const origLookup = dns.lookup;
  const origPromisesLookup = dns.promises.lookup;
  function lookup(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    if (typeof cb !== 'function' || lookupAllowed(hostname)) return origLookup.apply(this, arguments);
    later(() => cb(notFound('getaddrinfo', hostname)));
    return {};
  }
  function promisesLookup(hostname) {
    if (lookupAllowed(hostname)) return origPromisesLookup.apply(this, arguments);
    return new Promise((resolve, reject) => later(() => reject(notFound('getaddrinfo', hostname))));
  }
  Object.defineProperty(lookup, util.promisify.custom, { value: promisesLookup });
  dns.lookup = lookup;
  dns.promises.lookup = promisesLookup;

  // --- dns.lookupService --------------------------------------------------------------------------------------------
  const origLookupService = dns.lookupService;
  const origPromisesLookupService = dns.promises.lookupService;
  dns.lookupService = function lookupService(address, port, callback) {
    if (typeof callback !== 'function' || isLoopbackAddress(address)) return origLookupService.apply(this, arguments);
    later(() => callback(notFound('getnameinfo', address)));
    return {};
  };
  dns.promises.lookupService = function lookupService(address) {
    if (isLoopbackAddress(address)) return origPromisesLookupService.apply(this, arguments);
    return new Promise((resolve, reject) => later(() => reject(notFound('getnameinfo', address))));
  };

  // --- the resolver family: answered here, never sent to a DNS server ----------------------------------------------
  const SYSCALL = {
    resolve4: 'queryA', resolve6: 'queryAaaa', resolveAny: 'queryAny', resolveCaa: 'queryCaa', resolveCname: 'queryCname',
    resolveMx: 'queryMx', resolveNs: 'queryNs', resolveTxt: 'queryTxt', resolveSrv: 'querySrv', resolvePtr: 'queryPtr',
    resolveNaptr: 'queryNaptr', resolveSoa: 'querySoa', reverse: 'getHostByAddr',
  };
  const RRTYPE_METHOD = {
    A: 'resolve4', AAAA: 'resolve6', ANY: 'resolveAny', CAA: 'resolveCaa', CNAME: 'resolveCname', MX: 'resolveMx',
    NS: 'resolveNs', TXT: 'resolveTxt', SRV: 'resolveSrv', PTR: 'resolvePtr', NAPTR: 'resolveNaptr', SOA: 'resolveSoa',
  };
  const localAnswer = (method, name, options) => {
    const ttl = options && typeof options === 'object' && options.ttl;
    if (method === 'reverse') return isLoopbackAddress(name) ? ['localhost'] : undefined;
    const host = bare(name).toLowerCase().replace(/\.$/, '');
    if (host !== 'localhost') return undefined;
    if (method === 'resolve4') return ttl ? [{ address: '127.0.0.1', ttl: 0 }] : ['127.0.0.1'];
    if (method === 'resolve6') return ttl ? [{ address: '::1', ttl: 0 }] : ['::1'];
    if (method === 'resolveAny') return [{ type: 'A', address: '127.0.0.1', ttl: 0 }, { type: 'AAAA', address: '::1', ttl: 0 }];
    return undefined;
  };
  // (name[, options|rrtype]) -> { method, answer } or { error }
  const answer = (method, name, extra) => {
    if (method === 'resolve') {
      const rrtype = extra === undefined ? 'A' : String(extra);
      const m = RRTYPE_METHOD[rrtype];
      if (!m) {
        const err = new TypeError(`The argument 'rrtype' is invalid. Received '${rrtype}'`);
        err.code = 'ERR_INVALID_ARG_VALUE';
        return { error: err };
      }
      return answer(m, name, undefined);
    }
    const result = localAnswer(method, name, extra);
    return result ? { answer: result } : { error: notFound(SYSCALL[method], name) };
  };
  const callbackResolver = (method) => function guardedResolve(name, ...rest) {
    const callback = rest.pop();
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const r = answer(method, name, rest[0]);
    later(() => (r.error ? callback(r.error) : callback(null, r.answer)));
    return {};
  };
  const promiseResolver = (method) => function guardedResolve(name, extra) {
    const r = answer(method, name, extra);
    return new Promise((resolve, reject) => later(() => (r.error ? reject(r.error) : resolve(r.answer))));
  };
  for (const method of ['resolve', ...Object.keys(SYSCALL)]) {
    dns[method] = callbackResolver(method);
    dns.Resolver.prototype[method] = callbackResolver(method);
    dns.promises[method] = promiseResolver(method);
    dns.promises.Resolver.prototype[method] = promiseResolver(method);
  }

  // --- TCP: net.Socket#connect (net.connect, http, https, tls and fetch all end up here) ----------------------------
  const guardedLookupOption = (custom) => function guardedCustomLookup(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'function' ? {} : options;
    if (!lookupAllowed(hostname)) {
      later(() => cb(notFound('getaddrinfo', hostname)));
      return undefined;
    }
    return custom.call(this, hostname, opts, (err, address, family) => {
      if (err) return cb(err);
      if (Array.isArray(address)) {
        const allowed = address.filter((a) => isLoopbackAddress(a.address));
        return allowed.length > 0 ? cb(null, allowed) : cb(refused(address[0] ? address[0].address : hostname));
      }
      return isLoopbackAddress(address) ? cb(null, address, family) : cb(refused(address));
    });
  };
  const origConnect = net.Socket.prototype.connect;
  const normalizedArgs = Object.getOwnPropertySymbols(net._normalizeArgs([{}])).find((s) => String(s) === 'Symbol(normalizedArgs)');
  net.Socket.prototype.connect = function connect(...args) {
    const normalized = normalizedArgs && Array.isArray(args[0]) && args[0][normalizedArgs] ? args[0] : net._normalizeArgs(args);
    const options = normalized[0] || {};
    if (options.path === undefined || options.path === null) {
      const host = options.host === undefined || options.host === null || options.host === '' ? 'localhost' : String(options.host);
      if (net.isIP(bare(host)) !== 0 && !isLoopbackAddress(host)) {
        const err = refused(bare(host), options.port);
        if (typeof normalized[1] === 'function') this.once('connect', normalized[1]);
        this.connecting = true;
        later(() => {
          this.connecting = false;
          this.destroy(err);
        });
        return this;
      }
      if (net.isIP(bare(host)) === 0 && typeof options.lookup === 'function' && options.lookup !== dns.lookup) {
        normalized[0] = Object.assign({}, options, { lookup: guardedLookupOption(options.lookup) });
      }
    }
    return origConnect.call(this, normalized);
  };

  // --- UDP: dgram sends and connects go through the socket's look-up, which refuses non-loopback addresses ----------
  const origCreateSocket = dgram.createSocket;
  // the look-up also resolves the bind address: the wildcard addresses are local
  const isWildcard = (address) => ['0.0.0.0', '::', '0:0:0:0:0:0:0:0'].includes(bare(address));
  const udpLookup = (custom) => function guardedUdpLookup(address, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    if (!isLoopbackName(address) && !isWildcard(address)) {
      later(() => cb(net.isIP(bare(address)) !== 0 ? refused(bare(address)) : notFound('getaddrinfo', address)));
      return undefined;
    }
    return (custom || dns.lookup).apply(this, arguments);
  };
  dgram.createSocket = function createSocket(type, listener) {
    const options = typeof type === 'string' ? { type } : Object.assign({}, type);
    options.lookup = udpLookup(options.lookup);
    return origCreateSocket.call(this, options, listener);
  };
  try {
    require('module').syncBuiltinESMExports();
  } catch (e) {
    // older node: ESM named imports of the patched functions keep the originals
  }
}
