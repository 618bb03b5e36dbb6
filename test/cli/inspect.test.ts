import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { gamma } from "../helpers/cli.ts";
import { readZstLines, tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
const out = join(dir, "smoke");
const env = { SOURCE_DATE_EPOCH: "1767225600" };
const tokPath = join(out, "inputs/o200k_base.tiktoken");

function samples(args: string[]) {
  const r = gamma(["inspect", ...args, "--json"], { env });
  expect(r.stderr).not.toContain("error");
  expect(r.code).toBe(0);
  return {
    raw: r.stdout,
    list: r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
  };
}

function lineOf(file: string, line: number): Record<string, unknown> {
  return JSON.parse((file.endsWith(".zst") ? readZstLines(file) : [])[line - 1]!);
}

describe("gamma inspect", () => {
  test("a packed row's segments decode to the span of the source document they name, traced back to the raw input line", async () => {
    expect(gamma(["smoke", "--out-dir", out, "--device", "cpu", "--cpu-threads", "1"], { env }).code).toBe(0);
    const tok = await loadTokenizer(tokPath);
    const { list } = samples([join(out, "packed/input_ids.mmap"), "--n", "5", "--seed", "3"]);
    expect(list.length).toBe(5);
    let whole = 0;
    for (const row of list) {
      expect(row.kind).toBe("row");
      expect(row.segments.length).toBeGreaterThan(0);
      for (const s of row.segments) {
        expect(s.from.map((f: { role: string }) => f.role)).toEqual(["pack input", "dedup input (normalized shard)", "normalize input"]);
        const doc = lineOf(s.from[0].file, s.from[0].line);
        expect(doc.doc_id).toBe(s.doc_id);
        const ids = [...tok.encode(doc.text as string), tok.eosId!];
        expect(s.ids).toEqual(ids.slice(s.doc_token_start, s.doc_token_end));
        const body = s.eos ? s.ids.slice(0, -1) : s.ids;
        expect(s.text).toBe(tok.decode(body));
        if (s.doc_token_start === 0 && s.eos) {
          whole++;
          expect(s.text).toBe(doc.text);
        }
        // The shard line and the raw input line hold the same document.
        expect(lineOf(s.from[1].file, s.from[1].line).doc_id).toBe(s.doc_id);
        const raw = lineOf(s.from[2].file, s.from[2].line);
        expect((raw.text as string).replaceAll("\u0000", "")).toBe(doc.text as string);
      }
    }
    expect(whole).toBeGreaterThan(0);
  });

  test("the draw depends on the seed alone", () => {
    const a = samples([join(out, "packed"), "--n", "3", "--seed", "7"]);
    const b = samples([join(out, "packed/input_ids.mmap"), "--n", "3", "--seed", "7"]);
    const c = samples([join(out, "packed/input_ids.mmap"), "--n", "3", "--seed", "8"]);
    expect(b.raw).toBe(a.raw);
    expect(c.list.map((r) => r.row)).not.toEqual(a.list.map((r) => r.row));
  });

  test("decodes documents from tokenize's .npy and Megatron files, and samples JSONL lines as stored", () => {
    const deduped = join(out, "dedup/deduped.jsonl.zst");
    const texts = new Set(readZstLines(deduped).map((l) => JSON.parse(l).text as string));
    for (const format of ["npy", "megatron"]) {
      const r = gamma(
        [
          "tokenize",
          "--input",
          deduped,
          "--tokenizer",
          tokPath,
          "--out-dir",
          join(out, `tok-${format}`),
          "--format",
          format,
          "--valid-fraction",
          "0.2",
          "--cpu-threads",
          "1",
        ],
        { env },
      );
      expect(r.code).toBe(0);
      const path = join(out, `tok-${format}`, "train", format === "npy" ? "tokens.npy" : "tokens.bin");
      const { list } = samples([path, "--n", "4", "--seed", "1"]);
      expect(list.length).toBe(4);
      for (const s of list) {
        expect(s.kind).toBe("sequence");
        expect(s.tokens).toBe(s.ids.length);
        // tokenize appends EOS; the decoded text without it is one of the documents.
        const tok = s.ids[s.ids.length - 1];
        expect(tok).toBe(199999);
        expect(texts.has(s.text.replace(/<\|endoftext\|>$/, ""))).toBe(true);
      }
    }
    const { list } = samples([deduped, "--n", "4", "--seed", "2"]);
    expect(list.length).toBe(4);
    for (const s of list) expect(lineOf(deduped, s.line).text).toBe(s.text);
    // verify links the tokenize runs to dedup: their documents in are dedup's documents kept.
    const v = gamma(["verify", out], { env });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('"ok":true');
    const carry = JSON.parse(readFileSync(join(out, "verify.json"), "utf8")).carry.map((c: { what: string; ok: boolean }) => [
      c.what.split(" ")[0],
      c.ok,
    ]);
    expect(carry).toEqual([
      ["dedup", true],
      ["pack", true],
      ["tokenize", true],
      ["tokenize", true],
    ]);
  });
});
