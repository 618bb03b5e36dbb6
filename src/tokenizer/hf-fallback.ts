/**
 * @huggingface/tokenizers for every tokenizer.json gamma's byte-level BPE does not cover
 * (SentencePiece-style BPE, Unigram, WordPiece, normalizers...).
 *
 * Special-token strings in a document must encode as plain text, so the encoding copy of the
 * tokenizer drops the special added tokens (no splitting on them) and renames special pieces
 * that also sit in the model vocabulary (SentencePiece's </s>, <s>) to a key no text can match,
 * keeping their ids; the unknown token is left alone. Text is made well-formed first, so a lone
 * surrogate becomes U+FFFD as on the fast path. Decoding uses a second, untouched copy, built on
 * first use.
 */
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

type Json = any; // parsed tokenizer.json / tokenizer_config.json

/** Reversed surrogates: never present in well-formed text. */
const HIDDEN = "\udfff\ud800gamma-special-";

function withoutSpecials(json: Json): Json {
  const added: Json[] = json.added_tokens ?? [];
  const special = new Set(added.filter((t) => t.special === true).map((t) => String(t.content)));
  const model = { ...json.model };
  if (Array.isArray(model.vocab)) {
    const unk = typeof model.unk_id === "number" ? model.unk_id : -1;
    model.vocab = model.vocab.map((e: [string, number], i: number) => (special.has(e[0]) && i !== unk ? [HIDDEN + i, e[1]] : e));
  } else if (model.vocab && typeof model.vocab === "object") {
    const vocab: Record<string, number> = {};
    for (const [k, id] of Object.entries(model.vocab as Record<string, number>)) {
      vocab[special.has(k) && k !== model.unk_token ? HIDDEN + id : k] = id;
    }
    model.vocab = vocab;
  }
  return { ...json, model, added_tokens: added.filter((t) => t.special !== true) };
}

export class HfEncoder {
  private readonly enc: HfTokenizer;
  private dec: HfTokenizer | null = null;

  constructor(
    private readonly json: Json,
    private readonly config: Json,
  ) {
    this.enc = new HfTokenizer(withoutSpecials(json), config ?? {});
  }

  encode(text: string): Uint32Array {
    const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
    return Uint32Array.from(this.enc.encode(wellFormed, { add_special_tokens: false }).ids);
  }

  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return "";
    if (this.dec === null) this.dec = new HfTokenizer(this.json, this.config ?? {});
    return this.dec.decode(Array.from(ids), { clean_up_tokenization_spaces: false });
  }
}
