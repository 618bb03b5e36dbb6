/**
 * Dedup's decisions: a named value per input position, and the decisions.jsonl.zst line each
 * becomes ({doc_id, decision, dup_of, similarity, reason}).
 */
import { ZstdTextWriter } from "../io/zstd-writer.ts";

/** Per input position, stored in a Uint8Array (a million documents, one byte each). */
export const Decision = {
  Kept: 0,
  ExactDup: 1,
  NearDup: 2,
  /** A line that is not a document (invalid_record). */
  Rejected: 3,
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** The `decision` field written for each value. */
export const DECISION_NAME: readonly string[] & Record<Decision, string> = ["kept", "exact_dup", "near_dup", "rejected"];

const DECISION_HEAD = '{"doc_id":';

/** What follows the similarity in a decisions line: the reason (JSON text; undefined: no key) and the end. */
export function reasonTail(reason: string | undefined): string {
  return reason === undefined ? "}\n" : `,"reason":${reason}}\n`;
}

export const UNIQUE_TAIL = reasonTail(JSON.stringify("unique"));
export const EXACT_TAIL = reasonTail(JSON.stringify("exact_hash_v1 (whitespace-collapsed, lower-cased text, sha256)"));
/** `,"decision":"<decision>","dup_of":` for each decision, made once. */
const DECISION_MIDDLE = new Map(DECISION_NAME.map((d) => [d, `,"decision":${JSON.stringify(d)},"dup_of":`]));

/** A decisions line: JSON.stringify({doc_id, decision, dup_of, similarity, reason}) + "\n" (the definition writeDecision follows). */
export function decisionLine(
  docId: string,
  decision: string,
  dupOf: string | null,
  similarity: number | null,
  reason: string | undefined,
): string {
  return JSON.stringify({ doc_id: docId, decision, dup_of: dupOf, similarity, reason }) + "\n";
}

/**
 * Appends decisionLine(docId, decision, dupOf, similarity, reason) with `tail` = reasonTail(reason),
 * piece by piece into the writer's buffer: no line string, only the JSON of the ids and of the
 * similarity (a million lines made as strings were ~0.7 GB of RSS before they were collected).
 */
export async function writeDecision(
  out: ZstdTextWriter,
  docId: string,
  decision: string,
  dupOf: string | null,
  similarity: number | null,
  tail: string,
): Promise<void> {
  const id = JSON.stringify(docId);
  const middle = DECISION_MIDDLE.get(decision) ?? `,"decision":${JSON.stringify(decision)},"dup_of":`;
  const dup = dupOf === null ? "null" : JSON.stringify(dupOf);
  const sim = JSON.stringify(similarity);
  const most = DECISION_HEAD.length + 3 * (id.length + middle.length + dup.length + tail.length) + 14 + sim.length;
  if (most > ZstdTextWriter.BUFFER_BYTES) return out.write(`${DECISION_HEAD}${id}${middle}${dup},"similarity":${sim}${tail}`);
  await out.writeWith(most, (buf, at) => {
    at += buf.write(DECISION_HEAD, at, "latin1");
    at += buf.write(id, at, "utf8");
    at += buf.write(middle, at, "utf8");
    at += buf.write(dup, at, "utf8");
    at += buf.write(',"similarity":', at, "latin1");
    at += buf.write(sim, at, "latin1");
    return at + buf.write(tail, at, "utf8");
  });
}
