/**
 * Reading the local endpoint's admin routes over HTTP (AWS Proton's events, the organization): only from a loopback
 * http url, so that a real or unresolvable endpoint is never called.
 */
import * as http from 'http';

/** The origin of `endpointUrl` when it is a loopback http url (`localhost`, `127.x.x.x`, `[::1]`), else undefined. */
export function loopbackOrigin(endpointUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'http:' || !(host === 'localhost' || host === '::1' || /^127\./.test(host))) return undefined;
  return url.origin;
}

/**
 * `GET <origin><route>` and its JSON body; rejects when the answer is not HTTP 200 (with the body's `error`, as the
 * admin routes answer), is not JSON, or takes more than 5 s.
 */
export function getLoopbackJson(origin: string, route: string): Promise<unknown> {
  const what = `GET ${route.split('?')[0]}`;
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(route, origin), { agent: false, timeout: 5000 }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            let error: unknown;
            try {
              error = (JSON.parse(text) as { error?: unknown }).error;
            } catch {
              // not JSON: the status says it all
            }
            throw new Error(`${what} answered HTTP ${res.statusCode}${typeof error === 'string' ? `: ${error}` : ''}`);
          }
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${what} timed out`)));
    req.on('error', reject);
  });
}
