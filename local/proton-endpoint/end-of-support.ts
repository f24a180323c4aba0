/**
 * End-of-support emulation. AWS Proton's API was shut down on 2026-10-07 and how a call fails since is not
 * documented, so the local endpoint can play the plausible outcomes (see README.md):
 * - `refuse-connections`: nothing listens on the endpoint's port any more (clients get ECONNREFUSED);
 * - `html-403`: every Proton API request is answered with a CDN-style HTML 403 page (not an AWS JSON error).
 * The third outcome, "the hostname no longer resolves", is the local deployer's (its handlers are offline).
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EndOfSupportMode = 'refuse-connections' | 'html-403';

export const END_OF_SUPPORT_MODES: readonly EndOfSupportMode[] = ['refuse-connections', 'html-403'];

/**
 * `value` as an end-of-support mode; throws an Error naming `name` and the allowed values otherwise. `off` is how
 * "no mode" is spelled where the value comes from: `undefined` (TypeScript), `null` (the HTTP admin's JSON), or
 * `nothing` when a mode is required (a command-line flag).
 */
export function checkEndOfSupportMode(value: unknown, name: string, off: 'undefined' | 'null' | 'nothing' = 'undefined'): EndOfSupportMode | undefined {
  if ((off === 'undefined' && value === undefined) || (off === 'null' && value === null)) return undefined;
  if (typeof value === 'string' && (END_OF_SUPPORT_MODES as readonly string[]).includes(value)) return value as EndOfSupportMode;
  const allowed = `"refuse-connections", "html-403"${off === 'nothing' ? '' : ` or ${off}`}`;
  throw new Error(`${name} must be ${allowed} (got ${value === undefined ? 'undefined' : JSON.stringify(value)})`);
}

/** The page a CDN in front of a withdrawn API might serve. */
export const HTML_403_BODY = [
  '<!DOCTYPE html>',
  '<html>',
  '<head><meta charset="utf-8"><title>403 Forbidden</title></head>',
  '<body>',
  '<h1>403 Forbidden</h1>',
  '<h2>Request blocked.</h2>',
  '<p>The request could not be satisfied. This service is not available.</p>',
  '<hr>',
  '<p>local-proton (end-of-support emulation: html-403)</p>',
  '</body>',
  '</html>',
  '',
].join('\n');

/** Answers with the HTML 403 page: `content-type: text/html`, no AWS headers. */
export function sendHtml403(res: ServerResponse): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = Buffer.from(HTML_403_BODY, 'utf8');
  res.writeHead(403, { 'content-type': 'text/html', 'content-length': String(payload.length) });
  res.end(payload);
}

/**
 * Listens on a fixed host and port and can stop listening (dropping every open connection) and listen again on
 * the same port; the server's state is untouched. Transitions run one after the other.
 */
export class SwitchableListener {
  private listening = false;
  private closed = false;
  private boundPort = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly server: Server, private readonly host: string) {}

  /** The port (chosen by the first `start`). */
  get port(): number {
    return this.boundPort;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** Listens: the first time on `port` (0: any free port), later on the port chosen then. No-op when listening. */
  start(port = 0): Promise<void> {
    return this.enqueue(async () => {
      if (this.listening) return;
      const wanted = this.boundPort || port;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(new Error(`the local endpoint cannot listen on ${this.host}:${wanted}: ${err.message}`));
        this.server.once('error', onError);
        this.server.listen(wanted, this.host, () => {
          this.server.off('error', onError);
          resolve();
        });
      });
      this.boundPort = (this.server.address() as AddressInfo).port;
      this.listening = true;
    });
  }

  /** Stops listening and drops the open connections (clients then get ECONNREFUSED). No-op when not listening. */
  stop(): Promise<void> {
    return this.enqueue(() => this.stopListening());
  }

  /** Stops for good: later `start`/`stop` calls reject. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closed = true;
      await this.stopListening();
    }, true);
  }

  private stopListening(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise<void>((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private enqueue(step: () => Promise<void>, closing = false): Promise<void> {
    const next = this.queue.then(() => {
      if (this.closed && !closing) throw new Error('the local endpoint is closed');
      return step();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
