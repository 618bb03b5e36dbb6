/**
 * The Unigram half of `gamma train-tokenizer`: trains on the texts and writes, together or not
 * at all, OUT/tokenizer.model (SentencePiece's format), OUT/tokenizer.json (Hugging Face) and
 * OUT/manifest.json (inputs as given, settings, sha256 of both outputs, corpus counts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../io/hash.ts";
import { Outputs, stageManifest } from "../../runtime/index.ts";
import { encodeModelProto } from "../spm/model-proto.ts";
import { hfTokenizerJson } from "./hf-tokenizer-json.ts";
import { trainUnigram, type UnigramSettings } from "./train.ts";

export interface TrainUnigramRun {
  texts: AsyncIterable<string> | Iterable<string>;
  outDir: string;
  settings: UnigramSettings;
  /** What the texts came from, for the manifest (e.g. files with their sha256). */
  inputs: Record<string, unknown>[];
}

export async function runTrainUnigram(run: TrainUnigramRun): Promise<Record<string, unknown>> {
  const settings = run.settings;
  const result = await trainUnigram(run.texts, run.settings);
  const model = encodeModelProto(result.model);
  const json = `${JSON.stringify(hfTokenizerJson(result.model))}\n`;
  const t = result.model.trainerSpec;
  const manifest = stageManifest("tokenizer", "train-tokenizer", {
    params: {
      model: "unigram",
      vocab_size: settings.vocabSize,
      character_coverage: t.characterCoverage,
      byte_fallback: t.byteFallback,
      normalization: result.model.normalizerSpec.name,
      split_digits: t.splitDigits,
      user_defined_symbols: t.userDefinedSymbols,
      max_sentencepiece_length: t.maxSentencepieceLength,
      seed_sentencepiece_size: t.seedSentencepieceSize,
      shrinking_factor: Math.fround(t.shrinkingFactor),
      num_sub_iterations: t.numSubIterations,
      max_sentence_length: t.maxSentenceLength,
      add_dummy_prefix: result.model.normalizerSpec.addDummyPrefix,
      remove_extra_whitespaces: result.model.normalizerSpec.removeExtraWhitespaces,
    },
    inputs: run.inputs,
    outputs: {
      "tokenizer.model": { sha256: sha256Hex(model), bytes: model.length, pieces: result.model.pieces.length },
      "tokenizer.json": { sha256: sha256Hex(json), bytes: Buffer.byteLength(json) },
    },
    corpus: {
      sentences: result.stats.sentences,
      skipped_long_sentences: result.stats.skippedLongSentences,
      distinct_words: result.stats.words,
      characters: result.stats.characters,
      seed_pieces: result.stats.seedPieces,
      em_rounds: result.stats.emRounds,
    },
  });
  mkdirSync(run.outDir, { recursive: true });
  await Outputs.within(async (outs) => {
    outs.text(join(run.outDir, "tokenizer.model"), model);
    outs.text(join(run.outDir, "tokenizer.json"), json);
    outs.json(join(run.outDir, "manifest.json"), manifest);
  });
  return manifest;
}
