/**
 * `gamma train-tokenizer`: reads the training documents (corpus.ts), hands them to a model's
 * trainer, and writes the tokenizer folder: tokenizer.json, tokenizer_config.json, the list of
 * documents used (documents.jsonl.zst) and train-tokenizer.manifest.json, committed together.
 *
 * Models plug in through TRAINERS: a trainer gets the document stream and the shared settings and
 * returns the tokenizer.json text plus what the manifest should record about it.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { sha256File, sha256Hex, type FileDigest } from "../io/hash.ts";
import { tempPathFor } from "../io/atomic.ts";
import { info, Progress } from "../log.ts";
import { emptyCounts, type StageCounts } from "../pipeline.ts";
import { Outputs, stageManifest } from "../runtime/index.ts";
import { checkTrainOptions, trainBpe, TrainSettingError } from "../tokenizer/train/bpe-trainer.ts";
import { corpusDocs, DocList, planCorpus, type CorpusDoc, type CorpusOptions } from "../tokenizer/train/corpus.ts";
import { createCountPool } from "../tokenizer/train/count-pool.ts";
import type { PretokenizerName } from "../tokenizer/train/count-words.ts";
import { tokenizerConfig, tokenizerJson } from "../tokenizer/train/tokenizer-files.ts";
import { encodeModelProto } from "../tokenizer/spm/model-proto.ts";
import { hfTokenizerJson } from "../tokenizer/unigram/hf-tokenizer-json.ts";
import { trainUnigram, type Normalization } from "../tokenizer/unigram/train.ts";

export interface TrainTokenizerOptions {
  model: TrainerName;
  corpus: CorpusOptions;
  outDir: string;
  vocabSize: number;
  minFrequency: number;
  specialTokens: string[];
  maxTokenLength: number | null;
  pretokenizer: PretokenizerName;
  eosToken: string | null;
  padToken: string | null;
  bosToken: string | null;
  modelMaxLength: number;
  threads: number;
  /** SentencePiece Unigram settings (--model unigram). */
  unigram?: UnigramFlags;
}

/** The Unigram trainer's own flags. */
export interface UnigramFlags {
  characterCoverage: number;
  byteFallback: boolean;
  normalization: Normalization;
  splitDigits: boolean;
  maxSentencepieceLength: number;
}

/** What a model's trainer hands back. */
export interface TrainedModel {
  /** The tokenizer.json text. */
  tokenizerJson: string;
  /** The special tokens in the vocabulary, in id order (for tokenizer_config.json). */
  specialTokens: string[];
  /** Recorded under `tokenizer` in the manifest (vocabulary size, merges, ...). */
  facts: Record<string, unknown>;
  /** Further files of the model (name in the out dir -> bytes), e.g. a SentencePiece tokenizer.model. */
  files?: Record<string, Uint8Array>;
}

/** A model's trainer: consumes the documents (each also goes to `seen`) and returns the model. */
export type Trainer = (
  docs: AsyncIterable<CorpusDoc>,
  o: TrainTokenizerOptions,
  seen: (d: CorpusDoc) => Promise<void>,
) => Promise<TrainedModel>;

/** Characters of text handed to a counting worker at once. */
const BATCH_CHARS = 1 << 20;

const trainBpeModel: Trainer = async (docs, o, seen) => {
  const pool = await createCountPool(o.pretokenizer, o.threads);
  let counts;
  try {
    let batch: string[] = [];
    let chars = 0;
    for await (const d of docs) {
      await seen(d);
      batch.push(d.text);
      chars += d.text.length;
      if (chars >= BATCH_CHARS) {
        await pool.count(batch);
        batch = [];
        chars = 0;
      }
    }
    if (batch.length > 0) await pool.count(batch);
    counts = await pool.finish();
  } catch (e) {
    pool.close();
    throw e;
  }
  let words = 0;
  for (let i = 0; i < counts.counts.length; i++) words += counts.counts[i]!;
  info(`train-tokenizer: ${counts.starts.length} distinct pre-tokens (${words} in all); merging to ${o.vocabSize} tokens`);
  let last = performance.now();
  const bpe = trainBpe(counts, {
    vocabSize: o.vocabSize,
    minFrequency: o.minFrequency,
    specialTokens: o.specialTokens,
    maxTokenLength: o.maxTokenLength,
    onProgress: (merges, vocab) => {
      const now = performance.now();
      if (now - last < 5000) return;
      last = now;
      info(`train-tokenizer: ${merges} merges, ${vocab}/${o.vocabSize} tokens`);
    },
  });
  if (bpe.vocab.length < o.vocabSize)
    info(`train-tokenizer: stopped at ${bpe.vocab.length} tokens: no pair left occurs at least --min-frequency ${o.minFrequency} times`);
  return {
    tokenizerJson: tokenizerJson(bpe, o.pretokenizer),
    specialTokens: bpe.specialTokens,
    facts: {
      model: "BPE",
      vocab_size: bpe.vocab.length,
      merges: bpe.merges.length,
      merge_steps: bpe.mergeSteps,
      distinct_pretokens: counts.starts.length,
      pretokens: words,
    },
  };
};

