import { afterAll, describe, expect, test } from "bun:test";
import { InputError } from "../../src/errors.ts";
import { fetchWithRetry, parseRetryAfter, redactUrl, type RetryInfo } from "../../src/ingest/http.ts";
import { fetchFollowing, rangeChunks, readRange, remoteSize } from "../../src/ingest/remote-file.ts";
import { CdnStandIn, fileAnswer, type CdnAnswer, type CdnRequest } from "../helpers/cdn-stand-in.ts";

/** A CDN stand-in whose answers a test scripts: queued answers first, then the file. */
function scripted(bytes: Uint8Array) {
  const queue: ((r: CdnRequest) => CdnAnswer | null)[] = [];
  const cdn = new CdnStandIn((req) => {
    const f = queue.shift();
    return f?.(req) ?? fileAnswer(req.range, bytes);
  });
  return { cdn, queue };
}

function quiet(waits: number[] = [], infos: RetryInfo[] = []) {
  return {
    sleep: async (ms: number) => void waits.push(ms),
    onRetry: (i: RetryInfo) => void infos.push(i),
    baseDelayMs: 100,
    maxDelayMs: 1000,
  };
}

const body = new TextEncoder().encode("0123456789".repeat(5000));
const servers: CdnStandIn[] = [];
afterAll(() => servers.forEach((s) => s.stop()));

describe("fetchWithRetry", () => {
  test("retries a 429 and waits what Retry-After says", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    queue.push(() => ({ status: 429, headers: { "retry-after": "3" } }));
    const waits: number[] = [];
    const res = await fetchWithRetry(`${cdn.origin}/f`, {}, quiet(waits));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(waits).toEqual([3000]);
    expect(cdn.log.length).toBe(2);
  });

  test("backs off exponentially on 5xx, capped", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    for (const s of [500, 502, 503, 504, 500]) queue.push(() => ({ status: s }));
    const waits: number[] = [];
    const res = await fetchWithRetry(`${cdn.origin}/f`, {}, { ...quiet(waits), maxAttempts: 6 });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
  });

  test("gives up after maxAttempts with an InputError that names the URL without its query", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    for (let i = 0; i < 10; i++) queue.push(() => ({ status: 503 }));
    const err = await fetchWithRetry(`${cdn.origin}/f?sig=secret`, {}, { ...quiet(), maxAttempts: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(`${cdn.origin}/f after 3 tries (last: HTTP 503)`);
    expect(err.message).not.toContain("secret");
    expect(cdn.log.length).toBe(3);
  });

  test("returns a 404 without retrying", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    queue.push(() => ({ status: 404 }));
    const res = await fetchWithRetry(`${cdn.origin}/f`, {}, quiet());
    expect(res.status).toBe(404);
    expect(cdn.log.length).toBe(1);
  });

  test("retries a refused connection, then gives up", async () => {
    const { cdn } = scripted(body);
    const origin = cdn.origin;
    cdn.stop();
    const infos: RetryInfo[] = [];
    const err = await fetchWithRetry(`${origin}/f`, {}, { ...quiet([], infos), maxAttempts: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(infos.length).toBe(1);
    expect(infos[0].reason).toContain("network error");
  });

  test("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(30_000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  test("redacts query strings from URLs", () => {
    expect(redactUrl("https://cdn.example/x/y.parquet?X-Amz-Signature=abc#f")).toBe("https://cdn.example/x/y.parquet");
  });
});

describe("range reads", () => {
  test("a dropped connection resumes from the byte where it broke", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    queue.push((r) => ({ ...fileAnswer(r.range, body), dropAfter: 12_345 }));
    const resumes: number[] = [];
    const got = await readRange(`${cdn.origin}/f`, 1000, 40_000, { retry: quiet(), onResume: (i) => resumes.push(i.offset) });
    expect(new TextDecoder().decode(got)).toBe(new TextDecoder().decode(body.subarray(1000, 40_000)));
    expect(resumes).toEqual([13_345]);
    expect(cdn.log.map((r) => r.range)).toEqual(["bytes=1000-39999", "bytes=13345-39999"]);
  });

  test("reading to the end of a file learns its length from Content-Range", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    queue.push((r) => ({ ...fileAnswer(r.range, body), dropAfter: 7 }));
    const parts: Uint8Array[] = [];
    for await (const c of rangeChunks(`${cdn.origin}/f`, 49_990, undefined, { retry: quiet() })) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe("0123456789");
    expect(cdn.log.map((r) => r.range)).toEqual(["bytes=49990-", "bytes=49997-49999"]);
  });

  test("a connection that keeps dropping without progress ends in an InputError", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    for (let i = 0; i < 50; i++) queue.push((r) => ({ ...fileAnswer(r.range, body), dropAfter: 0 }));
    const err = await readRange(`${cdn.origin}/f`, 0, 100, { retry: { ...quiet(), maxAttempts: 3 } }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("kept breaking");
    expect(cdn.log.length).toBeLessThanOrEqual(4);
  });

  test("a server that ignores Range past byte 0 is a clear error", async () => {
    const { cdn, queue } = scripted(body);
    servers.push(cdn);
    queue.push(() => ({ status: 200, body }));
    const err = await readRange(`${cdn.origin}/f`, 10, 20, { retry: quiet() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("ignored the Range header");
  });

  test("remoteSize uses HEAD's Content-Length", async () => {
    const { cdn } = scripted(body);
    servers.push(cdn);
    expect(await remoteSize(`${cdn.origin}/f`, { retry: quiet() })).toBe(body.length);
    expect(cdn.log[0].method).toBe("HEAD");
  });

  test("a redirect to another origin drops the Authorization header", async () => {
    const { cdn } = scripted(body);
    servers.push(cdn);
    const front = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(null, { status: 302, headers: { location: `${cdn.origin}/blob?sig=1` } }),
    });
    try {
      const { res, url } = await fetchFollowing(
        `http://127.0.0.1:${front.port}/resolve/main/f`,
        { headers: { authorization: "Bearer hf_secret" } },
        { ...(await import("../../src/ingest/http.ts")).DEFAULT_RETRY, ...quiet() },
      );
      await res.arrayBuffer();
      expect(url).toBe(`${cdn.origin}/blob?sig=1`);
      expect(cdn.log[0].authorization).toBe(false);
    } finally {
      front.stop(true);
    }
  });
});
