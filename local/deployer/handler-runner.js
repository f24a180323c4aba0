// @ts-check
// The program of every handler process of the local deployer, run with plain `node` (no TypeScript at run time).
// Plain CommonJS and node built-ins only; type-checked with its JSDoc types (tsc --allowJs --checkJs, see
// test/local/deployer/handler-runner.test.ts), the payload type shared with the deployer (handler-protocol.ts).
//
// Reads a RunnerPayload (JSON) from stdin, loads `<codeDirectory>/<module>` (.mjs via import, otherwise require),
// calls the export with (event, context[, callback]) and exits when it settles, as Lambda freezes the sandbox:
// 0 when it succeeded, 3 when it failed, 2 when the handler is not exported, 1 when the runner itself failed.
// With a result fd in the payload, the handler's result or error (a RunnerResult) is written there first.
// With a response host in the payload, `https` requests to that host are routed to the loopback response server, so
// that handlers that hard-code `https.request` for the pre-signed URL (like CDK's provider entrypoint) work.
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, for plain `node` */
'use strict';

/** @typedef {import('./handler-protocol').RunnerPayload} RunnerPayload */
/** @typedef {import('./handler-protocol').RunnerResult} RunnerResult */
/** @typedef {import('http').RequestOptions} RequestOptions */
/** @typedef {(res: import('http').IncomingMessage) => void} ResponseListener */
/** @typedef {[RequestOptions, ResponseListener | undefined]} LocalRequest */

/**
 * The stack of an error (thrown values need not be Errors).
 * @param {unknown} e
 * @returns {unknown}
 */
const stackOf = (e) => (e && typeof e === 'object' && 'stack' in e && e.stack ? e.stack : undefined);

/** @type {Buffer[]} */
const chunks = [];
process.stdin.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
process.stdin.on('end', () => {
  /** @type {RunnerPayload} */
  const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  main(payload).catch((/** @type {unknown} */ e) => {
    console.error('Runtime.Error', stackOf(e) ?? e);
    process.exit(1);
  });
});

/**
 * Routes `https` requests for the response host to the loopback response server (plain http).
 * @param {string} responseHost
 * @param {number} responsePort
 */
function routeResponsesToLoopback(responseHost, responsePort) {
  const http = require('http');
  const https = require('https');
  /**
   * @param {unknown} host
   * @param {unknown} port
   */
  const isResponseHost = (host, port) => host === responseHost
    && (port === undefined || port === null || port === '' || Number(port) === 443 || Number(port) === responsePort);
  /**
   * The arguments of an `https.request`/`https.get` call for the response host, turned into `http` ones.
   * @param {unknown[]} args
   * @returns {LocalRequest | undefined}
   */
  const toLocal = (args) => {
    const [a, b, c] = args;
    if (typeof a === 'string' || a instanceof URL) {
      const u = new URL(String(a));
      if (!isResponseHost(u.hostname, u.port)) return undefined;
      const base = { hostname: u.hostname, port: responsePort, path: u.pathname + u.search };
      if (typeof b === 'function') return [base, /** @type {ResponseListener} */ (b)];
      /** @type {RequestOptions} */
      const opts = Object.assign({}, /** @type {RequestOptions | undefined} */ (b) || {}, base, { protocol: 'http:' });
      delete opts.agent;
      return [opts, /** @type {ResponseListener | undefined} */ (c)];
    }
    if (a && typeof a === 'object') {
      const given = /** @type {RequestOptions} */ (a);
      const host = given.hostname || String(given.host || '').split(':')[0];
      const port = given.port !== undefined ? given.port : String(given.host || '').split(':')[1];
      if (!isResponseHost(host, port)) return undefined;
      /** @type {RequestOptions} */
      const opts = Object.assign({}, given, { protocol: 'http:', hostname: host, port: responsePort });
      delete opts.host;
      delete opts.agent;
      return [opts, /** @type {ResponseListener | undefined} */ (b)];
    }
    return undefined;
  };
  const origRequest = https.request;
  const origGet = https.get;
  /** @type {any} */ (https).request = function (/** @type {unknown[]} */ ...args) {
    const l = toLocal(args);
    return l ? http.request(l[0], l[1]) : /** @type {Function} */ (origRequest).apply(this, args);
  };
  /** @type {any} */ (https).get = function (/** @type {unknown[]} */ ...args) {
    const l = toLocal(args);
    return l ? http.get(l[0], l[1]) : /** @type {Function} */ (origGet).apply(this, args);
  };
  try {
    require('module').syncBuiltinESMExports();
  } catch (e) {
    // older node
  }
}

