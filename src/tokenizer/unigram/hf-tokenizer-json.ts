/**
 * A trained Unigram model as a Hugging Face tokenizer.json: the charsmap as a Precompiled
 * normalizer (runs of spaces squeezed), Metaspace pre-tokenizer and decoder (U+2581, a space put
 * first when add_dummy_prefix), a Unigram model with the pieces and scores, and the special
 * and user-defined pieces as added tokens.
 */
import { type ModelProto, PieceType } from "../spm/model-proto.ts";

export function hfTokenizerJson(m: ModelProto): Record<string, unknown> {
  const n = m.normalizerSpec;
  const normalizers: unknown[] = [];
  if (n.precompiledCharsmap.length > 0) {
    normalizers.push({ type: "Precompiled", precompiled_charsmap: Buffer.from(n.precompiledCharsmap).toString("base64") });
  }
  if (n.removeExtraWhitespaces) normalizers.push({ type: "Replace", pattern: { Regex: " {2,}" }, content: " " });
  const prepend = n.addDummyPrefix ? "always" : "never";
  const metaspace = { type: "Metaspace", replacement: "\u2581", prepend_scheme: prepend, split: true };
  const added = m.pieces.flatMap((p, id) =>
    p.type === PieceType.NORMAL || p.type === PieceType.BYTE || p.type === PieceType.UNUSED
      ? []
      : [
          {
            id,
            content: p.piece,
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: p.type !== PieceType.USER_DEFINED,
          },
        ],
  );
  const unkId = m.pieces.findIndex((p) => p.type === PieceType.UNKNOWN);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: normalizers.length === 0 ? null : { type: "Sequence", normalizers },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder: metaspace,
    model: { type: "Unigram", unk_id: unkId, vocab: m.pieces.map((p) => [p.piece, p.score]), byte_fallback: m.trainerSpec.byteFallback },
  };
}
