import { spawn } from 'child_process';

export interface TimedProcess {
  /** Wall time from spawn to exit. */
  readonly wallMs: number;
  readonly stdout: string;
}

/** Runs `node <args>` in a fresh process and times it from spawn to exit; rejects on a non-zero exit. */
export function timeNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedProcess> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ').slice(0, 200)} exited with ${code}: ${Buffer.concat(err).toString().slice(-2000)}`));
        return;
      }
      resolve({ wallMs, stdout: Buffer.concat(out).toString() });
    });
  });
}

/** The JSON after `marker` on the last line that starts with it. */
export function markedJson<T>(stdout: string, marker: string): T {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(marker));
  if (!line) throw new Error(`no "${marker.trim()}" line in the output: ${stdout.slice(-500)}`);
  return JSON.parse(line.slice(marker.length)) as T;
}
