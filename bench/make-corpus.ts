/**
 * Builds the benchmark corpus, offline and deterministically (same flags, same bytes):
 * ~150 MB of real text (Brown corpus, nlp-corpus, Debian package docs, Python sources) as
 * zstd JSONL shards `{"id", "text", "origin"}`, with planted exact, whitespace/case and near
 * duplicates and a few broken lines, described in `corpus.json` (see bench/README.md).
 *
 *   bun run bench/make-corpus.ts [--out bench/data] [--mb 150] [--seed 1] [--plain]
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../src/errors.ts";
import { Prng } from "../src/util/prng.ts";
import {
  INVALID_UTF8,
  MALFORMED_KINDS,
  MISSING_TEXT_KINDS,
  invalidUtf8Line,
  malformedLine,
  missingTextLine,
  withNul,
} from "./lib/corpus-broken.ts";
import { PiecePool } from "./lib/corpus-pool.ts";
import { type ExpectedLine, type Line, assemble, sha256, verifyShard, writeAtomic, zstd, ZSTD_LEVEL } from "./lib/corpus-shards.ts";
import { NearScreen, jaccard, shingleSet } from "./lib/corpus-similarity.ts";
import {
  DEBIAN_PART_BYTES,
  type Origin,
  ORIGINS,
  PYTHON_MAX_BYTES,
  type Source,
  brownSource,
  debianSource,
  joinSentences,
  nlpSource,
  pythonSource,
  shuffle,
} from "./lib/corpus-sources.ts";
import { foldForExact, makeNear, makeVariant } from "./lib/corpus-variants.ts";

/** Shares of the text bytes by origin: mostly prose, code a minority. */
const SHARES: Record<Origin, number> = { "debian-doc": 0.55, "nlp-corpus": 0.16, brown: 0.14, python: 0.15 };
const FILL_ORDER: Origin[] = ["python", "debian-doc", "brown", "nlp-corpus"];
/** Planted duplicates as fractions of all documents. */
const PLANT = { exact: 0.03, variant: 0.02, near: 0.05 };
const NEAR_EDIT: [number, number] = [0.01, 0.2];
const BROKEN = { malformed: 10, missingText: 5, invalidUtf8: 3, nul: 2 };
const SHARDS = 8;
/** A new distinct document is refused when its word 5-gram Jaccard with an accepted one reaches this. */
const SCREEN_JACCARD = 0.3;
const MIN_DOC_BYTES = 200;
const MIN_SHINGLES = 20;
const OVERLAP_PAIRS = 200;
const MB = 1_000_000;
const USAGE = "usage: bun run bench/make-corpus.ts [--out DIR] [--mb N] [--seed N] [--plain]";

interface Options {
  out: string;
  mb: number;
  seed: number;
  plain: boolean;
}

type DocKind = "natural" | "composed" | "exact" | "variant" | "near";
interface Doc {
  origin: Origin;
  kind: DocKind;
  text: string;
  /** For planted documents: the index of the original. */
  of?: number;
  /** Invalid UTF-8 bytes to put into the text when written. */
  bad?: readonly number[];
  plan?: Record<string, unknown>;
}

type Broken = { broken: "malformed_json" | "missing_text"; kind: string; fragment: string; origin: Origin };
type Entry = number | Broken;

function log(msg: string): void {
  process.stderr.write(`make-corpus: ${msg}\n`);
}

const REPO = resolve(import.meta.dir, "..");
/** A path as shown in logs and corpus.json: relative to the repo when inside it. */
const show = (p: string) => (p.startsWith(`${REPO}/`) ? relative(REPO, p) : p);
const rss = () => `rss ${(process.memoryUsage.rss() / 1e9).toFixed(2)} GB`;

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");
const mb = (n: number) => (n / MB).toFixed(1);

