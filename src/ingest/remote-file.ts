/**
 * Remote files read through HTTP range requests. A body that breaks off
 * (dropped connection, short answer) is resumed with a new request from the
 * first byte not yet received, never from the start of the range. Resumes
 * are bounded.
 */
import { InputError } from "../errors.ts";
import { backoffDelay, fetchWithRetry, redactUrl, retryPolicy, type RetryPolicy } from "./http.ts";

export interface RemoteFileOptions {
  /** Sent with every request (e.g. Authorization). Never shown in messages. */
  headers?: Record<string, string>;
  retry?: Partial<RetryPolicy>;
  /** Turns a non-retryable, non-2xx answer into an error (default: InputError naming status and URL). */
  httpError?: (res: Response, url: string) => Promise<Error> | Error;
  /** Bound on resumptions after broken bodies within one range (default 20). */
  maxResumes?: number;
  /** Called when a broken body is resumed. */
  onResume?: (info: { url: string; offset: number; reason: string }) => void;
}

/** The slice-reader shape hyparquet reads from. */
export interface AsyncBufferLike {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

async function defaultHttpError(res: Response, url: string): Promise<Error> {
  await res.body?.cancel().catch(() => {});
  return new InputError(`HTTP ${res.status} for ${redactUrl(url)}`, { code: "http_status" });
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * fetchWithRetry that follows redirects itself, so that the Authorization
 * header is dropped when a redirect leaves the origin (the Hub sends large
 * files to a CDN with signed URLs; the token must not travel there).
 */
export async function fetchFollowing(url: string, init: RequestInit, policy: RetryPolicy): Promise<{ res: Response; url: string }> {
  let current = url;
  let headers = new Headers(init.headers);
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= 10; hop++) {
    const res = await fetchWithRetry(current, { ...init, headers, redirect: "manual" }, policy);
    const loc = res.headers.get("location");
    if (!REDIRECT.has(res.status) || loc === null) return { res, url: current };
    await res.body?.cancel().catch(() => {});
    current = new URL(loc, current).toString();
    if (new URL(current).origin !== origin && headers.has("authorization")) {
      headers = new Headers(headers);
      headers.delete("authorization");
    }
  }
  throw new InputError(`too many redirects from ${redactUrl(url)}`, { code: "http_redirects" });
}

async function failWith(res: Response, url: string, opts: RemoteFileOptions): Promise<never> {
  throw await (opts.httpError ?? defaultHttpError)(res, url);
}

/** "bytes 10-19/100" -> { first: 10, last: 19, total: 100 }; total null for "*". */
export function parseContentRange(v: string | null): { first: number; last: number; total: number | null } | null {
  const m = v?.match(/^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i);
  if (!m) return null;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === "*" ? null : Number(m[3]) };
}

/**
 * Yields the bytes [start, end) of `url` (to the end of the file when `end` is
 * undefined) as they arrive, resuming after a broken body from the byte where
 * it broke.
 */
export async function* rangeChunks(
  url: string,
  start: number,
  end: number | undefined,
  opts: RemoteFileOptions = {},
): AsyncGenerator<Uint8Array> {
  const policy = retryPolicy(opts.retry);
  const maxResumes = opts.maxResumes ?? 20;
  let offset = start;
  let last = end;
  let resumes = 0;
  let stalls = 0;
  while (last === undefined || offset < last) {
    const headers = new Headers(opts.headers);
    headers.set("Range", `bytes=${offset}-${last === undefined ? "" : last - 1}`);
    const { res } = await fetchFollowing(url, { headers }, policy);
    if (res.status === 416 && last === undefined) {
      await res.body?.cancel().catch(() => {});
      return; // offset is the file size: nothing left
    }
    if (res.status !== 206 && res.status !== 200) await failWith(res, url, opts);
    if (res.status === 200) {
      if (offset !== 0) {
        await res.body?.cancel().catch(() => {});
        throw new InputError(
          `${redactUrl(url)} ignored the Range header (answered 200 to bytes=${offset}-); gamma needs range reads to stream: use a server or mirror that supports them`,
          { code: "http_no_range" },
        );
      }
      const len = res.headers.get("content-length");
      if (last === undefined && len !== null) last = Number(len);
    } else {
      const cr = parseContentRange(res.headers.get("content-range"));
      if (!cr || cr.first !== offset) {
        await res.body?.cancel().catch(() => {});
        throw new InputError(
          `${redactUrl(url)} answered Content-Range "${res.headers.get("content-range")}" to a request for bytes from ${offset}`,
          { code: "http_bad_range" },
        );
      }
      if (last === undefined) last = cr.total ?? cr.last + 1;
    }
    const before = offset;
    let reason = "body ended early";
    try {
      if (!res.body) throw new Error("no body");
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        let c = chunk;
        if (last !== undefined && offset + c.length > last) c = c.subarray(0, last - offset);
        offset += c.length;
        yield c;
        if (last !== undefined && offset >= last) break;
      }
    } catch (e) {
      reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    }
    if (last === undefined) return; // length unknown and the body ended cleanly
    if (offset >= last) return;
    resumes++;
    stalls = offset === before ? stalls + 1 : 0;
    if (resumes > maxResumes || stalls >= policy.maxAttempts) {
      throw new InputError(
        `the connection to ${redactUrl(url)} kept breaking (${resumes} resumes, stopped at byte ${offset} of ${last}); rerun later to resume`,
        { code: "http_resume_exhausted" },
      );
    }
    opts.onResume?.({ url: redactUrl(url), offset, reason });
    if (stalls > 0) await policy.sleep(backoffDelay(policy, stalls, null));
  }
}

/** The bytes [start, end) of `url` in one buffer. */
export async function readRange(url: string, start: number, end: number, opts: RemoteFileOptions = {}): Promise<Uint8Array> {
  const out = new Uint8Array(end - start);
  let got = 0;
  for await (const c of rangeChunks(url, start, end, opts)) {
    out.set(c, got);
    got += c.length;
  }
  if (got !== out.length) {
    throw new InputError(`${redactUrl(url)} returned ${got} bytes for a ${out.length}-byte range`, { code: "http_short_range" });
  }
  return out;
}

/** The size of a remote file: HEAD, or a one-byte range request when HEAD gives no length. */
export async function remoteSize(url: string, opts: RemoteFileOptions = {}): Promise<number> {
  const policy = retryPolicy(opts.retry);
  const { res: head } = await fetchFollowing(url, { method: "HEAD", headers: opts.headers }, policy);
  if (head.ok && head.headers.get("content-length") !== null) return Number(head.headers.get("content-length"));
  if (!head.ok && head.status !== 403 && head.status !== 405) await failWith(head, url, opts);
  const headers = new Headers(opts.headers);
  headers.set("Range", "bytes=0-0");
  const { res } = await fetchFollowing(url, { headers }, policy);
  await res.body?.cancel().catch(() => {});
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get("content-range"));
    if (cr?.total != null) return cr.total;
  }
  if (!res.ok) await failWith(res, url, opts);
  throw new InputError(`${redactUrl(url)} gives no file size (no Content-Length, no Content-Range)`, { code: "http_no_size" });
}

/** A remote file as hyparquet's AsyncBuffer: each slice is one resumable range read. */
export function remoteAsyncBuffer(url: string, byteLength: number, opts: RemoteFileOptions = {}): AsyncBufferLike {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? byteLength;
      if (stop <= start) return new ArrayBuffer(0);
      const bytes = await readRange(url, start, stop, opts);
      return bytes.buffer as ArrayBuffer;
    },
  };
}
