/**
 * Choosing LSH bands x rows for a Jaccard threshold, the way datasketch's MinHashLSH does: with b
 * bands of r rows, two documents of similarity s become candidates with probability
 * P(s) = 1 - (1 - s^r)^b (the S-curve). Over all b*r <= K pick the (b, r) minimising
 *
 *   wFP * integral_0^T P(s) ds  +  wFN * integral_T^1 (1 - P(s)) ds
 *
 * (false-positive area below the threshold plus false-negative area above it), scanning
 * b = 1..K and r = 1..floor(K/b) and keeping the first minimum.
 *
 * Weights: datasketch defaults to 0.5/0.5 because its LSH index returns candidates unverified, so
 * a false positive is a wrong answer. gamma verifies every candidate, so a false positive costs one
 * verification (~K compares) while a false negative loses a duplicate for good: gamma weighs them
 * 0.02/0.98. At T = 0.8, K = 128 that picks 17 x 7 (P(candidate | s = 0.8) = 0.98) where 0.5/0.5
 * picks 9 x 13 (P = 0.40; recall on test/near's corpus about 0.95). DATASKETCH_WEIGHTS reproduces
 * datasketch's choice.
 */
import { ConfigError } from "../errors.ts";

export interface LshChoice {
  bands: number;
  rows: number;
  falsePositiveArea: number;
  falseNegativeArea: number;
}

/** Composite Simpson's rule with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 256): number {
  if (b <= a) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

export function falsePositiveArea(threshold: number, bands: number, rows: number): number {
  return simpson((s) => candidateProbability(s, bands, rows), 0, threshold);
}

export function falseNegativeArea(threshold: number, bands: number, rows: number): number {
  return simpson((s) => 1 - candidateProbability(s, bands, rows), threshold, 1);
}

export interface LshWeights {
  falsePositive: number;
  falseNegative: number;
}

export const GAMMA_WEIGHTS: LshWeights = { falsePositive: 0.02, falseNegative: 0.98 };
export const DATASKETCH_WEIGHTS: LshWeights = { falsePositive: 0.5, falseNegative: 0.5 };

export function optimalBandsRows(threshold: number, numPerm: number, weights: LshWeights = GAMMA_WEIGHTS): LshChoice {
  if (!(threshold > 0 && threshold < 1)) {
    throw new ConfigError(`--threshold must be between 0 and 1 (exclusive), got ${threshold}`);
  }
  let best: LshChoice | null = null;
  let bestError = Number.POSITIVE_INFINITY;
  for (let b = 1; b <= numPerm; b++) {
    for (let r = 1; r <= Math.floor(numPerm / b); r++) {
      const fp = falsePositiveArea(threshold, b, r);
      const fn = falseNegativeArea(threshold, b, r);
      const error = weights.falsePositive * fp + weights.falseNegative * fn;
      if (error < bestError) {
        bestError = error;
        best = { bands: b, rows: r, falsePositiveArea: fp, falseNegativeArea: fn };
      }
    }
  }
  return best!;
}

/** --bands/--rows when given (both or neither), else the optimum for the threshold. */
export function resolveBandsRows(threshold: number, numPerm: number, bands?: number, rows?: number): LshChoice {
  if (bands === undefined && rows === undefined) return optimalBandsRows(threshold, numPerm);
  if (bands === undefined || rows === undefined) {
    throw new ConfigError("--bands and --rows go together: give both or neither");
  }
  if (!Number.isInteger(bands) || !Number.isInteger(rows) || bands < 1 || rows < 1 || bands * rows > numPerm) {
    throw new ConfigError(`--bands ${bands} x --rows ${rows} must be positive integers with bands*rows <= --num-perm ${numPerm}`);
  }
  return {
    bands,
    rows,
    falsePositiveArea: falsePositiveArea(threshold, bands, rows),
    falseNegativeArea: falseNegativeArea(threshold, bands, rows),
  };
}