/**
 * SentencePiece Unigram (src/tokenizer/unigram/): each line of each document is a sentence, as
 * spm_train reads its input; --special-tokens become user-defined symbols after <unk>, <s>, </s>.
 */
const trainUnigramModel: Trainer = async (docs, o, seen) => {
  const u = o.unigram ?? {
    characterCoverage: 0.9995,
    byteFallback: false,
    normalization: "nmt_nfkc",
    splitDigits: false,
    maxSentencepieceLength: 16,
  };
  async function* sentences(): AsyncGenerator<string> {
    for await (const d of docs) {
      await seen(d);
      for (const line of d.text.split("\n")) if (line.trim() !== "") yield line;
    }
  }
  const result = await trainUnigram(sentences(), {
    vocabSize: o.vocabSize,
    characterCoverage: u.characterCoverage,
    byteFallback: u.byteFallback,
    normalization: u.normalization,
    splitDigits: u.splitDigits,
    userDefinedSymbols: o.specialTokens,
    maxSentencepieceLength: u.maxSentencepieceLength,
    log: (line) => info(`train-tokenizer: ${line}`),
  });
  const model = encodeModelProto(result.model);
  const t = result.model.trainerSpec;
  return {
    tokenizerJson: `${JSON.stringify(hfTokenizerJson(result.model))}\n`,
    specialTokens: ["<unk>", "<s>", "</s>", ...o.specialTokens],
    files: { "tokenizer.model": model },
    facts: {
      model: "Unigram",
      vocab_size: result.model.pieces.length,
      "tokenizer.model": { sha256: sha256Hex(model), bytes: model.length },
      character_coverage: t.characterCoverage,
      byte_fallback: t.byteFallback,
      normalization: result.model.normalizerSpec.name,
      split_digits: t.splitDigits,
      max_sentencepiece_length: t.maxSentencepieceLength,
      sentences: result.stats.sentences,
      distinct_words: result.stats.words,
      em_rounds: result.stats.emRounds,
    },
  };
};

/** The trainers `--model` chooses from. */
export const TRAINERS = { bpe: trainBpeModel, unigram: trainUnigramModel } satisfies Record<string, Trainer>;
export type TrainerName = keyof typeof TRAINERS;

const SETTING_FLAGS: Record<TrainSettingError["setting"], string> = {
  vocabSize: "--vocab-size",
  specialTokens: "--special-tokens",
  maxTokenLength: "--max-token-length",
};

/** Bad settings exit 2 naming the flag. */
export function checkTrainTokenizerOptions(o: TrainTokenizerOptions): void {
  const twice = o.specialTokens.find((t, i) => o.specialTokens.indexOf(t) !== i);
  if (twice !== undefined) throw new ConfigError(`--special-tokens: special token ${JSON.stringify(twice)} is given twice`);
  // The byte-level BPE limits; the Unigram trainer checks its own (the vocabulary against its pieces).
  if (o.model === "bpe") {
    try {
      checkTrainOptions({
        vocabSize: o.vocabSize,
        minFrequency: o.minFrequency,
        specialTokens: o.specialTokens,
        maxTokenLength: o.maxTokenLength,
      });
    } catch (e) {
      if (!(e instanceof TrainSettingError)) throw e;
      throw new ConfigError(`${SETTING_FLAGS[e.setting]}: ${e.message}`, { cause: e });
    }
  }
  for (const [flag, tok] of [
    ["--eos-token", o.eosToken],
    ["--pad-token", o.padToken],
    ["--bos-token", o.bosToken],
  ] as const) {
    if (tok !== null && !o.specialTokens.includes(tok)) {
      throw new ConfigError(
        `${flag} ${JSON.stringify(tok)} is not one of --special-tokens (${o.specialTokens.map((t) => JSON.stringify(t)).join(", ") || "none"}); add it there`,
      );
    }
  }
}

