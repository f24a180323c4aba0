/**
 * One cold start, in a fresh `node` process: require a handler bundle, handle one event, and
 * print how long each took (the parent measures spawn-to-response around it).
 *   node cold-start-child.js <bundle path> <event JSON>
 */
import { performance } from 'perf_hooks';

const RESULT_MARKER = 'COLD_START ';

async function main(): Promise<void> {
  const [bundle, eventJson] = process.argv.slice(2);
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(bundle) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
  const required = performance.now();
  const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'bench', awsRequestId: 'bench' };
  await mod.handler(JSON.parse(eventJson), context);
  const handled = performance.now();
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ startupMs: started, requireMs: required - started, handleMs: handled - required })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
