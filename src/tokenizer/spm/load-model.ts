/** A SentencePiece `.model` as loadTokenizer's parts: pieces, EOS/BOS from the trainer spec, settings in the note. */
import { ConfigError } from "../../errors.ts";
import type { Parts } from "../load.ts";
import { PieceType } from "./model-proto.ts";
import { SpmUnigram } from "./unigram-encoder.ts";

export function sentencePieceParts(path: string, sha256: string, bytes: Uint8Array): Parts {
  let enc: SpmUnigram;
  try {
    enc = new SpmUnigram(bytes);
  } catch (e) {
    throw new ConfigError(`${path}: not a usable SentencePiece model (${(e as Error).message})`, { cause: e });
  }
  const m = enc.proto;
  if (m.trainerSpec.modelType !== 1) {
    const kind = ["", "unigram", "bpe", "word", "char"][m.trainerSpec.modelType] ?? String(m.trainerSpec.modelType);
    throw new ConfigError(`${path}: a SentencePiece ${kind} model; gamma encodes SentencePiece Unigram models only`);
  }
  const n = m.pieces.length;
  const control = (id: number): number | null => (id >= 0 && id < n && m.pieces[id].type === PieceType.CONTROL ? id : null);
  const eosId = control(m.trainerSpec.eosId);
  const bosId = control(m.trainerSpec.bosId);
  const t = m.trainerSpec;
  const norm = m.normalizerSpec;
  return {
    path,
    sha256,
    kind: "sentencepiece",
    spec: { encoder: "gamma-unigram", model: bytes },
    ids: {
      eosId,
      bosId,
      eosSource: eosId === null ? "" : `SentencePiece eos_id ${eosId} ${m.pieces[eosId].piece}`,
    },
    vocabSize: n,
    maxId: n - 1,
    isToken: (id) => id >= 0 && id < n,
    named: (content) => pieceIds(m.pieces).get(content),
    note:
      `gamma-unigram, SentencePiece Unigram (${n} pieces, normalization ${norm.name || "custom"}, byte_fallback ${t.byteFallback}, ` +
      `character_coverage ${Math.fround(t.characterCoverage).toPrecision(6).replace(/0+$/, "")}, add_dummy_prefix ${norm.addDummyPrefix}, ` +
      `remove_extra_whitespaces ${norm.removeExtraWhitespaces})`,
    spm: {
      byteFallback: t.byteFallback,
      characterCoverage: Number(Math.fround(t.characterCoverage).toPrecision(6)),
      normalization: norm.name || "custom",
      addDummyPrefix: norm.addDummyPrefix,
      removeExtraWhitespaces: norm.removeExtraWhitespaces,
    },
    built: enc,
  };
}

const pieceIdCache = new WeakMap<object, Map<string, number>>();

/** Piece text -> id (the first id of a piece given twice), made once per model. */
function pieceIds(pieces: readonly { piece: string }[]): Map<string, number> {
  let m = pieceIdCache.get(pieces);
  if (m === undefined) {
    m = new Map();
    pieces.forEach((p, id) => {
      if (!m!.has(p.piece)) m!.set(p.piece, id);
    });
    pieceIdCache.set(pieces, m);
  }
  return m;
}