export async function runTrainTokenizer(o: TrainTokenizerOptions): Promise<Record<string, unknown>> {
  checkTrainTokenizerOptions(o);
  const plan = planCorpus(o.corpus);
  const counts: StageCounts = emptyCounts();
  let manifest: Record<string, unknown> | null = null;
  await Outputs.within(async (outs) => {
    const docList = new DocList(outs.zst(join(o.outDir, "documents.jsonl.zst"), Math.min(2, o.threads)));
    const progress = new Progress("train-tokenizer");
    const seen = async (d: CorpusDoc) => {
      const bytes = Buffer.byteLength(d.text, "utf8");
      await docList.add(d, bytes);
      progress.add(1, bytes);
    };
    const model = await TRAINERS[o.model](corpusDocs(plan, o.corpus, counts), o, seen);
    await docList.flush();
    progress.done();
    if (counts.kept === 0) {
      const where = o.corpus.manifest !== null ? `--manifest ${o.corpus.manifest}` : `--input ${o.corpus.inputs!.join(" ")}`;
      throw new ConfigError(
        `train-tokenizer: no documents to train on from ${where} (${counts.in} lines read, ${counts.in - counts.kept} rejected; --text-field ${o.corpus.textField}, --max-docs ${o.corpus.maxDocs ?? "none"})`,
      );
    }
    const config = tokenizerConfig(model.specialTokens, {
      eosToken: o.eosToken,
      padToken: o.padToken,
      bosToken: o.bosToken,
      modelMaxLength: o.modelMaxLength,
    });
    const configText = JSON.stringify(config, null, 2) + "\n";
    outs.text(join(o.outDir, "tokenizer.json"), model.tokenizerJson);
    for (const [name, bytes] of Object.entries(model.files ?? {})) outs.text(join(o.outDir, name), bytes);
    outs.text(join(o.outDir, "tokenizer_config.json"), configText);
    const inputs: FileDigest[] = [];
    for (const f of plan.files) inputs.push(await sha256File(f));
    const mixture = o.corpus.manifest === null ? null : await sha256File(o.corpus.manifest);
    const tokenizerSha = sha256Hex(model.tokenizerJson);
    const manifestPath = join(o.outDir, "train-tokenizer.manifest.json");
    // Written last, once the document list is finished and its digest known.
    outs.add({
      commit: () => {
        const docs = docList.digest();
        manifest = stageManifest("gamma.train-tokenizer/v1", "train-tokenizer", {
          params: {
            model: o.model,
            pretokenizer: o.pretokenizer,
            vocab_size: o.vocabSize,
            min_frequency: o.minFrequency,
            special_tokens: o.specialTokens,
            max_token_length: o.maxTokenLength,
            eos_token: o.eosToken,
            pad_token: o.padToken,
            bos_token: o.bosToken,
            model_max_length: o.modelMaxLength,
            manifest: mixture,
            text_field: o.corpus.manifest === null ? o.corpus.textField : null,
            max_docs: o.corpus.maxDocs,
            max_bytes: o.corpus.maxBytes,
            seed: o.corpus.seed,
          },
          inputs,
          outputs: {
            "tokenizer.json": { sha256: tokenizerSha, bytes: Buffer.byteLength(model.tokenizerJson) },
            "tokenizer_config.json": { sha256: sha256Hex(configText), bytes: Buffer.byteLength(configText) },
            ...Object.fromEntries(
              Object.entries(model.files ?? {}).map(([name, bytes]) => [name, { sha256: sha256Hex(bytes), bytes: bytes.length }]),
            ),
            "documents.jsonl.zst": { sha256: docs.sha256, bytes: docs.bytes, documents: docList.docs, text_bytes: docList.bytes },
          },
          counts,
          sources: plan.sources.map((s) => ({ name: s.name, share: s.share, files: s.files.length })),
          tokenizer: { sha256: tokenizerSha, ...model.facts, special_tokens: model.specialTokens },
        });
        const tmp = tempPathFor(manifestPath);
        writeFileSync(tmp, JSON.stringify(manifest, null, 2) + "\n");
        renameSync(tmp, manifestPath);
      },
      discard: () => {},
    });
  });
  return manifest!;
}
