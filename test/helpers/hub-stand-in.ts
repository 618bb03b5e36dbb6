/**
 * A Hugging Face Hub stand-in for tests, on 127.0.0.1 (port 0), with the
 * real API's shapes (as huggingface_hub and the dataset-viewer docs use them):
 *   GET /api/datasets/{id}/revision/{rev}   { _id, id, sha, private, gated, cardData: { configs }, siblings }
 *   GET /api/datasets/{id}/tree/{rev}/{path}?recursive=true
 *        [{ type: "file", oid, size, path, lfs?: { oid, size, pointerSize } } | { type: "directory", oid, size: 0, path }]
 *        paged: Link: <...&cursor=...>; rel="next"
 *   GET /api/datasets/{id}/parquet          { config: { split: [url] } } from the refs/convert/parquet commit
 *   GET|HEAD /datasets/{id}/resolve/{rev}/{path}   LFS files: 302 to the CDN (a second origin, signed URL);
 *        small files served directly; Range supported; X-Repo-Commit, X-Linked-Size, ETag
 * Errors carry X-Error-Code / X-Error-Message like the Hub: RevisionNotFound
 * (404), RepoNotFound (401 anonymous, 404 with a token), GatedRepo (401
 * anonymous, 403 token without access), EntryNotFound (404), and 401
 * "Invalid credentials in Authorization header" for an unknown token.
 * Switches: fail(...) answers 429/5xx (with Retry-After), drop(...) cuts a
 * CDN body after N bytes. Every request is logged; a request budget bounds
 * runaway client loops (answered 400 once spent).
 */
import { CdnStandIn, fileAnswer, type CdnAnswer } from "./cdn-stand-in.ts";

export interface StandInCommit {
  files: Record<string, Uint8Array | string>;
  /** The dataset card's `configs:` YAML, as cardData.configs. */
  cardConfigs?: unknown[];
}

export interface StandInDataset {
  id: string;
  /** branch or tag -> commit key */
  refs: Record<string, string>;
  commits: Record<string, StandInCommit>;
  /** Files need a granted token; info and listings stay public (as on the Hub). */
  gated?: boolean;
}

export interface HubStandInOptions {
  datasets: StandInDataset[];
  /** A token with access to everything. */
  token?: string;
  /** A valid token whose account has not accepted gated terms. */
  ungrantedToken?: string;
  /** Entries per tree page (the Hub uses 1000). */
  treePageSize?: number;
  /** Requests served before the stand-in answers 400 to everything. */
  maxRequests?: number;
}

export interface LoggedRequest {
  server: "api" | "cdn";
  method: string;
  path: string;
  range: string | null;
  authorization: boolean;
  status?: number;
}

interface Fault {
  match: RegExp;
  times: number;
  status?: number;
  retryAfter?: string;
  dropAfter?: number;
}

const LFS = /\.(parquet|gz|zst|bin|arrow)$/;

export function sha1Hex(s: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha1").update(s).digest("hex");
}

export function sha256Hex(s: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(s).digest("hex");
}

