/**
 * A raw-TCP HTTP/1.1 file server for tests: GET and HEAD with Range, one
 * request per connection. Being raw, it can do what an HTTP framework will
 * not: declare a Content-Length, send part of the body, and close the
 * socket (a dropped connection). It plays the Hub's CDN (a second origin the
 * resolve endpoint redirects to).
 */
import type { Socket, TCPSocketListener } from "bun";

export interface CdnRequest {
  method: string;
  path: string;
  range: string | null;
  authorization: boolean;
}

export interface CdnAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send only this many body bytes, then drop the connection. */
  dropAfter?: number;
}

interface Conn {
  req: string;
  out: Uint8Array | null;
  pos: number;
  dropAt: number | null;
}

const REASON: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  416: "Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Parses "bytes=a-b", "bytes=a-" and "bytes=-n" against a size; null when unsatisfiable. */
export function parseRange(h: string, size: number): { start: number; end: number } | null {
  const m = h.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    return n === 0 ? null : { start: Math.max(0, size - n), end: size };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size : Math.min(size, Number(m[2]) + 1);
  return start < size && start < end ? { start, end } : null;
}

/** Serves a file with Range support (200, 206 or 416). HEAD gets the same headers without the body. */
export function fileAnswer(range: string | null, bytes: Uint8Array, extra: Record<string, string> = {}): CdnAnswer {
  const headers: Record<string, string> = { "accept-ranges": "bytes", "content-type": "application/octet-stream", ...extra };
  if (range === null) return { status: 200, headers, body: bytes };
  const r = parseRange(range, bytes.length);
  if (!r) return { status: 416, headers: { ...headers, "content-range": `bytes */${bytes.length}` }, body: new Uint8Array(0) };
  headers["content-range"] = `bytes ${r.start}-${r.end - 1}/${bytes.length}`;
  return { status: 206, headers, body: bytes.subarray(r.start, r.end) };
}

export class CdnStandIn {
  readonly log: CdnRequest[] = [];
  private server: TCPSocketListener<Conn>;

  constructor(handler: (req: CdnRequest) => CdnAnswer) {
    const flush = (s: Socket<Conn>) => {
      const c = s.data;
      if (!c.out) return;
      const limit = c.dropAt ?? c.out.length;
      while (c.pos < limit) {
        const n = s.write(c.out.subarray(c.pos, limit));
        if (n <= 0) return; // wait for drain
        c.pos += n;
      }
      c.out = null;
      if (c.dropAt !== null) setTimeout(() => s.terminate(), 20);
      else s.end();
    };
    this.server = Bun.listen<Conn>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          s.data = { req: "", out: null, pos: 0, dropAt: null };
        },
        data: (s, chunk) => {
          const c = s.data;
          if (c.out) return;
          c.req += Buffer.from(chunk).toString("latin1");
          const end = c.req.indexOf("\r\n\r\n");
          if (end < 0) return;
          const [first, ...lines] = c.req.slice(0, end).split("\r\n");
          const [method, path] = first.split(" ");
          const h: Record<string, string> = {};
          for (const l of lines) {
            const i = l.indexOf(":");
            if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
          }
          const req = { method, path, range: h.range ?? null, authorization: "authorization" in h };
          this.log.push(req);
          const a = handler(req);
          const body = a.body ?? new Uint8Array(0);
          const headers: Record<string, string> = { connection: "close", ...a.headers, "content-length": String(body.length) };
          const head = `HTTP/1.1 ${a.status} ${REASON[a.status] ?? "Status"}\r\n${Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join("")}\r\n`;
          const headBytes = new TextEncoder().encode(head);
          const sendBody = method === "HEAD" ? new Uint8Array(0) : body;
          const out = new Uint8Array(headBytes.length + sendBody.length);
          out.set(headBytes);
          out.set(sendBody, headBytes.length);
          c.out = out;
          c.dropAt = a.dropAfter !== undefined ? headBytes.length + Math.min(a.dropAfter, sendBody.length) : null;
          flush(s);
        },
        drain: (s) => flush(s),
      },
    });
  }

  get origin(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  stop(): void {
    this.server.stop(true);
  }
}