/**
 * Writes the whole of `text` to `fd` (a pipe to the parent), synchronously: the process exits right after.
 * @param {number} fd
 * @param {string} text
 */
function writeAll(fd, text) {
  const fs = require('fs');
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * The result or error of the handler, as reported on the result fd.
 * @param {unknown} err
 * @param {unknown} value
 * @returns {string}
 */
function resultText(err, value) {
  if (err) {
    const e = /** @type {{ name?: unknown; message?: unknown }} */ (typeof err === 'object' ? err : {});
    /** @type {RunnerResult} */
    const failed = {
      ok: false,
      errorType: typeof e.name === 'string' ? e.name : 'Error',
      errorMessage: typeof e.message === 'string' ? e.message : typeof err === 'string' ? err : JSON.stringify(err),
    };
    return JSON.stringify(failed);
  }
  try {
    return JSON.stringify(/** @type {RunnerResult} */ ({ ok: true, result: value === undefined ? null : value }));
  } catch (e) {
    return JSON.stringify(/** @type {RunnerResult} */ ({ ok: false, errorType: 'Runtime.SerializationError', errorMessage: String(e) }));
  }
}

/**
 * @param {RunnerPayload} p
 */
async function main(p) {
  const fs = require('fs');
  const path = require('path');
  const url = require('url');
  if (p.responseHost !== undefined && p.responsePort !== undefined) routeResponsesToLoopback(p.responseHost, p.responsePort);

  const dot = p.handler.lastIndexOf('.');
  const modulePath = path.join(p.codeDirectory, p.handler.slice(0, dot));
  const exportName = p.handler.slice(dot + 1);
  /** @type {Record<string, unknown> | undefined} */
  let mod;
  if (fs.existsSync(modulePath + '.mjs')) mod = await import(url.pathToFileURL(modulePath + '.mjs').href);
  else mod = require(modulePath);
  const fn = mod && mod[exportName];
  if (typeof fn !== 'function') {
    console.error('Runtime.HandlerNotFound: ' + p.handler + ' is undefined or not exported');
    process.exit(2);
  }
  let settled = false;
  /**
   * @param {unknown} [err]
   * @param {unknown} [value]
   */
  const settle = (err, value) => {
    if (settled) return;
    settled = true;
    if (p.resultFd !== undefined) {
      try {
        writeAll(p.resultFd, resultText(err, value));
      } catch (e) {
        // the parent is gone: nobody to tell
      }
    }
    if (err) {
      console.error('ERROR Invoke Error', stackOf(err) ?? JSON.stringify(err));
      process.exit(3);
    }
    process.exit(0);
  };
  const context = Object.assign({}, p.context, {
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, p.deadline - Date.now()),
    done: (/** @type {unknown} */ err, /** @type {unknown} */ value) => settle(err, value),
    succeed: (/** @type {unknown} */ value) => settle(undefined, value),
    fail: (/** @type {unknown} */ err) => settle(err || new Error('context.fail')),
  });
  const callback = (/** @type {unknown} */ err, /** @type {unknown} */ value) => settle(err, value);
  process.on('beforeExit', () => settle());
  try {
    const r = fn(p.event, context, callback);
    if (r && typeof r.then === 'function') r.then((/** @type {unknown} */ v) => settle(undefined, v), (/** @type {unknown} */ e) => settle(e || new Error('rejected')));
  } catch (e) {
    settle(e);
  }
}
