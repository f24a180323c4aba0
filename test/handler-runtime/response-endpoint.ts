import * as http from 'http';
import { AddressInfo } from 'net';

/** One response PUT to the endpoint, as the handler sent it. */
export interface ReceivedResponse {
  readonly method: string;
  readonly body: any;
}

/**
 * A loopback stand-in for the pre-signed `ResponseURL`s CloudFormation gives custom resources:
 * it keeps every response sent to it, in order, and by the name of the URL it was sent to.
 */
export class ResponseEndpoint {
  public static async start(): Promise<ResponseEndpoint> {
    const endpoint = new ResponseEndpoint();
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  /** Every response, oldest first. */
  public readonly received: ReceivedResponse[] = [];
  private readonly byName = new Map<string, ReceivedResponse[]>();
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const response = { method: req.method!, body: JSON.parse(body) };
      const name = decodeURIComponent(new URL(req.url!, 'http://localhost').pathname.slice(1));
      this.received.push(response);
      this.byName.set(name, [...(this.byName.get(name) ?? []), response]);
      res.end();
    });
  });

  private constructor() {}

  /** A `ResponseURL` on this endpoint; `name` tells the responses sent to it apart. */
  public url(name = 'response'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${encodeURIComponent(name)}`;
  }

  /** The responses sent to `url(name)`, oldest first. */
  public responsesTo(name: string): ReceivedResponse[] {
    return this.byName.get(name) ?? [];
  }

  /** Forgets what was received. */
  public clear(): void {
    this.received.splice(0);
    this.byName.clear();
  }

  public close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
