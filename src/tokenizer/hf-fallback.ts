/**
 * @huggingface/tokenizers for every tokenizer.json gamma's byte-level BPE does not cover
 * (SentencePiece-style BPE, Unigram, WordPiece, normalizers...). Special tokens are removed
 * from the encoding copy so that their strings inside a document are encoded as plain text;
 * non-special added tokens stay (they are ordinary vocabulary that splits text). Decoding uses
 * a second, complete copy, built on first use.
 */
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

// deno-lint-ignore no-explicit-any
type Json = any;

export class HfEncoder {
  private readonly enc: HfTokenizer;
  private dec: HfTokenizer | null = null;

  constructor(
    private readonly json: Json,
    private readonly config: Json,
  ) {
    const plain = { ...json, added_tokens: (json.added_tokens ?? []).filter((t: Json) => t.special !== true) };
    this.enc = new HfTokenizer(plain, config ?? {});
  }

  encode(text: string): Uint32Array {
    const ids = this.enc.encode(text, { add_special_tokens: false }).ids;
    return Uint32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return "";
    if (this.dec === null) this.dec = new HfTokenizer(this.json, this.config ?? {});
    return this.dec.decode(Array.from(ids), { clean_up_tokenization_spaces: false });
  }
}
