/**
 * The documents a tokenizer is trained on, shared by every tokenizer trainer: either JSONL files
 * in sorted file order and line order (`--input`, any JSONL whose `--text-field` is a string;
 * normalized shards included), or a Stage A manifest's sources drawn by their weights with the
 * seed, exactly as `gamma pack` draws them. `--max-docs` and `--max-bytes` end the stream early.
 * Lines that are not JSON or have no text are rejected with a reason, never dropped silently.
 * The documents used are listed (doc_id, source, bytes) beside the tokenizer.
 */
import { basename } from "node:path";
import { ConfigError } from "../../errors.ts";
import { expandInputs } from "../../io/glob.ts";
import { readLines } from "../../io/read-lines.ts";
import type { FileDigest } from "../../io/hash.ts";
import type { ZstdTextWriter } from "../../io/zstd-writer.ts";
import { loadStageAManifest } from "../../manifest/stage-a.ts";
import { bump, emptyCounts, type StageCounts } from "../../pipeline.ts";
import { mixedDocs, type PackSource } from "../../stages/pack.ts";

export interface CorpusDoc {
  doc_id: string;
  source: string;
  text: string;
}

export interface CorpusOptions {
  /** JSONL files or globs (instead of `manifest`). */
  inputs: string[] | null;
  /** Field holding the text in `inputs` lines. */
  textField: string;
  /** Stage A manifest (instead of `inputs`). */
  manifest: string | null;
  maxDocs: number | null;
  /** Stop after the document that brings the UTF-8 total to this many bytes. */
  maxBytes: number | null;
  seed: number;
}

export interface CorpusPlan {
  sources: PackSource[];
  /** Every file a document may come from, in reading order per source. */
  files: string[];
}

/** Resolves the sources and their files; throws ConfigError naming the flag when there are none. */
export function planCorpus(o: CorpusOptions): CorpusPlan {
  if ((o.inputs === null) === (o.manifest === null))
    throw new ConfigError("train-tokenizer: give --input GLOB or --manifest stageA.yaml (one of them)");
  let sources: PackSource[];
  if (o.manifest !== null) {
    const m = loadStageAManifest(o.manifest);
    sources = m.sources
      .filter((s) => s.share > 0)
      .map((s) => ({
        name: s.name,
        share: s.share,
        files: expandInputs(s.paths, { what: `normalized shards of source ${s.name} (--manifest)` }),
      }));
  } else {
    sources = [{ name: "input", share: 1, files: expandInputs(o.inputs!, { what: "JSONL files (--input)" }) }];
  }
  return { sources, files: sources.flatMap((s) => s.files) };
}

/** Documents of one JSONL file: text from `field`, doc_id from doc_id or id, else file:line. */
async function* jsonlDocs(file: string, field: string, counts: StageCounts): AsyncGenerator<{ doc_id: string; text: string }> {
  const name = basename(file);
  for await (const lines of readLines(file)) {
    for (const l of lines) {
      if (l.text.trim().length === 0) continue;
      counts.in++;
      let v: unknown;
      try {
        v = JSON.parse(l.text);
      } catch {
        bump(counts.rejected, "invalid_json");
        continue;
      }
      const rec = v as Record<string, unknown>;
      const text = rec !== null && typeof rec === "object" ? rec[field] : undefined;
      if (typeof text !== "string") {
        bump(counts.rejected, "no_text_field");
        continue;
      }
      const id =
        typeof rec.doc_id === "string"
          ? rec.doc_id
          : typeof rec.id === "string" || typeof rec.id === "number"
            ? String(rec.id)
            : `${name}:${l.lineNo}`;
      yield { doc_id: id, text };
    }
  }
}

async function* unbudgeted(plan: CorpusPlan, o: CorpusOptions, counts: StageCounts): AsyncGenerator<CorpusDoc> {
  if (o.manifest === null) {
    const src = plan.sources[0]!;
    for (const f of src.files) for await (const d of jsonlDocs(f, o.textField, counts)) yield { ...d, source: src.name };
    return;
  }
  for await (const { item, source } of mixedDocs(plan.sources, o.seed)) {
    counts.in++;
    if ("bad" in item) bump(counts.rejected, item.bad.startsWith("invalid JSON") ? "invalid_json" : "not_a_document");
    else yield { doc_id: item.doc.doc_id, source, text: item.doc.text };
  }
}

/**
 * The training documents, in a deterministic order, within the budgets. `counts` fills in as it
 * goes: in = lines read, kept = documents yielded, rejected by reason.
 */
export async function* corpusDocs(plan: CorpusPlan, o: CorpusOptions, counts: StageCounts = emptyCounts()): AsyncGenerator<CorpusDoc> {
  let docs = 0;
  let bytes = 0;
  if (o.maxDocs === 0) return;
  for await (const d of unbudgeted(plan, o, counts)) {
    counts.kept++;
    yield d;
    docs++;
    bytes += Buffer.byteLength(d.text, "utf8");
    if ((o.maxDocs !== null && docs >= o.maxDocs) || (o.maxBytes !== null && bytes >= o.maxBytes)) return;
  }
}

/** One line of the document list: {"doc_id","source","bytes"}. */
export function docListLine(d: CorpusDoc, bytes: number): string {
  return `{"doc_id":${JSON.stringify(d.doc_id)},"source":${JSON.stringify(d.source)},"bytes":${bytes}}\n`;
}

/** Writes the document list through a zstd writer, batching lines. */
export class DocList {
  private pending = "";
  docs = 0;
  bytes = 0;

  constructor(private readonly out: ZstdTextWriter) {}

  async add(d: CorpusDoc, bytes: number): Promise<void> {
    this.pending += docListLine(d, bytes);
    this.docs++;
    this.bytes += bytes;
    if (this.pending.length >= 1 << 20) await this.flush();
  }

  /** The finished file's digest (after the outputs were committed). */
  digest(): FileDigest {
    return this.out.digest();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const p = this.pending;
    this.pending = "";
    await this.out.write(p);
  }
}
