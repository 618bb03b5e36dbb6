/**
 * A small client for the Hugging Face Hub HTTP API, datasets only:
 *   GET /api/datasets/{id}/revision/{rev}          dataset info at a revision -> { sha, cardData, ... }
 *   GET /api/datasets/{id}/tree/{rev}/{path}?recursive=true   file listing, paged by a Link rel="next" header
 *   GET /api/datasets/{id}/parquet                 the dataset viewer's Parquet export { config: { split: [url] } }
 *   GET /datasets/{id}/resolve/{rev}/{path}        file bytes (redirects to a CDN; Range supported)
 * HF_ENDPOINT picks the server (mirrors), HF_TOKEN authenticates. The token
 * lives in a private field, is sent only to the endpoint's origin, and never
 * appears in a message or a file. Error answers are mapped to messages that
 * say what to do (the Hub's X-Error-Code header names the case).
 */
import { ConfigError, InputError } from "../errors.ts";
import { fetchWithRetry, redactUrl, retryPolicy, type RetryPolicy } from "./http.ts";
import type { RemoteFileOptions } from "./remote-file.ts";

export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";

export interface HfClientOptions {
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default: $HF_TOKEN. null means "no token" even when the variable is set. */
  token?: string | null;
  retry?: Partial<RetryPolicy>;
  /** Where endpoint and token defaults come from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface HfDatasetInfo {
  id: string;
  sha: string;
  private?: boolean;
  gated?: boolean | string;
  cardData?: Record<string, unknown>;
  siblings?: { rfilename: string }[];
}

export interface HfTreeEntry {
  type: "file" | "directory";
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

export interface HfErrorContext {
  datasetId: string;
  revision?: string;
}

const DATASET_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
const MAX_TREE_PAGES = 100_000;

export function checkDatasetId(id: string): void {
  if (!DATASET_ID.test(id)) {
    throw new ConfigError(`"${id}" is not a Hub dataset id; expected owner/name, e.g. HuggingFaceFW/fineweb-edu`, { code: "hf_bad_id" });
  }
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** The URL of the next page from a Link header, or null. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (m) return m[1];
  }
  return null;
}

export class HfHubClient {
  readonly endpoint: string;
  readonly retry: Partial<RetryPolicy>;
  readonly #token: string | undefined;

  constructor(opts: HfClientOptions = {}) {
    const env = opts.env ?? process.env;
    this.endpoint = (opts.endpoint ?? (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT)).replace(/\/+$/, "");
    this.#token = opts.token === null ? undefined : (opts.token ?? (env.HF_TOKEN || undefined));
    this.retry = opts.retry ?? {};
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** Request headers for the endpoint (Authorization when a token is set). Keep them out of logs. */
  headers(): Record<string, string> {
    const h: Record<string, string> = { "user-agent": "gamma-ingest" };
    if (this.#token) h.authorization = `Bearer ${this.#token}`;
    return h;
  }

  datasetUrl(id: string): string {
    return `${this.endpoint}/datasets/${id}`;
  }

  /** The download URL of a file at a revision (branch, tag or sha). */
  resolveUrl(datasetId: string, revision: string, path: string): string {
    return `${this.endpoint}/datasets/${datasetId}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
  }

  /** Options for remote-file reads of this dataset's files: auth, retries, error messages. */
  fileOptions(ctx: HfErrorContext): RemoteFileOptions {
    return {
      headers: this.headers(),
      retry: this.retry,
      httpError: (res, url) => this.httpError(res, url, ctx),
    };
  }

  private async getJson(url: string, ctx: HfErrorContext): Promise<{ json: unknown; res: Response }> {
    const res = await fetchWithRetry(url, { headers: { ...this.headers(), accept: "application/json" } }, retryPolicy(this.retry));
    if (!res.ok) throw await this.httpError(res, url, ctx);
    try {
      return { json: await res.json(), res };
    } catch (e) {
      throw new InputError(`${redactUrl(url)} did not answer JSON; is HF_ENDPOINT (${this.endpoint}) a Hub?`, {
        cause: e,
        code: "hf_bad_json",
      });
    }
  }

  /** Dataset info at a revision (GET /api/datasets/{id}/revision/{rev}). */
  async datasetInfo(datasetId: string, revision = "main"): Promise<HfDatasetInfo> {
    checkDatasetId(datasetId);
    const url = `${this.endpoint}/api/datasets/${datasetId}/revision/${encodeURIComponent(revision)}`;
    const { json } = await this.getJson(url, { datasetId, revision });
    const info = json as HfDatasetInfo;
    if (typeof info?.sha !== "string" || !/^[0-9a-f]{40}$/.test(info.sha)) {
      throw new InputError(`${redactUrl(url)} answered without a commit sha; cannot pin the revision`, { code: "hf_no_sha" });
    }
    return info;
  }

  /** The commit sha a branch, tag or sha names. */
  async resolveRevision(datasetId: string, revision = "main"): Promise<string> {
    return (await this.datasetInfo(datasetId, revision)).sha;
  }

  /** Files and directories under `path` at `revision`, following every page. */
  async *listTree(datasetId: string, revision: string, path = "", recursive = true): AsyncGenerator<HfTreeEntry> {
    checkDatasetId(datasetId);
    const sub = path ? `/${encodeURIComponent(path)}` : "";
    let url: string | null =
      `${this.endpoint}/api/datasets/${datasetId}/tree/${encodeURIComponent(revision)}${sub}${recursive ? "?recursive=true" : ""}`;
    const seen = new Set<string>();
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_TREE_PAGES || seen.has(url)) {
        throw new InputError(`the file listing of ${datasetId} does not end (page ${page}); the server repeats its "next" link`, {
          code: "hf_tree_loop",
        });
      }
      seen.add(url);
      const { json, res } = await this.getJson(url, { datasetId, revision });
      if (!Array.isArray(json)) throw new InputError(`${redactUrl(url)}: expected a JSON list of files`, { code: "hf_bad_json" });
      yield* json as HfTreeEntry[];
      const next = nextLink(res.headers.get("link"));
      url = next === null ? null : new URL(next, url).toString();
    }
  }

  /** The dataset viewer's Parquet export: { config: { split: [url, ...] } }. */
  async parquetExport(datasetId: string): Promise<Record<string, Record<string, string[]>>> {
    checkDatasetId(datasetId);
    const { json } = await this.getJson(`${this.endpoint}/api/datasets/${datasetId}/parquet`, { datasetId });
    return (json ?? {}) as Record<string, Record<string, string[]>>;
  }

  /** Maps an error answer to an error that says what to do. Consumes the body. */
  async httpError(res: Response, url: string, ctx: HfErrorContext): Promise<Error> {
    const code = res.headers.get("x-error-code") ?? "";
    const xmsg = res.headers.get("x-error-message") ?? "";
    let detail = xmsg;
    try {
      const body = (await res.text()).slice(0, 2000);
      if (!detail) detail = (JSON.parse(body) as { error?: string }).error ?? "";
    } catch {
      // body is not JSON: keep the header message
    }
    const id = ctx.datasetId;
    const page = this.datasetUrl(id);
    const where = redactUrl(url);
    if (res.status === 401 && /invalid credentials/i.test(xmsg)) {
      return new ConfigError(
        `HF_TOKEN was rejected by ${this.endpoint} (invalid credentials): create a read token at ${this.endpoint}/settings/tokens and set HF_TOKEN to it`,
        { code: "hf_bad_token" },
      );
    }
    if (code === "GatedRepo" || res.status === 401 || (res.status === 403 && /gated|restricted/i.test(detail))) {
      const what = this.hasToken
        ? `the account of HF_TOKEN has no access to it yet: accept the dataset's terms (or request access) at ${page}, then rerun`
        : code === "GatedRepo"
          ? `set HF_TOKEN to a read token of an account that has accepted the dataset's terms at ${page}`
          : `check the id; if the dataset is gated, set HF_TOKEN to a read token of an account that has accepted its terms at ${page}`;
      const state = this.hasToken || code === "GatedRepo" ? "gated or private" : "gated, private or missing";
      return new ConfigError(`dataset ${id} is ${state} (HTTP ${res.status} for ${where}); ${what}`, { code: "hf_gated" });
    }
    if (res.status === 404 && code === "RevisionNotFound") {
      return new ConfigError(
        `revision "${ctx.revision}" does not exist in dataset ${id}: pass a branch, tag or commit sha that exists (see ${page}/tree/main), or omit --revision for main`,
        { code: "hf_revision_not_found" },
      );
    }
    if (res.status === 404 && code === "RepoNotFound") {
      return new ConfigError(
        `dataset ${id} not found at ${this.endpoint}: check the id (owner/name)${this.hasToken ? "" : "; if it is private, set HF_TOKEN"}`,
        { code: "hf_repo_not_found" },
      );
    }
    if (res.status === 403) {
      return new ConfigError(
        `access to ${where} is forbidden (${detail || "HTTP 403"}); check that HF_TOKEN has read permission for ${id}`,
        { code: "hf_forbidden" },
      );
    }
    if (res.status === 404) {
      return new InputError(`${where} not found in dataset ${id}${ctx.revision ? `@${ctx.revision}` : ""}${detail ? ` (${detail})` : ""}`, {
        code: "hf_not_found",
      });
    }
    return new InputError(`HTTP ${res.status} from ${where}${detail ? `: ${detail}` : ""}`, { code: "hf_http" });
  }
}
