import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, InputError } from "../../src/errors.ts";
import { HfHubClient, nextLink } from "../../src/ingest/hf-hub.ts";
import { readRange } from "../../src/ingest/remote-file.ts";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import { ALL, FW2, TOKEN, UNGRANTED, fineweb2 } from "./hub-fixtures.ts";

let hub: HubStandIn;
const quiet = { baseDelayMs: 1, maxDelayMs: 4, sleep: async () => {}, onRetry: () => {} };
const client = (token: string | null = null, extra = {}) =>
  new HfHubClient({ endpoint: hub.endpoint, token, retry: { ...quiet, ...extra } });

beforeAll(() => {
  hub = HubStandIn.start({ datasets: ALL, token: TOKEN, ungrantedToken: UNGRANTED, treePageSize: 3 });
});
afterAll(() => hub.stop());

describe("HfHubClient", () => {
  test("resolves a branch and a tag to the commit shas they name", async () => {
    const c = client();
    expect(await c.resolveRevision(FW2, "main")).toBe(hub.shaOf(FW2, "c2"));
    expect(await c.resolveRevision(FW2, "v2.0.0")).toBe(hub.shaOf(FW2, "c1"));
    const sha = hub.shaOf(FW2, "c1");
    expect(await c.resolveRevision(FW2, sha)).toBe(sha);
  });

  test("a revision that does not exist is a ConfigError that says what to pass", async () => {
    const err = await client()
      .resolveRevision(FW2, "v9.9.9")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe("hf_revision_not_found");
    expect(err.message).toContain('revision "v9.9.9" does not exist in dataset HuggingFaceFW/fineweb-2');
    expect(err.message).toContain("branch, tag or commit sha");
  });

  test("lists a tree across pages in path order", async () => {
    const c = client();
    const paths: string[] = [];
    for await (const e of c.listTree(FW2, hub.shaOf(FW2, "c2"), "data", true)) if (e.type === "file") paths.push(e.path);
    const expected = Object.keys(fineweb2.commits.c2.files)
      .filter((p) => p.startsWith("data/"))
      .sort();
    expect(paths).toEqual(expected);
    const pages = hub.requests.filter((r) => r.path.includes("/tree/") && r.path.includes("cursor="));
    expect(pages.length).toBeGreaterThan(1);
  });

  test("parses Link headers", () => {
    expect(nextLink('<https://hf.co/api/x?cursor=abc>; rel="next"')).toBe("https://hf.co/api/x?cursor=abc");
    expect(nextLink('<https://hf.co/api/x?p=1>; rel="prev", <https://hf.co/api/x?p=3>; rel="next"')).toBe("https://hf.co/api/x?p=3");
    expect(nextLink(null)).toBeNull();
  });

  test("retries 429 and 500 answers from the API", async () => {
    hub.fail({ status: 429, retryAfter: "0", times: 2, match: /revision/ });
    hub.fail({ status: 500, times: 1, match: /revision/ });
    const before = hub.requests.length;
    expect(await client().resolveRevision(FW2)).toBe(hub.shaOf(FW2, "c2"));
    expect(hub.requests.slice(before).map((r) => r.status)).toEqual([429, 429, 500, 200]);
  });

  test("persistent 5xx ends in an InputError once the retries are spent", async () => {
    hub.fail({ status: 503, times: 3, match: /revision/ });
    const err = await client(null, { maxAttempts: 3 })
      .resolveRevision(FW2)
      .catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("after 3 tries");
  });

  test("a gated dataset without a token says to set HF_TOKEN and accept the terms", async () => {
    const c = client();
    const sha = hub.shaOf("bigcode/the-stack-dedup", "s1");
    const url = c.resolveUrl("bigcode/the-stack-dedup", sha, "data/python/data-00000-of-00001.parquet");
    const err = await readRange(url, 0, 4, c.fileOptions({ datasetId: "bigcode/the-stack-dedup" })).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe("hf_gated");
    expect(err.message).toContain("set HF_TOKEN");
    expect(err.message).toContain(`${hub.endpoint}/datasets/bigcode/the-stack-dedup`);
    expect(err.message).toContain("accepted");
  });

  test("a token without access to a gated dataset says to accept the terms", async () => {
    const c = client(UNGRANTED);
    const url = c.resolveUrl("bigcode/the-stack-dedup", "main", "data/python/data-00000-of-00001.parquet");
    const err = await readRange(url, 0, 4, c.fileOptions({ datasetId: "bigcode/the-stack-dedup" })).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("has no access to it yet");
    expect(err.message).not.toContain(UNGRANTED);
  });

  test("a granted token reads a gated file; the token goes to the Hub, not to the CDN", async () => {
    const c = client(TOKEN);
    const url = c.resolveUrl("bigcode/the-stack-dedup", "main", "data/python/data-00000-of-00001.parquet");
    const before = hub.requests.length;
    const head = await readRange(url, 0, 4, c.fileOptions({ datasetId: "bigcode/the-stack-dedup" }));
    expect(new TextDecoder().decode(head)).toBe("PAR1");
    const reqs = hub.requests.slice(before);
    expect(reqs.find((r) => r.server === "api")?.authorization).toBe(true);
    expect(reqs.find((r) => r.server === "cdn")?.authorization).toBe(false);
  });

  test("an invalid token is named as the problem, without printing it", async () => {
    const bad = "hf_not_a_real_token_123";
    const c = client(bad);
    const url = c.resolveUrl("bigcode/the-stack-dedup", "main", "data/python/data-00000-of-00001.parquet");
    const err = await readRange(url, 0, 4, c.fileOptions({ datasetId: "bigcode/the-stack-dedup" })).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe("hf_bad_token");
    expect(err.message).not.toContain(bad);
    expect(JSON.stringify(c)).not.toContain(bad);
    expect(Bun.inspect(c)).not.toContain(bad);
  });

  test("a dataset that does not exist is reported as gated, private or missing when anonymous", async () => {
    const err = await client()
      .resolveRevision("nobody/nothing")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("gated, private or missing");
    const err2 = await client(TOKEN)
      .resolveRevision("nobody/nothing")
      .catch((e) => e);
    expect(err2.code).toBe("hf_repo_not_found");
  });

  test("HF_ENDPOINT and HF_TOKEN come from the environment", async () => {
    const c = new HfHubClient({ env: { HF_ENDPOINT: `${hub.endpoint}/`, HF_TOKEN: TOKEN }, retry: quiet });
    expect(c.endpoint).toBe(hub.endpoint);
    expect(c.hasToken).toBe(true);
    const before = hub.requests.length;
    await c.resolveRevision(FW2);
    expect(hub.requests[before].authorization).toBe(true);
    const d = new HfHubClient({ env: {} });
    expect(d.endpoint).toBe("https://huggingface.co");
    expect(d.hasToken).toBe(false);
  });

  test("rejects a malformed dataset id before any request", async () => {
    const before = hub.requests.length;
    const err = await client()
      .resolveRevision("../../etc")
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(hub.requests.length).toBe(before);
  });

  test("reads the Parquet export listing", async () => {
    const listing = await client().parquetExport("someone/plain-csv");
    expect(Object.keys(listing)).toEqual(["default"]);
    expect(listing.default.train.length).toBe(2);
    expect(listing.default.train[0]).toBe(`${hub.endpoint}/api/datasets/someone/plain-csv/parquet/default/train/0.parquet`);
  });
});
