/**
 * `gamma smoke`: normalize -> dedup (both) -> pack -> report on the real-text
 * sample and tokenizer embedded in the binary (assets/smoke/SOURCES.md), and
 * normalize --filters code on the embedded code sample (into code/).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import sampleFile from "../../assets/smoke/sample.jsonl.zst" with { type: "file" };
import codeFile from "../../assets/smoke/code.jsonl.zst" with { type: "file" };
import { STACK_FIELDS } from "../code/code-shard.ts";
import { loadFilterConfig } from "../filters/config.ts";
import { DEFAULT_FILTERS } from "../filters/rules.ts";
import { O200K_BASE_PATH } from "../tokenizer/shipped.ts";
import { info } from "../log.ts";
import type { Globals } from "../commands/globals.ts";
import type { NearSettings } from "./dedup-near.ts";
import { runDedup } from "./dedup.ts";
import { runNormalize } from "./normalize.ts";
import { runPack } from "./pack.ts";
import { reportFiles, runHtmlReport, runReport, type Report } from "./report.ts";

export interface SmokeResult {
  outDir: string;
  report: Report;
  paths: Record<string, string>;
}

export async function runSmoke(outDir: string, g: Globals, near: NearSettings): Promise<SmokeResult> {
  const out = resolve(outDir);
  const p = {
    inputs: join(out, "inputs"),
    normalized: join(out, "normalized"),
    dedup: join(out, "dedup"),
    packed: join(out, "packed"),
    report: join(out, "report.json"),
    html: join(out, "report.html"),
    code: join(out, "code"),
  };
  for (const d of [p.inputs, p.normalized, p.dedup, p.packed, p.code]) rmSync(d, { recursive: true, force: true });
  rmSync(p.report, { force: true });
  rmSync(p.html, { force: true });
  mkdirSync(p.inputs, { recursive: true });
  const sample = join(p.inputs, "sample.jsonl.zst");
  const tok = join(p.inputs, "o200k_base.tiktoken");
  // Embedded files live in the binary's own file system: read them, then write them out.
  writeFileSync(sample, readFileSync(sampleFile));
  writeFileSync(tok, readFileSync(O200K_BASE_PATH));
  const code = join(p.inputs, "code.jsonl.zst");
  writeFileSync(code, readFileSync(codeFile));

  info("smoke: 1/5 normalize");
  await runNormalize({
    inputs: [sample],
    outDir: p.normalized,
    source: "brown",
    domain: "prose",
    textField: "text",
    idField: "id",
    licenseTag: "brown-corpus-redistributable",
    filters: { ...DEFAULT_FILTERS },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 0.05,
    overwrite: true,
  });
  info("smoke: 2/5 normalize --filters code");
  await runNormalize({
    inputs: [code],
    outDir: p.code,
    source: "code-sample",
    domain: "code",
    textField: "content",
    idField: null,
    licenseTag: null,
    filters: loadFilterConfig("code"),
    code: { ...STACK_FIELDS, seed: g.seed },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 0.01,
    overwrite: true,
    cpuThreads: 1,
  });
  info("smoke: 3/5 dedup (exact, then near)");
  await runDedup({ inputs: [join(p.normalized, "**", "*.jsonl.zst")], outDir: p.dedup, mode: "both", scope: "global", near });
  info("smoke: 4/5 pack");
  await runPack({
    sources: [{ name: "brown", share: 1, files: [join(p.dedup, "deduped.jsonl.zst")] }],
    tokenizerPath: tok,
    tokenizerSha256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    seqLen: 1024,
    numSeqs: null,
    outDir: p.packed,
    seed: g.seed,
    cpuThreads: g.cpuThreads,
    manifestPath: null,
  });
  info("smoke: 5/5 report");
  const manifests = [
    join(p.normalized, "**", "*.manifest.json"),
    join(p.code, "**", "*.manifest.json"),
    join(p.dedup, "dedup.manifest.json"),
    join(p.packed, "meta.json"),
  ];
  const report = runReport(manifests, p.report);
  await runHtmlReport(reportFiles(manifests), report, p.html);
  return {
    outDir: out,
    report,
    paths: {
      ...p,
      normalized_shards: join(p.normalized, "brown", "prose"),
      code_shards: join(p.code, "code-sample", "code"),
      deduped: join(p.dedup, "deduped.jsonl.zst"),
      decisions: join(p.dedup, "decisions.jsonl.zst"),
      input_ids: join(p.packed, "input_ids.mmap"),
      meta: join(p.packed, "meta.json"),
    },
  };
}