function parseOptions(argv: string[]): Options {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        out: { type: "string", default: join(import.meta.dir, "data") },
        mb: { type: "string", default: "150" },
        seed: { type: "string", default: "1" },
        plain: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new ConfigError(`make-corpus: ${(e as Error).message}; ${USAGE}`, { cause: e });
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const size = Number(values.mb);
  if (!Number.isFinite(size) || size < 1 || size > 2000)
    throw new ConfigError(`make-corpus: --mb must be a number from 1 to 2000 (MB of text, 10^6 bytes), got "${values.mb}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new ConfigError(`make-corpus: --seed must be an integer from 0 to 4294967295, got "${values.seed}"`);
  return { out: resolve(values.out), mb: size, seed, plain: values.plain };
}

/** JSON with two-space indentation, but arrays of flat objects one object per line. */
function pretty(v: unknown, indent = ""): string {
  const inner = `${indent}  `;
  const flat = (x: unknown) => typeof x !== "object" || x === null || Object.values(x).every((y) => typeof y !== "object" || y === null);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    if (v.every((x) => typeof x !== "object" || x === null)) return JSON.stringify(v);
    return `[\n${v.map((x) => inner + (flat(x) ? JSON.stringify(x) : pretty(x, inner))).join(",\n")}\n${indent}]`;
  }
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v);
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pretty((v as Record<string, unknown>)[k], inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(v);
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function main(): void {
  const opt = parseOptions(process.argv.slice(2));
  const t0 = performance.now();
  const target = opt.mb * MB;
  const plantShare = PLANT.exact + PLANT.variant + PLANT.near;
  log(`building ~${opt.mb} MB of text, seed ${opt.seed}, into ${opt.out}`);

  // 1. Distinct documents: natural units of each source, then documents composed from their pieces.
  const docs: Doc[] = [];
  const screen = new NearScreen(SCREEN_JACCARD);
  const exactKeys = new Set<number | bigint>();
  const gate = (text: string): "ok" | "too_small" | "duplicate" | "near_duplicate" => {
    if (utf8Length(text.trim()) < MIN_DOC_BYTES) return "too_small";
    const key = Bun.hash(foldForExact(text));
    if (exactKeys.has(key)) return "duplicate";
    const set = shingleSet(text);
    if (set.length < MIN_SHINGLES) return "too_small";
    const r = screen.offer(set);
    if (!r.accepted) return "near_duplicate";
    if (r.index !== docs.length) throw new Error("make-corpus: screen and document list out of step (bug)");
    exactKeys.add(key);
    return "ok";
  };
  const makers: Record<Origin, (seed: number) => Source> = {
    brown: brownSource,
    "nlp-corpus": nlpSource,
    "debian-doc": debianSource,
    python: pythonSource,
  };
  const sources: Record<string, unknown>[] = [];
  for (const [oi, origin] of FILL_ORDER.entries()) {
    const src = makers[origin](opt.seed);
    const goal = target * (1 - plantShare) * SHARES[origin];
    const kept: (() => string[])[] = [];
    const rng = new Prng(opt.seed, 210 + oi);
    const hasher = new Bun.CryptoHasher("sha256");
    const rep = { natural_docs: 0, natural_bytes: 0, composed_docs: 0, composed_bytes: 0, composed_refused: {} as Record<string, number> };
    let lastLog = performance.now();
    const progress = (force = false) => {
      if (!force && performance.now() - lastLog < 2000) return;
      lastLog = performance.now();
      log(
        `  ${origin}: ${mb(rep.natural_bytes + rep.composed_bytes)}/${mb(goal)} MB, ${rep.natural_docs} natural + ${rep.composed_docs} composed docs`,
      );
    };
    log(`${origin}: ${src.stats.files_listed} files listed under ${src.stats.roots.map(show).join(", ")}`);
    for (const u of src.units) {
      if (rep.natural_bytes >= goal) break;
      const verdict = gate(u.text);
      if (verdict !== "ok") {
        src.stats.skipped[verdict] = (src.stats.skipped[verdict] ?? 0) + 1;
        continue;
      }
      docs.push({ origin, kind: "natural", text: u.text });
      hasher.update(u.text);
      rep.natural_docs++;
      rep.natural_bytes += utf8Length(u.text);
      kept.push(u.pieces);
      progress();
    }
    const pool = new PiecePool(new Prng(opt.seed, 200 + oi));
    if (rep.natural_bytes < goal) for (const pieces of kept) for (const p of pieces()) pool.add(p);
    kept.length = 0;
    let misses = 0;
    while (rep.natural_bytes + rep.composed_bytes < goal && pool.pieces.length > 0) {
      const [lo, hi] = src.composeRange;
      const pieces = pool.draw(lo + (rng.nextU32() % (hi - lo + 1)));
      const text = origin === "nlp-corpus" ? joinSentences(pieces, rng) : pieces.join("\n\n");
      const verdict = gate(text);
      if (verdict !== "ok") {
        rep.composed_refused[verdict] = (rep.composed_refused[verdict] ?? 0) + 1;
        if (++misses > 500) {
          log(`  ${origin}: 500 composed documents in a row refused; stopping this origin short of its share`);
          break;
        }
        continue;
      }
      misses = 0;
      docs.push({ origin, kind: "composed", text });
      rep.composed_docs++;
      rep.composed_bytes += utf8Length(text);
      progress();
    }
    progress(true);
    Bun.gc(true);
    log(`  ${origin}: done, ${rss()}`);
    const used = rep.natural_bytes + rep.composed_bytes;
    sources.push({
      ...src.stats,
      roots: src.stats.roots.map(show),
      share_target: SHARES[origin],
      target_bytes: Math.round(goal),
      ...rep,
      natural_units_sha256: hasher.digest("hex"),
      pool_pieces: rep.composed_docs > 0 ? pool.pieces.length : null,
      pool_bytes: rep.composed_docs > 0 ? pool.bytes : null,
      pool_passes: rep.composed_docs > 0 ? pool.passes : null,
      reuse_factor: rep.natural_bytes > 0 ? round(used / rep.natural_bytes, 2) : null,
    });
  }
  const distinct = docs.length;
  if (distinct < 50) throw new ConfigError(`make-corpus: only ${distinct} distinct documents; use a larger --mb`);

  // 2. Broken texts and planted duplicates, on documents drawn without replacement.
  const plantRng = new Prng(opt.seed, 300);
  const picks = shuffle(
    Array.from({ length: distinct }, (_, i) => i),
    plantRng,
  );
  let next = 0;
  for (let i = 0; i < BROKEN.invalidUtf8; i++) {
    const d = docs[picks[next++]!]!;
    const bad = INVALID_UTF8[i % INVALID_UTF8.length]!;
    d.bad = bad.bytes;
    d.plan = { broken: "invalid_utf8", detail: bad.name };
  }
  for (let i = 0; i < BROKEN.nul; i++) {
    const d = docs[picks[next++]!]!;
    d.text = withNul(d.text);
    d.plan = { broken: "nul", detail: "one U+0000 (JSON \\u0000) inside the text" };
  }
  const totalDocs = distinct / (1 - plantShare);
  const nExact = Math.round(totalDocs * PLANT.exact);
  const nVariant = Math.round(totalDocs * PLANT.variant);
  const nNear = Math.round(totalDocs * PLANT.near);
  for (let i = 0; i < nExact; i++) {
    const o = picks[next++]!;
    docs.push({ origin: docs[o]!.origin, kind: "exact", text: docs[o]!.text, of: o });
  }
  for (let i = 0; i < nVariant; i++) {
    const o = picks[next++]!;
    const v = makeVariant(docs[o]!.text, plantRng);
    docs.push({ origin: docs[o]!.origin, kind: "variant", text: v.text, of: o, plan: { change: v.kind } });
  }
  for (let i = 0; i < nNear; i++) {
    const o = picks[next++]!;
    const fraction = NEAR_EDIT[0] + (NEAR_EDIT[1] - NEAR_EDIT[0]) * plantRng.nextFloat();
    const e = makeNear(docs[o]!.text, fraction, plantRng);
    if (foldForExact(e.text) === foldForExact(docs[o]!.text)) throw new Error("make-corpus: a near duplicate came out exact (bug)");
    const j = jaccard(shingleSet(e.text), screen.sets[o]!);
    docs.push({
      origin: docs[o]!.origin,
      kind: "near",
      text: e.text,
      of: o,
      plan: {
        edit_fraction: round(fraction),
        edits: e.edits,
        inserted: e.inserted,
        deleted: e.deleted,
        substituted: e.substituted,
        jaccard_word5: round(j),
      },
    });
  }
  log(`planted ${nExact} exact, ${nVariant} whitespace/case and ${nNear} near duplicates of ${distinct} distinct documents`);

  // 3. Order (originals before their copies), shards by text bytes, broken lines spliced in.
  const bytesOf = (i: number) => utf8Length(docs[i]!.text) + (docs[i]!.bad?.length ?? 0);
  const total = docs.length;
  const order = shuffle(
    Array.from({ length: total }, (_, i) => i),
    new Prng(opt.seed, 400),
  );
  const pos = new Int32Array(total);
  order.forEach((d, p) => (pos[d] = p));
  for (let d = distinct; d < total; d++) {
    const o = docs[d]!.of!;
    if (pos[d]! < pos[o]!) {
      const [pd, po] = [pos[d]!, pos[o]!];
      order[pd] = o;
      order[po] = d;
      pos[o] = pd;
      pos[d] = po;
    }
  }
  let textBytes = 0;
  for (let i = 0; i < total; i++) textBytes += bytesOf(i);
  const shards: Entry[][] = Array.from({ length: SHARDS }, () => []);
  let cum = 0;
  for (const d of order) {
    shards[Math.min(SHARDS - 1, Math.floor((cum * SHARDS) / textBytes))]!.push(d);
    cum += bytesOf(d);
  }
  const brokenRng = new Prng(opt.seed, 500);
  const fragment = (): { text: string; origin: Origin } => {
    const d = docs[brokenRng.nextU32() % distinct]!;
    const flat = d.text.replace(/\s+/g, " ").replaceAll("\u0000", "");
    let at = flat.indexOf(" ", brokenRng.nextU32() % Math.max(1, flat.length - 300));
    if (at < 0) at = 0;
    const piece = flat.slice(at, at + 80 + (brokenRng.nextU32() % 160)).trim();
    return { text: piece.length > 0 ? piece : "broken record", origin: d.origin };
  };
  const splice = (b: Broken) => {
    const s = shards[brokenRng.nextU32() % SHARDS]!;
    s.splice(brokenRng.nextU32() % (s.length + 1), 0, b);
  };
  for (let i = 0; i < BROKEN.malformed; i++) {
    const f = fragment();
    splice({ broken: "malformed_json", kind: MALFORMED_KINDS[i % MALFORMED_KINDS.length]!, fragment: f.text, origin: f.origin });
  }
  for (let i = 0; i < BROKEN.missingText; i++) {
    const f = fragment();
    splice({ broken: "missing_text", kind: MISSING_TEXT_KINDS[i % MISSING_TEXT_KINDS.length]!, fragment: f.text, origin: f.origin });
  }

  // 4. Ids in line order, then the shards.
  const ids: string[] = new Array(total);
  let lineNo = 0;
  const idOf = () => `doc-${String(++lineNo).padStart(7, "0")}`;
  const corpusDir = join(opt.out, "corpus");
  const plainDir = join(opt.out, "corpus-plain");
  mkdirSync(corpusDir, { recursive: true });
  for (const dir of [corpusDir, plainDir]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {}
    for (const n of names) if (/^part-\d{5}\.jsonl(\.zst)?(\.tmp)?$/.test(n)) rmSync(join(dir, n));
  }
  if (opt.plain) mkdirSync(plainDir, { recursive: true });
  const brokenList: Record<string, unknown>[] = [];
  const shardInfo: Record<string, unknown>[] = [];
  const perOrigin = Object.fromEntries(
    ORIGINS.map((o) => [o, { docs: 0, text_bytes: 0, natural: 0, composed: 0, exact: 0, variant: 0, near: 0 }]),
  );
  let verifiedBytes = 0;
  let invalidBytes = 0;
  let lines = 0;
  for (let s = 0; s < SHARDS; s++) {
    const name = `part-${String(s).padStart(5, "0")}.jsonl`;
    const out: Line[] = [];
    const expected: ExpectedLine[] = [];
    let shardBytes = 0;
    let shardDocs = 0;
    for (const e of shards[s]!) {
      const id = idOf();
      const line = out.length + 1;
      if (typeof e === "number") {
        const d = docs[e]!;
        ids[e] = id;
        const stats = perOrigin[d.origin]!;
        stats.docs++;
        stats[d.kind]++;
        stats.text_bytes += bytesOf(e);
        shardBytes += bytesOf(e);
        shardDocs++;
        if (d.bad !== undefined) {
          out.push(invalidUtf8Line(id, d.text, d.origin, d.bad));
          invalidBytes += bytesOf(e);
          expected.push({ cls: "invalid_utf8", id, origin: d.origin });
        } else {
          out.push(JSON.stringify({ id, text: d.text, origin: d.origin }));
          expected.push({ cls: d.text.includes("\u0000") ? "nul" : "doc", id, origin: d.origin });
        }
        if (d.plan?.broken !== undefined) brokenList.push({ shard: `${name}.zst`, line, kind: d.plan.broken, detail: d.plan.detail, id });
      } else if (e.broken === "malformed_json") {
        out.push(malformedLine(e.kind as (typeof MALFORMED_KINDS)[number], id, e.fragment, e.origin));
        expected.push({ cls: "malformed_json" });
        brokenList.push({ shard: `${name}.zst`, line, kind: "malformed_json", detail: e.kind });
      } else {
        out.push(missingTextLine(e.kind as (typeof MISSING_TEXT_KINDS)[number], id, e.fragment, e.origin));
        expected.push({ cls: "missing_text", id, origin: e.origin });
        brokenList.push({ shard: `${name}.zst`, line, kind: "missing_text", detail: e.kind, id });
      }
    }
    const plain = assemble(out);
    const packed = zstd(plain);
    const plainSha = sha256(plain);
    writeAtomic(join(corpusDir, `${name}.zst`), packed);
    if (opt.plain) writeAtomic(join(plainDir, name), plain);
    verifiedBytes += verifyShard(join(corpusDir, `${name}.zst`), plainSha, expected);
    lines += out.length;
    shardInfo.push({
      file: `corpus/${name}.zst`,
      lines: out.length,
      docs: shardDocs,
      text_bytes: shardBytes,
      zst_bytes: packed.length,
      zst_sha256: sha256(packed),
      jsonl_bytes: plain.length,
      jsonl_sha256: plainSha,
    });
    Bun.gc(true); // the shard's transient strings and buffers; keeps the peak well under 3 GB
    log(
      `wrote ${show(join(corpusDir, name))}.zst: ${out.length} lines, ${mb(shardBytes)} MB text, ${mb(packed.length)} MB zstd (read back and checked), ${rss()}`,
    );
  }
  if (verifiedBytes + invalidBytes !== textBytes)
    throw new Error(`make-corpus: read back ${verifiedBytes + invalidBytes} text bytes, planned ${textBytes} (bug)`);
  brokenList.sort((a, b) =>
    a.shard === b.shard ? (a.line as number) - (b.line as number) : (a.shard as string) < (b.shard as string) ? -1 : 1,
  );

  // 5. Overlap among distinct documents: random pairs, exact word 5-gram Jaccard.
  const pairRng = new Prng(opt.seed, 600);
  let maxJ = 0;
  let sumJ = 0;
  let maxPair: [string, string] = ["", ""];
  for (let k = 0; k < OVERLAP_PAIRS; k++) {
    const a = pairRng.nextU32() % distinct;
    let b = pairRng.nextU32() % (distinct - 1);
    if (b >= a) b++;
    const j = jaccard(screen.sets[a]!, screen.sets[b]!);
    sumJ += j;
    if (j > maxJ) [maxJ, maxPair] = [j, [ids[a]!, ids[b]!]];
  }
  const nearJ = docs
    .slice(distinct)
    .filter((d) => d.kind === "near")
    .map((d) => d.plan!.jaccard_word5 as number)
    .sort((x, y) => x - y);
  const bucket = (lo: number, hi: number) => nearJ.filter((j) => j >= lo && j < hi).length;
  const planted = (kind: DocKind) =>
    docs
      .map((d, i) => ({ d, i }))
      .filter(({ d }) => d.kind === kind)
      .map(({ d, i }) => ({ id: ids[i]!, of: ids[d.of!]!, origin: d.origin, ...d.plan }))
      .sort((x, y) => (x.id < y.id ? -1 : 1));
  const count = (cls: string) => brokenList.filter((b) => b.kind === cls).length;

  const description = {
    generator: "bench/make-corpus.ts",
    seed: opt.seed,
    target_mb: opt.mb,
    mb_unit_bytes: MB,
    format: {
      line: '{"id": string, "text": string, "origin": "brown|nlp-corpus|debian-doc|python"}',
      compression: `zstd level ${ZSTD_LEVEL}, one frame per file`,
      line_numbers: "1-based",
    },
    totals: {
      lines,
      docs: total,
      text_bytes: textBytes,
      distinct_docs: distinct,
      planted_docs: total - distinct,
      broken_lines: brokenList.length,
    },
    origins: Object.fromEntries(
      ORIGINS.map((o) => [o, { ...perOrigin[o], share_of_text_bytes: round(perOrigin[o]!.text_bytes / textBytes) }]),
    ),
    shards: shardInfo,
    duplicates: {
      note: "Planted copies always come after their original in line order. Distinct documents were screened so that no two have word 5-gram Jaccard >= 0.3 (MinHash/LSH candidates, exact Jaccard decides).",
      exact: { docs: nExact, rate: round(nExact / total) },
      whitespace_case_variant: {
        docs: nVariant,
        rate: round(nVariant / total),
        equal_under: "whitespace runs -> one space, trim, lower-case (gamma dedup exact)",
      },
      near: {
        docs: nNear,
        rate: round(nNear / total),
        edit_fraction_range: NEAR_EDIT,
        jaccard_word5_to_original: {
          min: nearJ[0] ?? null,
          median: nearJ[nearJ.length >> 1] ?? null,
          max: nearJ[nearJ.length - 1] ?? null,
          at_least_0_8: bucket(0.8, 2),
          from_0_5_to_0_8: bucket(0.5, 0.8),
          from_0_3_to_0_5: bucket(0.3, 0.5),
          below_0_3: bucket(0, 0.3),
        },
      },
      distinct: { docs: distinct, rate: round(distinct / total) },
      screen: {
        jaccard_threshold: SCREEN_JACCARD,
        shingle: "word:5 (lower-cased runs of letters/marks/digits)",
        minhash: "64 permutations, 32 bands x 2 rows",
      },
      distinct_overlap_check: {
        random_pairs: OVERLAP_PAIRS,
        max_jaccard_word5: round(maxJ),
        mean_jaccard_word5: round(sumJ / OVERLAP_PAIRS, 6),
        max_pair: maxPair,
      },
    },
    broken: {
      counts: {
        malformed_json: count("malformed_json"),
        missing_text: count("missing_text"),
        invalid_utf8: count("invalid_utf8"),
        nul: count("nul"),
      },
      note: "invalid_utf8 and nul lines are documents (counted in docs and text_bytes, never used as originals of planted copies); malformed_json and missing_text lines are not.",
      lines: brokenList,
    },
    planted: { exact: planted("exact"), whitespace_case_variant: planted("variant"), near: planted("near") },
    sources: sources.map((s) => ({
      ...s,
      limits:
        s.origin === "debian-doc" ? { part_bytes: DEBIAN_PART_BYTES } : s.origin === "python" ? { max_file_bytes: PYTHON_MAX_BYTES } : {},
    })),
  };
  writeAtomic(join(opt.out, "corpus.json"), `${pretty(description)}\n`);

  // 6. Summary.
  const secs = (performance.now() - t0) / 1000;
  const zst = shardInfo.reduce((n, s) => n + (s.zst_bytes as number), 0);
  const rows = ORIGINS.map((o) => {
    const p = perOrigin[o]!;
    return `  ${o.padEnd(11)} ${String(p.docs).padStart(7)} ${mb(p.text_bytes).padStart(7)} ${((100 * p.text_bytes) / textBytes).toFixed(1).padStart(5)}%   natural ${p.natural}, composed ${p.composed}, planted ${p.exact + p.variant + p.near}`;
  });
  const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
  process.stdout.write(
    [
      `corpus: ${show(corpusDir)}/ (${SHARDS} shards, ${mb(zst)} MB zstd)${opt.plain ? ` + ${show(plainDir)}/` : ""}`,
      `  ${lines} lines, ${total} documents, ${mb(textBytes)} MB of text`,
      `  origin         docs      MB  share`,
      ...rows,
      `  distinct ${distinct} (${pct(distinct)}); planted exact ${nExact} (${pct(nExact)}), whitespace/case ${nVariant} (${pct(nVariant)}), near ${nNear} (${pct(nNear)})`,
      `  near duplicates, word 5-gram Jaccard to original: min ${nearJ[0]}, median ${nearJ[nearJ.length >> 1]}, max ${nearJ[nearJ.length - 1]} (>= 0.8: ${bucket(0.8, 2)})`,
      `  broken lines: ${count("malformed_json")} malformed JSON, ${count("missing_text")} without text, ${count("invalid_utf8")} invalid UTF-8, ${count("nul")} with NUL`,
      `  distinct overlap: ${OVERLAP_PAIRS} random pairs, max word 5-gram Jaccard ${round(maxJ)}, mean ${round(sumJ / OVERLAP_PAIRS, 6)}`,
      `  description: ${show(join(opt.out, "corpus.json"))}`,
      `  took ${secs.toFixed(1)} s`,
      "",
    ].join("\n"),
  );
}

try {
  main();
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof ConfigError ? 2 : 1;
}
