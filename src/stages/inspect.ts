/**
 * `gamma inspect PATH`: a few random samples, decoded, from what gamma wrote: packed rows
 * (input_ids.mmap with meta.json and index.jsonl.zst beside it: each segment with where its
 * document came from), .npy token files, Megatron .bin/.idx datasets and JSONL shards. The
 * draw is seeded (--seed) and does not depend on anything else.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import { readFully } from "../io/fd-io.ts";
import { parseNpyHeader } from "../io/npy.ts";
import { readLines } from "../io/read-lines.ts";
import { info } from "../log.ts";
import { openMegatron } from "../megatron/index.ts";
import { locate, readManifest } from "../report/manifest-files.ts";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.ts";
import { Prng } from "../util/prng.ts";
import { traceDocs, type Place } from "./inspect-trace.ts";

export interface InspectOptions {
  path: string;
  n: number;
  seed: number;
  tokenizer: string | null;
}

export interface Segment {
  doc_id: string;
  doc_token_start: number;
  doc_token_end: number;
  row_offset: number;
  /** The segment ends with the document's EOS (not part of `text`). */
  eos: boolean;
  text: string | null;
  ids: number[];
  from: Place[];
}

export type Sample =
  | { kind: "row"; file: string; row: number; rows: number; segments: Segment[]; padding: number }
  | { kind: "sequence"; file: string; index: number; count: number; tokens: number; text: string | null; ids: number[] }
  | { kind: "document"; file: string; line: number; doc_id: string | null; source: string | null; text: string };

/** n distinct indices below count, drawn with the seed, ascending. */
export function drawIndices(count: number, n: number, seed: number): number[] {
  if (n >= count) return Array.from({ length: count }, (_, i) => i);
  const rng = new Prng(seed, 0x696e7370);
  const got = new Set<number>();
  while (got.size < n) got.add(Math.floor(rng.nextFloat() * count));
  return [...got].sort((a, b) => a - b);
}

export async function runInspect(o: InspectOptions): Promise<Sample[]> {
  if (!Number.isInteger(o.n) || o.n < 1) throw new ConfigError(`--n must be a positive integer, got ${o.n}`);
  const p = o.path;
  if (p.endsWith(".mmap") || (existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, "meta.json"))))
    return inspectPacked(p.endsWith(".mmap") ? p : join(p, "input_ids.mmap"), o);
  if (p.endsWith(".npy")) return inspectNpy(p, o);
  const prefix = p.replace(/\.(bin|idx)$/, "");
  if (existsSync(`${prefix}.idx`) && existsSync(`${prefix}.bin`)) return inspectMegatron(prefix, o);
  if (/\.jsonl(\.gz|\.zst)?$/.test(p)) return inspectJsonl(p, o);
  throw new ConfigError(
    `inspect: ${p} is not a packed .mmap (with meta.json beside it), a .npy file, a Megatron .bin/.idx pair or a .jsonl(.gz/.zst) file`,
  );
}

async function tokenizerFor(o: InspectOptions, recorded: string | null, where: string): Promise<Tokenizer | null> {
  const path = o.tokenizer ?? recorded;
  if (path === null) {
    info(`inspect: no tokenizer recorded in ${where}; showing ids (pass --tokenizer to decode)`);
    return null;
  }
  try {
    return await loadTokenizer(path, { requireEos: false });
  } catch (e) {
    if (o.tokenizer !== null) throw e;
    info(
      `inspect: the tokenizer ${where} records (${path}) cannot be loaded (${(e as Error).message}); showing ids (pass --tokenizer to decode)`,
    );
    return null;
  }
}

function decode(tok: Tokenizer | null, ids: number[]): string | null {
  return tok === null ? null : tok.decode(ids);
}

