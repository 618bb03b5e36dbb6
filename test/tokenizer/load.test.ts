import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { ConfigError } from "../../src/errors.ts";
import { loadTokenizer, registerShippedTokenizer, tokenizerChecksum } from "../../src/tokenizer/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { GPTOSS_JSON, LLAMA3_JSON, NM } from "./corpora.ts";
import { tinyByteLevel, tinyUnigram, tinyWordPiece } from "./fixtures.ts";

const O200K = join(NM, "gpt-tokenizer/data/o200k_base.tiktoken");
const O200K_SHA = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"; // the pinned o200k_base file
const tmp = tempDir("gamma-tok-load-");

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("pinning", () => {
  test("accepts the file whose sha256 is the pinned one (case-insensitive)", async () => {
    const tok = await loadTokenizer(O200K, { expectedSha256: O200K_SHA.toUpperCase() });
    expect(tok.sha256).toBe(O200K_SHA);
  });

  test("refuses a file with another digest, naming both digests", async () => {
    const wrong = "0".repeat(64);
    const e = await rejection(loadTokenizer(O200K, { expectedSha256: wrong }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(O200K_SHA);
    expect(e.message).toContain(wrong);
  });

  test("tokenizerChecksum reports the digest and size of the file", async () => {
    const c = await tokenizerChecksum(O200K);
    expect(c).toEqual({ path: O200K, sha256: O200K_SHA, bytes: readFileSync(O200K).length });
  });
});

describe("special tokens", () => {
  test("o200k_base ends documents with <|endoftext|> 199999 and can emit ids up to 200018", async () => {
    const tok = await loadTokenizer(O200K);
    expect([tok.eosId, tok.bosId, tok.maxId, tok.vocabSize]).toEqual([199999, null, 200018, 200019]);
  });

  test("takes EOS and BOS from the tokenizer_config.json beside tokenizer.json", async () => {
    for (const path of [LLAMA3_JSON, GPTOSS_JSON]) {
      const json = JSON.parse(readFileSync(path, "utf8"));
      const config = JSON.parse(readFileSync(join(path, "../tokenizer_config.json"), "utf8"));
      const idOf = (s: string) => json.added_tokens.find((t: { content: string }) => t.content === s).id;
      const tok = await loadTokenizer(path);
      expect(tok.eosId).toBe(idOf(config.eos_token));
      expect(tok.bosId).toBe(idOf(config.bos_token));
      expect(tok.maxId).toBe(Math.max(...json.added_tokens.map((t: { id: number }) => t.id)));
    }
  });

  test("refuses a tokenizer whose EOS cannot be determined, unless eosId is given or EOS is not required", async () => {
    const path = tinyByteLevel(join(tmp, "no-eos"));
    const e = await rejection(loadTokenizer(path));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("--eos-id");
    expect((await loadTokenizer(path, { eosId: 261 })).eosId).toBe(261);
    expect((await loadTokenizer(path, { requireEos: false })).eosId).toBeNull();
  });

  test("finds a single well-known end-of-text token among the added tokens", async () => {
    const tok = await loadTokenizer(tinyByteLevel(join(tmp, "eos-added"), { withEos: true }));
    expect(tok.eosId).toBe(262);
  });

  test("refuses an eosId the tokenizer does not have", async () => {
    const e = await rejection(loadTokenizer(O200K, { eosId: 250000 }));
    expect(e).toBeInstanceOf(ConfigError);
    const gap = await rejection(loadTokenizer(O200K, { eosId: 199998 })); // unused id between ranks and specials
    expect(gap).toBeInstanceOf(ConfigError);
  });

  test("refuses a tokenizer_config.json whose eos_token is not a token", async () => {
    const path = tinyByteLevel(join(tmp, "bad-config"), { config: { eos_token: "<|nope|>" } });
    const e = await rejection(loadTokenizer(path));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("tokenizer_config.json");
  });
});

describe("resolving names", () => {
  test("resolves a bare name only in the directories the user supplied", async () => {
    const dir = join(tmp, "dir");
    mkdirSync(dir, { recursive: true });
    symlinkSync(O200K, join(dir, "o200k_base.tiktoken"));
    const tok = await loadTokenizer("o200k_base", { searchDirs: [dir] });
    expect(tok.path).toBe(join(dir, "o200k_base.tiktoken"));
    // A name gamma does not ship (o200k_base is shipped once another test has loaded the CLI's modules).
    const e = await rejection(loadTokenizer("cl100k_base", { searchDirs: [join(tmp, "unused")] }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("never downloads");
  });

  test("o200k_harmony resolves to the o200k_base rank file with Harmony's specials", async () => {
    const dir = join(tmp, "dir-h");
    mkdirSync(dir, { recursive: true });
    symlinkSync(O200K, join(dir, "o200k_base.tiktoken"));
    const tok = await loadTokenizer("o200k_harmony", { searchDirs: [dir] });
    expect([tok.eosId, tok.bosId, tok.sha256]).toEqual([199999, 199998, O200K_SHA]);
    expect(tok.decode([200002])).toBe("<|return|>");
  });

  test("resolves a bare name to a file gamma ships", async () => {
    registerShippedTokenizer("o200k_base", O200K);
    const tok = await loadTokenizer("o200k_base", { searchDirs: [] });
    expect(tok.path).toBe(O200K);
  });

  test("refuses a .tiktoken file whose name and content disagree", async () => {
    const path = join(tmp, "cl100k_base.tiktoken");
    symlinkSync(O200K, path);
    const e = await rejection(loadTokenizer(path));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("o200k_base");
  });

  test("refuses a .tiktoken file it cannot identify", async () => {
    const path = join(tmp, "mine.tiktoken");
    writeFileSync(path, Array.from({ length: 256 }, (_, b) => `${Buffer.from([b]).toString("base64")} ${b}`).join("\n") + "\n");
    const e = await rejection(loadTokenizer(path));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("not a known tiktoken rank file");
  });

  test("names the file and line of a corrupt rank line", async () => {
    const path = join(tmp, "bad", "o200k_base.tiktoken");
    mkdirSync(join(tmp, "bad"), { recursive: true });
    writeFileSync(path, "IQ== 0\nthis is not a rank line\n");
    const e = await rejection(loadTokenizer(path));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(`${path}:2`);
  });
});

describe("which encoder runs", () => {
  test("a byte-level BPE tokenizer.json runs gamma's encoder with hand-checked ids", async () => {
    const tok = await loadTokenizer(tinyByteLevel(join(tmp, "bl")), { requireEos: false });
    expect(tok.encoder).toBe("gamma-bpe");
    // "hello" merges all the way to 259; " world" is Ġw(260) o r l d
    expect(Array.from(tok.encode("hello world"))).toEqual([259, 260, 111, 114, 108, 100]);
    expect(tok.decode(tok.encode("hello world <|pad|>"))).toBe("hello world <|pad|>");
  });

  test("a byte-level BPE with an unusual Split regex still runs gamma's encoder, exactly", async () => {
    const pattern = "\\p{L}+|\\p{N}|[^\\p{L}\\p{N}]+";
    const path = tinyByteLevel(join(tmp, "custom-re"), { pattern });
    const tok = await loadTokenizer(path, { requireEos: false });
    expect(tok.encoder).toBe("gamma-bpe");
    const json = JSON.parse(readFileSync(path, "utf8"));
    json.added_tokens = [];
    const ref = new HfTokenizer(json, {});
    const text = "hello, world 123 hellohello  \u0085x\ufeff日本 <|pad|>";
    expect(Array.from(tok.encode(text))).toEqual(ref.encode(text, { add_special_tokens: false }).ids);
  });

  test("a Split regex JavaScript cannot compile falls back to @huggingface/tokenizers", async () => {
    const tok = await loadTokenizer(tinyByteLevel(join(tmp, "possessive"), { pattern: "\\p{L}++|\\s+" }), { requireEos: false });
    expect(tok.encoder).toBe("hf-tokenizers");
  });

  test("WordPiece runs @huggingface/tokenizers, adds no [CLS]/[SEP], and encodes special strings as text", async () => {
    const tok = await loadTokenizer(tinyWordPiece(join(tmp, "wp")));
    expect(tok.encoder).toBe("hf-tokenizers");
    expect(tok.note).toContain("WordPiece");
    expect([tok.eosId, tok.bosId]).toEqual([2, 1]);
    expect(Array.from(tok.encode("Hello worlds, HELLO"))).toEqual([3, 4, 5, 7, 3]);
    // "[SEP]" as text: BERT splits off the brackets and lowercases: [ se ##p ]
    expect(Array.from(tok.encode("[SEP]"))).toEqual([8, 10, 11, 9]);
  });

  test("Unigram runs @huggingface/tokenizers", async () => {
    const tok = await loadTokenizer(tinyUnigram(join(tmp, "uni")));
    expect(tok.encoder).toBe("hf-tokenizers");
    expect(tok.eosId).toBe(1);
    expect(Array.from(tok.encode("hello world"))).toEqual([2, 3]);
    expect(Array.from(tok.encode("hello </s>"))).not.toContain(1);
  });
});
