export interface Tokenizer {
  path: string;
  sha256: string;
  kind: "tokenizer.json" | "tiktoken" | "sentencepiece";
  /** Which implementation encodes: gamma's byte-level BPE, gamma's SentencePiece Unigram, or @huggingface/tokenizers. */
  encoder: "gamma-bpe" | "gamma-unigram" | "hf-tokenizers";
  eosId: number | null;
  bosId: number | null;
  vocabSize: number;
  /** Largest id the tokenizer can emit, added/special tokens included. */
  maxId: number;
  /** One line for manifests: encoding, where EOS came from, why the fallback ran. */
  note: string;
  /** A SentencePiece model's training and normalization settings (null for other kinds). */
  spm: SpmSettings | null;
  /** The id of a token given by its text (added/special tokens, or a whole vocabulary entry), or null. */
  tokenId(content: string): number | null;
  encode(text: string): Uint32Array;
  decode(ids: ArrayLike<number>): string;
}

export interface EncodePool {
  /** Ids of each text, in input order; identical for any thread count. */
  encodeBatch(texts: string[]): Promise<Uint32Array[]>;
  close(): Promise<void>;
}

/** What a SentencePiece model records of how it was trained and how it normalizes text. */
export interface SpmSettings {
  byteFallback: boolean;
  characterCoverage: number;
  normalization: string;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
}
