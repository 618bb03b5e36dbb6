/**
 * The measurements the filter rules decide on, taken in one pass over the
 * text: character, word, letter and ASCII counts, and the lines (split at
 * "\n", trimmed, empty ones skipped) with how many repeat an earlier line and
 * how many are boilerplate. One pass costs a fraction of what separate passes
 * (a regex scan for the boilerplate keywords, split/trim/Set for the lines)
 * cost. It runs in WebAssembly (text-scan-wasm.ts) or, where that cannot, in
 * its JavaScript twin (text-scan-js.ts); both count exactly the same.
 */
import { scanJs } from "./text-scan-js.ts";
import { scanWasm } from "./text-scan-wasm.ts";

export interface TextScan {
  /** Code points: a surrogate pair counts as one character, a lone surrogate as one. */
  chars: number;
  /** Runs of non-space characters. */
  words: number;
  /** letters / non-space characters (0 without any) */
  alphaRatio: number;
  /** ASCII characters / all characters (1 for an empty text) */
  asciiRatio: number;
  /** Lines split at "\n" that are not empty once trimmed. */
  lines: number;
  /** Lines equal (trimmed) to an earlier line. */
  repeated: number;
  /** Lines that are boilerplate (boilerplate.ts). */
  boilerplateLines: number;
}

/** What a scan kernel counts; `pairs` are surrogate pairs, each one character. */
export interface ScanCounts {
  pairs: number;
  ascii: number;
  nonSpace: number;
  letters: number;
  words: number;
  lines: number;
  repeated: number;
  boilerplateLines: number;
}

/** A scan kernel; null when it cannot scan this text. */
export type ScanKernel = (text: string) => ScanCounts | null;

/** Scans a text with the given kernel, or with the JavaScript twin when it returns null. */
export function scanTextWith(kernel: ScanKernel, text: string): TextScan {
  const k = kernel(text) ?? scanJs(text);
  const chars = text.length - k.pairs;
  return {
    chars,
    words: k.words,
    alphaRatio: k.nonSpace === 0 ? 0 : k.letters / k.nonSpace,
    asciiRatio: chars === 0 ? 1 : k.ascii / chars,
    lines: k.lines,
    repeated: k.repeated,
    boilerplateLines: k.boilerplateLines,
  };
}

export function scanText(text: string): TextScan {
  return scanTextWith(scanWasm, text);
}