function bytesOf(v: Uint8Array | string): Uint8Array {
  return typeof v === "string" ? new TextEncoder().encode(v) : v;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function hubError(status: number, code: string, message: string): Response {
  return json({ error: message }, status, { "x-error-code": code, "x-error-message": message });
}

export class HubStandIn {
  readonly requests: LoggedRequest[] = [];
  private faults: Fault[] = [];
  private api!: ReturnType<typeof Bun.serve>;
  private cdn!: CdnStandIn;
  private blobs = new Map<string, Uint8Array>();
  private readonly signature = sha1Hex(String(Math.random())).slice(0, 16);
  private readonly opts: HubStandInOptions;

  private constructor(opts: HubStandInOptions) {
    this.opts = opts;
  }

  static start(opts: HubStandInOptions): HubStandIn {
    const s = new HubStandIn(opts);
    s.cdn = new CdnStandIn((req) => s.serveCdn(req));
    s.api = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => s.serveApi(req) });
    for (const d of opts.datasets)
      for (const c of Object.values(d.commits))
        for (const v of Object.values(c.files)) {
          const b = bytesOf(v);
          s.blobs.set(sha256Hex(b), b);
        }
    return s;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  get cdnOrigin(): string {
    return this.cdn.origin;
  }

  /** The 40-hex sha the stand-in gives a commit key. */
  shaOf(datasetId: string, commitKey: string): string {
    return sha1Hex(`${datasetId}@${commitKey}`);
  }

  /** The next `times` requests whose path matches answer `status` (with Retry-After when given). */
  fail(f: { status: number; times?: number; retryAfter?: string; match?: RegExp }): void {
    this.faults.push({ match: f.match ?? /.*/, times: f.times ?? 1, status: f.status, retryAfter: f.retryAfter });
  }

  /** The next `times` CDN bodies whose path matches stop after `afterBytes` bytes and the connection drops. */
  drop(f: { afterBytes: number; times?: number; match?: RegExp }): void {
    this.faults.push({ match: f.match ?? /.*/, times: f.times ?? 1, dropAfter: f.afterBytes });
  }

  stop(): void {
    this.api.stop(true);
    this.cdn.stop();
  }

  private takeFault(path: string, kind: "status" | "drop"): Fault | null {
    for (const f of this.faults) {
      if (f.times > 0 && f.match.test(path) && (kind === "status" ? f.status !== undefined : f.dropAfter !== undefined)) {
        f.times--;
        return f;
      }
    }
    return null;
  }

  private overBudget(): boolean {
    return this.requests.length > (this.opts.maxRequests ?? 2000);
  }

  private dataset(id: string) {
    return this.opts.datasets.find((d) => d.id === id);
  }

  private commitFor(d: StandInDataset, rev: string): { sha: string; commit: StandInCommit } | null {
    for (const key of Object.keys(d.commits)) {
      const sha = this.shaOf(d.id, key);
      if (rev === sha || d.refs[rev] === key) return { sha, commit: d.commits[key] };
    }
    return null;
  }

  /** null when the caller may go on; else the error answer for this token. */
  private auth(req: Request, d: StandInDataset | undefined, needFiles: boolean): Response | null {
    const h = req.headers.get("authorization");
    const tok = h?.startsWith("Bearer ") ? h.slice(7) : null;
    if (tok !== null && tok !== this.opts.token && tok !== this.opts.ungrantedToken) {
      return hubError(401, "", "Invalid credentials in Authorization header");
    }
    if (!d) {
      return tok === null ? hubError(401, "RepoNotFound", "Repository not found") : hubError(404, "RepoNotFound", "Repository not found");
    }
    if (d.gated && needFiles) {
      if (tok === null)
        return hubError(
          401,
          "GatedRepo",
          `Access to dataset ${d.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        );
      if (tok !== this.opts.token)
        return hubError(
          403,
          "GatedRepo",
          `Access to dataset ${d.id} is restricted and you are not in the authorized list. Visit ${this.endpoint}/datasets/${d.id} to ask for access.`,
        );
    }
    return null;
  }

  private serveApi(req: Request): Response {
    const url = new URL(req.url);
    const entry: LoggedRequest = {
      server: "api",
      method: req.method,
      path: url.pathname + url.search,
      range: req.headers.get("range"),
      authorization: req.headers.has("authorization"),
    };
    this.requests.push(entry);
    const res = this.route(req, url);
    entry.status = res.status;
    return res;
  }

  private route(req: Request, url: URL): Response {
    if (this.overBudget()) return hubError(400, "", "stand-in request budget exhausted");
    const fault = this.takeFault(url.pathname, "status");
    if (fault) return json({ error: "injected" }, fault.status, fault.retryAfter ? { "retry-after": fault.retryAfter } : {});
    const seg = url.pathname.split("/").slice(1).map(decodeURIComponent);
    // /api/datasets/{ns}/{name}/{verb}/...
    if (seg[0] === "api" && seg[1] === "datasets") {
      const id = `${seg[2]}/${seg[3]}`;
      const d = this.dataset(id);
      const denied = this.auth(req, d, false);
      if (denied || !d) return denied!;
      if (seg[4] === "revision") return this.info(d, seg.slice(5).join("/"));
      if (seg[4] === "tree") return this.tree(d, seg[5], seg.slice(6).join("/"), url);
      if (seg[4] === "parquet" && seg.length === 5) return this.parquetExport(d);
    }
    // /datasets/{ns}/{name}/resolve/{rev}/{path...}
    if (seg[0] === "datasets" && seg[3] === "resolve") {
      const d = this.dataset(`${seg[1]}/${seg[2]}`);
      const denied = this.auth(req, d, true);
      if (denied || !d) return denied!;
      return this.resolve(req, d, seg[4], seg.slice(5).join("/"));
    }
    return hubError(404, "", `no route ${url.pathname}`);
  }

  private info(d: StandInDataset, rev: string): Response {
    const c = this.commitFor(d, rev);
    if (!c) return hubError(404, "RevisionNotFound", `Invalid rev id: ${rev}`);
    return json({
      _id: sha1Hex(d.id).slice(0, 24),
      id: d.id,
      author: d.id.split("/")[0],
      sha: c.sha,
      lastModified: "2024-01-01T00:00:00.000Z",
      private: false,
      gated: d.gated ? "auto" : false,
      disabled: false,
      tags: [],
      ...(c.commit.cardConfigs ? { cardData: { configs: c.commit.cardConfigs } } : { cardData: {} }),
      siblings: Object.keys(c.commit.files)
        .sort()
        .map((rfilename) => ({ rfilename })),
    });
  }

  private tree(d: StandInDataset, rev: string, path: string, url: URL): Response {
    const c = this.commitFor(d, rev);
    if (!c) return hubError(404, "RevisionNotFound", `Invalid rev id: ${rev}`);
    const recursive = url.searchParams.get("recursive") === "true" || url.searchParams.get("recursive") === "True";
    const prefix = path ? `${path.replace(/\/+$/, "")}/` : "";
    const entries = new Map<string, unknown>();
    for (const [p, v] of Object.entries(c.commit.files)) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length).split("/");
      const depth = recursive ? rest.length : 1;
      for (let i = 1; i < Math.min(depth, rest.length); i++) {
        const dir = prefix + rest.slice(0, i).join("/");
        entries.set(dir, { type: "directory", oid: sha1Hex(`tree:${dir}`), size: 0, path: dir });
      }
      if (rest.length === 1 || recursive) {
        const b = bytesOf(v);
        entries.set(p, {
          type: "file",
          oid: sha1Hex(b),
          size: b.length,
          path: p,
          ...(LFS.test(p) ? { lfs: { oid: sha256Hex(b), size: b.length, pointerSize: 134 } } : {}),
        });
      } else {
        const dir = prefix + rest[0];
        entries.set(dir, { type: "directory", oid: sha1Hex(`tree:${dir}`), size: 0, path: dir });
      }
    }
    if (path && entries.size === 0) return hubError(404, "EntryNotFound", `${path} does not exist at ${rev}`);
    const all = [...entries.keys()].sort().map((k) => entries.get(k));
    const size = this.opts.treePageSize ?? 1000;
    const start = Number(url.searchParams.get("cursor") ?? "0");
    const page = all.slice(start, start + size);
    const headers: Record<string, string> = {};
    if (start + size < all.length) {
      const next = new URL(url.toString());
      next.searchParams.set("cursor", String(start + size));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return json(page, 200, headers);
  }

  private parquetExport(d: StandInDataset): Response {
    const c = this.commitFor(d, "refs/convert/parquet");
    if (!c) return hubError(404, "", "no parquet export for this dataset");
    const out: Record<string, Record<string, string[]>> = {};
    for (const p of Object.keys(c.commit.files).sort()) {
      const m = p.match(/^([^/]+)\/(?:partial-)?([^/]+)\/(\d+)\.parquet$/);
      if (!m) continue;
      ((out[m[1]] ??= {})[m[2]] ??= []).push(`${this.endpoint}/api/datasets/${d.id}/parquet/${m[1]}/${m[2]}/${Number(m[3])}.parquet`);
    }
    return json(out);
  }

  private resolve(req: Request, d: StandInDataset, rev: string, path: string): Response {
    const c = this.commitFor(d, rev);
    if (!c) return hubError(404, "RevisionNotFound", `Invalid rev id: ${rev}`);
    const v = c.commit.files[path];
    if (v === undefined) return hubError(404, "EntryNotFound", `${path} does not exist at ${rev}`);
    const b = bytesOf(v);
    const common = { "x-repo-commit": c.sha, etag: `"${sha1Hex(b)}"` };
    if (LFS.test(path)) {
      return new Response(null, {
        status: 302,
        headers: {
          ...common,
          location: `${this.cdn.origin}/blobs/${sha256Hex(b)}/${encodeURIComponent(path.split("/").pop()!)}?sig=${this.signature}`,
          "x-linked-size": String(b.length),
          "x-linked-etag": `"${sha256Hex(b)}"`,
        },
      });
    }
    const a = fileAnswer(req.headers.get("range"), b, common);
    return new Response(req.method === "HEAD" ? null : a.body, {
      status: a.status,
      headers: { ...a.headers, "content-length": String(a.body?.length ?? 0) },
    });
  }

  private serveCdn(req: { method: string; path: string; range: string | null; authorization: boolean }): CdnAnswer {
    const entry: LoggedRequest = { server: "cdn", ...req };
    this.requests.push(entry);
    const a = this.cdnAnswer(req);
    entry.status = a.status;
    return a;
  }

  private cdnAnswer(req: { method: string; path: string; range: string | null }): CdnAnswer {
    const empty = new Uint8Array(0);
    if (this.overBudget()) return { status: 400, body: empty };
    const u = new URL(req.path, "http://cdn");
    if (u.searchParams.get("sig") !== this.signature) return { status: 403, body: new TextEncoder().encode("bad signature") };
    const fault = this.takeFault(u.pathname, "status");
    if (fault) return { status: fault.status!, headers: fault.retryAfter ? { "retry-after": fault.retryAfter } : {}, body: empty };
    const m = u.pathname.match(/^\/blobs\/([0-9a-f]{64})(?:\/[^/]+)?$/);
    const b = m ? this.blobs.get(m[1]) : undefined;
    if (!b) return { status: 404, body: empty };
    const a = fileAnswer(req.range, b);
    if (req.method === "GET" && a.status < 300) {
      const drop = this.takeFault(u.pathname, "drop");
      if (drop) a.dropAfter = drop.dropAfter;
    }
    return a;
  }
}
