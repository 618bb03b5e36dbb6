/**
 * A fetch that retries what is worth retrying: 429 and 5xx answers and
 * network errors, with exponential backoff that honours Retry-After. Every
 * loop is bounded by `maxAttempts`; waits are capped. Request headers (which
 * may carry a token) never appear in messages, and URLs are shown without
 * their query string (signed CDN URLs carry credentials there).
 */
import { InputError } from "../errors.ts";

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Total tries of one request, the first included. */
  maxAttempts: number;
  /** Wait before the 2nd try; doubles each try after. */
  baseDelayMs: number;
  /** Cap for the exponential wait. */
  maxDelayMs: number;
  /** Cap for a server-given Retry-After. */
  maxRetryAfterMs: number;
  /** Injected for tests; defaults to Bun.sleep. */
  sleep: (ms: number) => Promise<void>;
  /** Called before each wait; defaults to a line on stderr. */
  onRetry: (info: RetryInfo) => void;
  /** Injected for tests; defaults to the global fetch. */
  fetch: FetchFn;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  reason: string;
}

export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 120_000,
  sleep: (ms) => Bun.sleep(ms),
  onRetry: (i) =>
    process.stderr.write(
      `gamma: ${i.reason} from ${i.url}; retry ${i.attempt}/${i.maxAttempts - 1} in ${(i.delayMs / 1000).toFixed(1)}s\n`,
    ),
  fetch: (url, init) => fetch(url, init),
};

export function retryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY, ...p };
}

/** The URL without query or fragment, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, "");
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** The wait before try number `attempt + 1` (attempt counts from 1). */
export function backoffDelay(p: RetryPolicy, attempt: number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(p.maxRetryAfterMs, retryAfterMs);
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
}

function isAbort(e: unknown, init: RequestInit): boolean {
  return init.signal?.aborted === true || (e instanceof Error && e.name === "AbortError");
}

/**
 * Fetches with retries. Answers other than 429/5xx are returned as they are
 * (the caller classifies 401/403/404). Throws InputError when the tries run
 * out; the message names the URL and the last failure.
 */
export async function fetchWithRetry(url: string, init: RequestInit = {}, policy: Partial<RetryPolicy> = {}): Promise<Response> {
  const p = retryPolicy(policy);
  let last = "";
  for (let attempt = 1; attempt <= p.maxAttempts; attempt++) {
    let retryAfter: number | null = null;
    try {
      const res = await p.fetch(url, init);
      if (!RETRYABLE_STATUS.has(res.status)) return res;
      retryAfter = parseRetryAfter(res.headers.get("retry-after"));
      last = `HTTP ${res.status}`;
      await res.body?.cancel().catch(() => {});
    } catch (e) {
      if (isAbort(e, init)) throw e;
      last = `network error (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`;
    }
    if (attempt === p.maxAttempts) break;
    const delayMs = backoffDelay(p, attempt, retryAfter);
    p.onRetry({ url: redactUrl(url), attempt, maxAttempts: p.maxAttempts, delayMs, reason: last });
    await p.sleep(delayMs);
  }
  throw new InputError(
    `gave up on ${redactUrl(url)} after ${p.maxAttempts} tries (last: ${last}); check the network or the server status and rerun (finished files are kept)`,
    { code: "http_retries_exhausted" },
  );
}