async function inspectPacked(file: string, o: InspectOptions): Promise<Sample[]> {
  const dir = dirname(file);
  const metaPath = join(dir, "meta.json");
  const meta = readManifest(metaPath);
  if (meta?.kind !== "gamma.pack/v1")
    throw new InputError(
      `inspect: ${file} needs the meta.json pack wrote beside it (not found or not a gamma.pack/v1 manifest: ${metaPath})`,
    );
  const L = meta.seq_len as number;
  const size = statSync(file).size;
  if (size % (4 * L) !== 0) throw new InputError(`${file}: ${size} bytes is not a whole number of ${L}-token int32 rows`);
  const rows = size / (4 * L);
  const picked = drawIndices(rows, o.n, o.seed);
  const want = new Set(picked);
  const segs = new Map<number, { doc_id: string; doc_token_start: number; doc_token_end: number; row_offset: number }[]>();
  const indexPath = join(dir, "index.jsonl.zst");
  if (!existsSync(indexPath)) throw new InputError(`inspect: ${indexPath} is missing; it says which documents each row holds`);
  for await (const lines of readLines(indexPath)) {
    for (const l of lines) {
      const m = /^\{"row":(\d+),/.exec(l.text);
      if (!m || !want.has(Number(m[1]))) continue;
      const s = JSON.parse(l.text);
      if (!segs.has(s.row)) segs.set(s.row, []);
      segs.get(s.row)!.push(s);
    }
  }
  const tok = await tokenizerFor(o, typeof meta.tokenizer_path === "string" ? locate(meta.tokenizer_path, dir) : null, metaPath);
  const eos = meta.eos_id as number;
  const inputs = ((meta.inputs as { path: string }[] | undefined) ?? []).map((i) => locate(i.path, dir));
  const ids = new Set<string>();
  for (const r of picked) for (const s of segs.get(r) ?? []) ids.add(s.doc_id);
  if (inputs.length === 0)
    info(`inspect: ${metaPath} lists no input files (an older gamma wrote it); segments are shown without where they came from`);
  const trace = inputs.length > 0 ? await traceDocs(inputs, ids, "pack input") : new Map<string, Place[]>();
  const fd = openSync(file, "r");
  try {
    return picked.map((row) => {
      const buf = new Uint8Array(4 * L);
      readFully(fd, buf, row * 4 * L);
      const tokens = new Int32Array(buf.buffer);
      const list = segs.get(row) ?? [];
      const used = list.reduce((a, s) => a + (s.doc_token_end - s.doc_token_start), 0);
      const segments: Segment[] = list.map((s) => {
        const all = Array.from(tokens.subarray(s.row_offset, s.row_offset + (s.doc_token_end - s.doc_token_start)));
        // Special tokens in text are encoded as plain text, so the EOS id inside a segment is the document's end.
        const withEos = all.length > 0 && all[all.length - 1] === eos;
        const body = withEos ? all.slice(0, -1) : all;
        return { ...s, eos: withEos, text: decode(tok, body), ids: all, from: trace.get(s.doc_id) ?? [] };
      });
      return { kind: "row" as const, file, row, rows, segments, padding: L - used };
    });
  } finally {
    closeSync(fd);
  }
}

/** The tokenizer a tokenize manifest (DIR/manifest.json, one level above the split folder) records. */
function tokenizeManifestTokenizer(splitDir: string): { tokenizer: string | null; where: string } {
  const mp = join(splitDir, "..", "manifest.json");
  const m = existsSync(mp) ? readManifest(mp) : null;
  const path = (m?.tokenizer as { path?: string } | undefined)?.path;
  return { tokenizer: typeof path === "string" ? locate(path, dirname(mp)) : null, where: mp };
}

async function inspectNpy(file: string, o: InspectOptions): Promise<Sample[]> {
  const fd = openSync(file, "r");
  try {
    const head = new Uint8Array(Math.min(4096, fstatSync(fd).size));
    readSync(fd, head, 0, head.length, 0);
    const h = parseNpyHeader(head, file);
    const read = (from: number, count: number): number[] => {
      const buf = new Uint8Array(count * h.itemSize);
      readFully(fd, buf, h.dataOffset + from * h.itemSize);
      const v = new DataView(buf.buffer);
      return Array.from({ length: count }, (_, i) => {
        const at = i * h.itemSize;
        switch (h.descr) {
          case "<u2":
            return v.getUint16(at, true);
          case "<i2":
            return v.getInt16(at, true);
          case "|u1":
            return v.getUint8(at);
          case "<u4":
            return v.getUint32(at, true);
          case "<i8":
            return Number(v.getBigInt64(at, true));
          default:
            return v.getInt32(at, true);
        }
      });
    };
    const { tokenizer, where } = tokenizeManifestTokenizer(dirname(file));
    const tok = await tokenizerFor(o, tokenizer, where);
    // tokenize writes tokens.npy with doc_offsets.npy beside it: documents are the samples.
    const offsetsPath = join(dirname(file), "doc_offsets.npy");
    if (h.shape.length === 1 && basename(file) !== "doc_offsets.npy" && existsSync(offsetsPath)) {
      const ob = await Bun.file(offsetsPath).bytes();
      const oh = parseNpyHeader(ob, offsetsPath);
      const ov = new DataView(ob.buffer, ob.byteOffset + oh.dataOffset);
      const offsets = Array.from({ length: oh.shape[0]! }, (_, i) => Number(ov.getBigInt64(i * 8, true)));
      const docs = offsets.length - 1;
      return drawIndices(docs, o.n, o.seed).map((i) => {
        const ids = read(offsets[i]!, offsets[i + 1]! - offsets[i]!);
        return { kind: "sequence" as const, file, index: i, count: docs, tokens: ids.length, text: decode(tok, ids), ids };
      });
    }
    // A 2-D array: rows; a 1-D one without offsets: windows of 128 tokens.
    const width = h.shape.length === 2 ? h.shape[1]! : 128;
    const total = h.shape.reduce((a, b) => a * b, 1);
    const count = Math.ceil(total / width);
    return drawIndices(count, o.n, o.seed).map((i) => {
      const ids = read(i * width, Math.min(width, total - i * width));
      return { kind: "sequence" as const, file, index: i, count, tokens: ids.length, text: decode(tok, ids), ids };
    });
  } finally {
    closeSync(fd);
  }
}

async function inspectMegatron(prefix: string, o: InspectOptions): Promise<Sample[]> {
  const ds = await openMegatron(prefix);
  try {
    const { tokenizer, where } = tokenizeManifestTokenizer(dirname(prefix));
    const tok = await tokenizerFor(o, tokenizer, where);
    return drawIndices(ds.sequenceCount, o.n, o.seed).map((i) => {
      const ids = Array.from(ds.get(i) as ArrayLike<number | bigint>, Number);
      return {
        kind: "sequence" as const,
        file: `${prefix}.bin`,
        index: i,
        count: ds.sequenceCount,
        tokens: ids.length,
        text: decode(tok, ids),
        ids,
      };
    });
  } finally {
    ds.close();
  }
}

/** Reservoir sampling (Algorithm R) over the lines that are JSON objects with a string text. */
async function inspectJsonl(file: string, o: InspectOptions): Promise<Sample[]> {
  const rng = new Prng(o.seed, 0x6a736f6e);
  const kept: Extract<Sample, { kind: "document" }>[] = [];
  let seen = 0;
  for await (const lines of readLines(file)) {
    for (const l of lines) {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(l.text);
      } catch {
        continue;
      }
      if (r === null || typeof r !== "object" || typeof r.text !== "string") continue;
      const s = {
        kind: "document" as const,
        file,
        line: l.lineNo,
        doc_id: typeof r.doc_id === "string" ? r.doc_id : null,
        source: typeof r.source === "string" ? r.source : null,
        text: r.text,
      };
      seen++;
      if (kept.length < o.n) kept.push(s);
      else {
        const j = Math.floor(rng.nextFloat() * seen);
        if (j < o.n) kept[j] = s;
      }
    }
  }
  return kept.sort((a, b) => a.line - b.line);
}

