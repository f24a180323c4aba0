/*
 * Preloaded with NODE_OPTIONS=--require in offline tests: blocks and records every attempt to
 * reach a non-loopback address (DNS look-ups of other hosts included), so a test can assert
 * that a command made no network call. Records go to $NETWORK_ATTEMPTS_FILE, one per line.
 */
const fs = require('fs');
const net = require('net');
const dns = require('dns');

const file = process.env.NETWORK_ATTEMPTS_FILE;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

function record(what) {
  if (file) fs.appendFileSync(file, `${process.pid} ${what}\n`);
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
  const host = options.host ?? 'localhost';
  if (!options.path && !LOOPBACK.test(String(host))) {
    record(`connect ${host}:${options.port}`);
    throw new Error(`network access blocked in offline test: ${host}:${options.port}`);
  }
  return originalConnect.apply(this, args);
};

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
  const original = dns[name];
  dns[name] = function blocked(hostname, ...rest) {
    if (LOOPBACK.test(String(hostname))) return original.call(this, hostname, ...rest);
    record(`dns ${hostname}`);
    const callback = rest[rest.length - 1];
    const error = Object.assign(new Error(`DNS blocked in offline test: ${hostname}`), { code: 'ENOTFOUND' });
    if (typeof callback === 'function') process.nextTick(() => callback(error));
    else throw error;
  };
}
