/**
 * What every ingestion reader produces: raw records (a source's own fields,
 * before normalization) and rejects (input that could not become a record).
 * Readers never drop input silently: a reject goes to `onReject`, and with no
 * handler it is thrown as a RecordError (the --strict behaviour).
 */
import { RecordError } from "../errors.ts";

export interface RawRecord {
  fields: Record<string, unknown>;
  /** "file:line", "file#row N" or "hf://datasets/ID@SHA/path#row N", for error messages. */
  location: string;
}

export interface RawReject {
  location: string;
  /** Stable snake_case reason, used as a counter key (e.g. "unclosed_doc", "broken_row"). */
  reason: string;
  /** What is wrong, for a human. */
  message: string;
  /** A bounded excerpt of the offending input, when there is one. */
  excerpt?: string;
}

export type RejectHandler = (reject: RawReject) => void;

/** Named counters a reader increments (e.g. threads, answers_below_min_score). */
export type Counters = Record<string, number>;

export function bumpCounter(counters: Counters | undefined, key: string, n = 1): void {
  if (counters && n !== 0) counters[key] = (counters[key] ?? 0) + n;
}

const EXCERPT_CHARS = 200;

export function excerptOf(text: string): string {
  return text.length <= EXCERPT_CHARS ? text : `${text.slice(0, EXCERPT_CHARS)}…`;
}

/** Hands a reject to the handler, or throws it when there is none. */
export function reject(onReject: RejectHandler | undefined, r: RawReject): void {
  if (!onReject) throw new RecordError(r.reason, `${r.location}: ${r.message}`);
  onReject(r);
}