/** Text for a terminal: one block per sample, long texts cut at `width` characters. */
export function formatSamples(samples: Sample[], width: number): string {
  const cut = (t: string | null, ids: number[]) =>
    t === null
      ? `ids: ${ids.slice(0, 64).join(" ")}${ids.length > 64 ? " ..." : ""}`
      : JSON.stringify(t.length > width ? `${t.slice(0, width)}…` : t);
  const out: string[] = [];
  for (const s of samples) {
    if (s.kind === "row") {
      out.push(
        `--- row ${s.row} of ${s.rows} (${s.file}): ${s.segments.length} segment(s)${s.padding > 0 ? `, ${s.padding} padding tokens` : ""}`,
      );
      for (const g of s.segments) {
        out.push(
          `  [${g.row_offset}..${g.row_offset + g.doc_token_end - g.doc_token_start}) doc ${g.doc_id} tokens ${g.doc_token_start}..${g.doc_token_end}${g.eos ? " + EOS" : ""}`,
        );
        for (const f of g.from) out.push(`    ${f.role}: ${f.file}:${f.line}`);
        out.push(`    ${cut(g.text, g.ids)}`);
      }
    } else if (s.kind === "sequence") {
      out.push(`--- sequence ${s.index} of ${s.count} (${s.file}): ${s.tokens} tokens`, `  ${cut(s.text, s.ids)}`);
    } else {
      out.push(
        `--- ${s.file}:${s.line}${s.doc_id === null ? "" : ` doc ${s.doc_id}`}${s.source === null ? "" : ` (${s.source})`}`,
        `  ${cut(s.text, [])}`,
      );
    }
  }
  return out.join("\n") + "\n";
}
