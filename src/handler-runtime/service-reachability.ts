/**
 * Telling "AWS Proton is gone" (end of support, 2026-10-07) from a transient failure. Two
 * answers count as gone: the service's hostname does not resolve, and an answer that is not
 * Proton's (a 4xx whose error is none of the service model's, such as an HTML 403 page).
 * Both are retried only for a short bound, then reported as a `ServiceGoneError`.
 */
import { PROTON_ERROR_NAMES } from './proton-errors';

const MODELED_ERROR_NAMES: ReadonlySet<string> = new Set(PROTON_ERROR_NAMES);

/** How long gone-looking answers are retried before the service is taken to be gone. */
export const SERVICE_GONE_BOUND_MS = 45_000;

/** Delay between attempts while the service looks gone. */
const SERVICE_GONE_RETRY_MS = 5_000;

/**
 * Environment variable that shortens the bound (whole seconds, never longer than the
 * default), for offline tests that run the bundled handlers.
 */
export const SERVICE_GONE_BOUND_ENV = 'CDK_PROTON_SERVICE_GONE_BOUND_SECONDS';

/** The service could not be reached, or did not answer as AWS Proton, for the whole bound. */
export class ServiceGoneError extends Error {
  constructor(public readonly symptom: string, public readonly cause?: unknown) {
    super(`AWS Proton did not answer: ${symptom}`);
    this.name = 'ServiceGoneError';
  }
}

interface ErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly hostname?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly cause?: unknown;
}

/** What makes `error` look like the service is gone (a one-line symptom), or undefined. */
export function serviceGoneSymptom(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as ErrorLike;
    if (candidate instanceof ServiceGoneError) return candidate.symptom;
    if (candidate.code === 'ENOTFOUND') {
      return `its hostname${candidate.hostname ? ` ${candidate.hostname}` : ''} does not resolve (ENOTFOUND)`;
    }
    const status = candidate.$metadata?.httpStatusCode;
    if (status !== undefined && status >= 400 && status < 500 && !MODELED_ERROR_NAMES.has(candidate.name ?? '')) {
      return `it answered HTTP ${status} with an error outside AWS Proton's API (${candidate.name ?? 'unnamed'}: ${firstLine(candidate.message)})`;
    }
    current = candidate.cause;
  }
  return undefined;
}

/** The bound in force: the default, or a shorter one from `SERVICE_GONE_BOUND_ENV`. */
export function serviceGoneBoundMs(env: Record<string, string | undefined> = process.env): number {
  const seconds = Number(env[SERVICE_GONE_BOUND_ENV]);
  if (!Number.isFinite(seconds) || seconds < 0) return SERVICE_GONE_BOUND_MS;
  return Math.min(SERVICE_GONE_BOUND_MS, seconds * 1000);
}

/**
 * Runs `step`; while it fails only because the service looks gone, runs it again for up to
 * `boundMs` (and never past `deadline`), then throws a `ServiceGoneError`. Other failures
 * are thrown as they are.
 */
export async function withServiceGoneBound<T>(
  step: () => Promise<T>,
  options: { readonly boundMs: number; readonly deadline: number; readonly log: (line: string) => void },
): Promise<T> {
  let firstGoneAt: number | undefined;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      const symptom = serviceGoneSymptom(error);
      if (!symptom) throw error;
      const now = Date.now();
      firstGoneAt ??= now;
      const until = Math.min(firstGoneAt + options.boundMs, options.deadline);
      if (now >= until) throw new ServiceGoneError(symptom, error);
      const delay = Math.min(SERVICE_GONE_RETRY_MS, until - now);
      options.log(`AWS Proton did not answer (${symptom}); trying again in ${Math.ceil(delay / 1000)} s, for at most ${Math.ceil((until - now) / 1000)} s more`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0].slice(0, 120);
}
