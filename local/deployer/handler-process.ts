/**
 * Runs a Lambda function's handler the way Lambda would, in child `node` processes: the handler runner
 * (handler-runner.js) gets the event and a Lambda context on its stdin, under the environment it is given plus the
 * offline preload, and is killed at the function's timeout. Both files are plain CommonJS next to this one, so that
 * plain `node` can load them wherever the deployer runs from.
 */
import { spawn } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { LambdaFunctionInfo } from './deploy-state';
import type { RunnerContext, RunnerPayload, RunnerResult } from './handler-protocol';

/**
 * The preload that keeps handler processes offline (look-ups of non-loopback names fail with ENOTFOUND, connects to
 * non-loopback addresses with ECONNREFUSED).
 */
export const OFFLINE_NETWORK_GUARD = path.join(__dirname, 'offline-network-guard.js');

/** The program of every handler process. */
export const HANDLER_RUNNER = path.join(__dirname, 'handler-runner.js');

/** `env` with `--require <OFFLINE_NETWORK_GUARD>` appended to its NODE_OPTIONS (which it keeps). */
export function withOfflineNetworkGuard(env: Record<string, string>): Record<string, string> {
  if (!fs.existsSync(OFFLINE_NETWORK_GUARD)) {
    throw new Error(`the offline network guard ${OFFLINE_NETWORK_GUARD} is missing: handlers are not run without it (it must sit next to custom-resource-invoker)`);
  }
  const preload = `--require ${JSON.stringify(OFFLINE_NETWORK_GUARD)}`;
  const existing = (env.NODE_OPTIONS ?? '').trim();
  return { ...env, NODE_OPTIONS: existing ? `${existing} ${preload}` : preload };
}

export interface HandlerRun<TEvent> {
  readonly fn: LambdaFunctionInfo;
  readonly event: TEvent;
  /** The environment of the handler process (the offline preload is appended to its NODE_OPTIONS). */
  readonly env: Record<string, string>;
  /** Effective timeout (the function's Timeout, possibly capped): every process still running then is killed. */
  readonly timeoutMs: number;
  /** How many processes get the same payload, concurrently (2 emulates Lambda's at-least-once async delivery). */
  readonly copies: number;
  /** A line a process printed (stdout or stderr); `copy` is 1-based. */
  readonly onOutput: (line: string, copy: number) => void;
  /** The custom resource response server (see `RunnerPayload.responseHost`). */
  readonly responseServer?: { readonly host: string; readonly port: number };
  /** Have each process report the handler's result or error (`HandlerRunResult.reports`). */
  readonly reportResult?: boolean;
}

/** The runner's result channel: the child's fd 3, a pipe. */
const RESULT_FD = 3;

export interface HandlerRunResult {
  /** The exit code of each process, in the order they exited (null when killed). */
  readonly exitCodes: Array<number | null>;
  /** The processes were killed at the timeout. */
  readonly killedAtTimeout: boolean;
  /** The last line that looks like an error (or the first line of error output), if any. */
  readonly lastError?: string;
  /** With `reportResult`: what each process that settled its handler reported, in the order they exited. */
  readonly reports: RunnerResult[];
}

/** The Lambda context of one invocation of `fn` (without the methods the runner adds). */
function lambdaContext(fn: LambdaFunctionInfo): RunnerContext {
  return {
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
  };
}

/** Runs the handler on one event in `copies` processes and resolves when every one exited or was killed. */
export async function runHandler<TEvent>(run: HandlerRun<TEvent>): Promise<HandlerRunResult> {
  const env = withOfflineNetworkGuard(run.env);
  const payload: RunnerPayload<TEvent> = {
    event: run.event,
    handler: run.fn.handler,
    codeDirectory: run.fn.codeDirectory,
    deadline: Date.now() + run.timeoutMs,
    ...(run.responseServer ? { responseHost: run.responseServer.host, responsePort: run.responseServer.port } : {}),
    ...(run.reportResult ? { resultFd: RESULT_FD } : {}),
    context: lambdaContext(run.fn),
  };
  const input = JSON.stringify(payload);

  let killedAtTimeout = false;
  const lastErrors: string[] = [];
  const exitCodes: Array<number | null> = [];
  const reports: RunnerResult[] = [];
  const children = Array.from({ length: Math.max(1, run.copies) }, (_, i) => {
    const child = spawn(process.execPath, [HANDLER_RUNNER], {
      cwd: run.fn.codeDirectory,
      env,
      stdio: run.reportResult ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    });
    const copy = i + 1;
    const channel = run.reportResult ? child.stdio[RESULT_FD] : null;
    if (channel) {
      const chunks: Buffer[] = [];
      channel.on('data', (c: Buffer) => chunks.push(c));
      channel.on('error', () => undefined);
      child.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text) reports.push(parseReport(text));
      });
    }
    pipeLines(child.stdout, line => run.onOutput(line, copy));
    pipeLines(child.stderr, line => {
      run.onOutput(line, copy);
      if (/^(ERROR|Runtime\.|Error)/.test(line) || lastErrors.length === 0) lastErrors.push(line);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    return child;
  });

  await new Promise<void>(resolve => {
    let exited = 0;
    const timer = setTimeout(() => {
      killedAtTimeout = true;
      for (const c of children) c.kill('SIGKILL');
    }, run.timeoutMs);
    for (const child of children) {
      child.on('error', err => {
        lastErrors.push(String(err));
      });
      child.on('close', code => {
        exitCodes.push(code);
        if (++exited === children.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  return { exitCodes, killedAtTimeout, reports, ...(lastErrors.length > 0 ? { lastError: lastErrors[lastErrors.length - 1] } : {}) };
}

function parseReport(text: string): RunnerResult {
  try {
    return JSON.parse(text) as RunnerResult;
  } catch {
    return { ok: false, errorType: 'Runtime.InvalidResult', errorMessage: `the handler runner reported ${JSON.stringify(text.slice(0, 200))}` };
  }
}

function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buffer.length > 0) onLine(buffer);
  });
}
