/** The normalizer spec a trained model carries for each --normalization. */
import type { NormalizerSpec } from "../spm/model-proto.ts";
import { buildCharsmap } from "./charsmap-builder.ts";
import { nfkcRules } from "./nfkc-rules.ts";

const cache = new Map<string, Uint8Array>();

export function normalizerSpecFor(name: "nmt_nfkc" | "nfkc" | "identity"): Pick<NormalizerSpec, "name" | "precompiledCharsmap"> {
  if (name === "identity") return { name, precompiledCharsmap: new Uint8Array(0) };
  let blob = cache.get(name);
  if (blob === undefined) {
    blob = buildCharsmap(nfkcRules(name === "nmt_nfkc"));
    cache.set(name, blob);
  }
  return { name, precompiledCharsmap: blob };
}
