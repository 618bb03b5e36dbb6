/**
 * Small tokenizer.json files written by hand, for the paths the real tokenizers do not take.
 * Expected ids in the tests are worked out from these vocabularies by hand.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** GPT-2's byte -> character table, written out here independently of src/. */
export function gpt2ByteChars(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const chars: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) chars.push(String.fromCharCode(printable.includes(b) ? b : 256 + n++));
  return chars;
}

function writeDir(dir: string, json: unknown, config?: unknown): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
  if (config !== undefined) writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
  return join(dir, "tokenizer.json");
}

/**
 * A byte-level BPE: ids 0..255 are the bytes in byte order; merges h+e=256, l+l=257,
 * he+ll=258, hell+o=259, Ġ+w=260. Added special tokens <|pad|>=261 and (if withEos) <|endoftext|>=262.
 */
export function tinyByteLevel(dir: string, opts: { pattern?: string; withEos?: boolean; config?: unknown } = {}): string {
  const chars = gpt2ByteChars();
  const vocab: Record<string, number> = {};
  chars.forEach((c, b) => (vocab[c] = b));
  const merges: [string, string][] = [
    ["h", "e"],
    ["l", "l"],
    ["he", "ll"],
    ["hell", "o"],
    ["Ġ", "w"],
  ];
  merges.forEach(([a, b], i) => (vocab[a + b] = 256 + i));
  const added = [{ id: 261, content: "<|pad|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }];
  if (opts.withEos) added.push({ ...added[0], id: 262, content: "<|endoftext|>" });
  const pre = opts.pattern
    ? {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: opts.pattern }, behavior: "Isolated", invert: false },
          { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      }
    : { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return writeDir(
    dir,
    {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: pre,
      post_processor: null,
      decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges,
      },
    },
    opts.config,
  );
}

/** A BERT-style WordPiece: [UNK]=0 [CLS]=1 [SEP]=2 hello=3 world=4 ##s=5 [PAD]=6 ,=7 [=8 ]=9 se=10 ##p=11. */
export function tinyWordPiece(dir: string): string {
  const vocab = { "[UNK]": 0, "[CLS]": 1, "[SEP]": 2, hello: 3, world: 4, "##s": 5, "[PAD]": 6, ",": 7, "[": 8, "]": 9, se: 10, "##p": 11 };
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return writeDir(
    dir,
    {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [special(0, "[UNK]"), special(1, "[CLS]"), special(2, "[SEP]"), special(6, "[PAD]")],
      normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
        ],
        pair: [],
        special_tokens: { "[CLS]": { id: "[CLS]", ids: [1], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [2], tokens: ["[SEP]"] } },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
    },
    { eos_token: "[SEP]", bos_token: "[CLS]" },
  );
}

/** A SentencePiece-style Unigram: <unk>=0 </s>=1 ▁hello=2 ▁world=3 ▁=4 h=5 e=6 l=7 o=8 w=9 r=10 d=11. */
export function tinyUnigram(dir: string): string {
  const pieces: [string, number][] = [
    ["<unk>", 0],
    ["</s>", 0],
    ["▁hello", -1],
    ["▁world", -1.5],
    ["▁", -3],
    ["h", -4],
    ["e", -4],
    ["l", -4],
    ["o", -4],
    ["w", -4],
    ["r", -4],
    ["d", -4],
  ];
  return writeDir(
    dir,
    {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [
        { id: 0, content: "<unk>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
        { id: 1, content: "</s>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      ],
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      post_processor: null,
      decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      model: { type: "Unigram", unk_id: 0, vocab: pieces, byte_fallback: false },
    },
    { eos_token: "</s>" },
  );
}
