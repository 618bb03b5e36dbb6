/**
 * Deliberately broken lines for the benchmark corpus: malformed JSON, records without a text
 * field, and documents whose text carries invalid UTF-8 bytes or a NUL character. Every
 * generator checks that its line really is broken in the intended way.
 */

export const MALFORMED_KINDS = [
  "truncated",
  "trailing_comma",
  "single_quotes",
  "unquoted_keys",
  "not_json",
  "two_records_one_line",
  "raw_tab_in_string",
  "bad_escape",
  "missing_closing_brace",
  "nan_value",
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export const MISSING_TEXT_KINDS = ["body_field", "content_field", "capitalised_Text", "no_text_like_field", "text_nested_in_meta"] as const;
export type MissingTextKind = (typeof MISSING_TEXT_KINDS)[number];

/** Byte sequences that are not UTF-8, one per planted document. */
export const INVALID_UTF8 = [
  { name: "lone continuation byte 0x80", bytes: [0x80] },
  { name: "truncated two-byte sequence 0xC3", bytes: [0xc3] },
  { name: "byte 0xFF", bytes: [0xff] },
  { name: "encoded surrogate 0xED 0xA0 0x80", bytes: [0xed, 0xa0, 0x80] },
] as const;

function parses(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function parseFails(line: string): boolean {
  try {
    JSON.parse(line);
    return false;
  } catch {
    return true;
  }
}

/** A line that is not valid JSON. `fragment` is one line of ordinary text (no newline). */
export function malformedLine(kind: MalformedKind, id: string, fragment: string, origin: string): string {
  const q = (s: string) => JSON.stringify(s);
  let line: string;
  switch (kind) {
    case "truncated": {
      const whole = JSON.stringify({ id, text: fragment, origin });
      line = whole.slice(0, Math.max(20, Math.floor(whole.length * 0.6)));
      break;
    }
    case "trailing_comma":
      line = `{"id": ${q(id)}, "text": ${q(fragment)}, "origin": ${q(origin)},}`;
      break;
    case "single_quotes":
      line = `{'id': '${id}', 'text': '${fragment.replace(/['\\]/g, "")}', 'origin': '${origin}'}`;
      break;
    case "unquoted_keys":
      line = `{id: ${q(id)}, text: ${q(fragment)}, origin: ${q(origin)}}`;
      break;
    case "not_json":
      line = `Text: ${fragment}`;
      break;
    case "two_records_one_line": {
      const half = fragment.length >> 1;
      line =
        JSON.stringify({ id, text: fragment.slice(0, half), origin }) +
        JSON.stringify({ id: `${id}b`, text: fragment.slice(half), origin });
      break;
    }
    case "raw_tab_in_string": {
      const body = q(fragment).slice(1, -1);
      const cut = Math.max(0, body.indexOf(" "));
      line = `{"id": ${q(id)}, "text": "${body.slice(0, cut)}\t${body.slice(cut)}", "origin": ${q(origin)}}`;
      break;
    }
    case "bad_escape":
      line = `{"id": ${q(id)}, "text": "${q(fragment).slice(1, -1)} \\x41\\q", "origin": ${q(origin)}}`;
      break;
    case "missing_closing_brace":
      line = JSON.stringify({ id, text: fragment, origin }).slice(0, -1);
      break;
    case "nan_value":
      line = `{"id": ${q(id)}, "text": ${q(fragment)}, "origin": ${q(origin)}, "quality": NaN}`;
      break;
  }
  if (!parseFails(line) || line.includes("\n"))
    throw new Error(`make-corpus: malformed line of kind ${kind} is not malformed; fix bench/lib/corpus-broken.ts`);
  return line;
}

/** A valid JSON object line without a top-level string "text" field. */
export function missingTextLine(kind: MissingTextKind, id: string, fragment: string, origin: string): string {
  let rec: Record<string, unknown>;
  switch (kind) {
    case "body_field":
      rec = { id, body: fragment, origin };
      break;
    case "content_field":
      rec = { id, content: fragment, origin };
      break;
    case "capitalised_Text":
      rec = { id, Text: fragment, origin };
      break;
    case "no_text_like_field":
      rec = { id, origin, url: `https://example.invalid/${id}`, words: fragment.split(/\s+/).length };
      break;
    case "text_nested_in_meta":
      rec = { id, origin, meta: { text: fragment } };
      break;
  }
  const line = JSON.stringify(rec);
  const back = parses(line) as Record<string, unknown> | undefined;
  if (back === undefined || "text" in back)
    throw new Error(`make-corpus: missing-text line of kind ${kind} is wrong; fix bench/lib/corpus-broken.ts`);
  return line;
}

/**
 * A document line whose text has `bad` bytes inserted at a space near the middle of the text,
 * inside the JSON string. Returns the line (without newline) as bytes.
 */
export function invalidUtf8Line(id: string, text: string, origin: string, bad: readonly number[]): Uint8Array {
  let at = text.indexOf(" ", text.length >> 1);
  if (at < 0) at = text.length;
  const esc = (s: string) => JSON.stringify(s).slice(1, -1);
  const head = Buffer.from(`{"id":${JSON.stringify(id)},"text":"${esc(text.slice(0, at))}`);
  const tail = Buffer.from(`${esc(text.slice(at))}","origin":${JSON.stringify(origin)}}`);
  const line = Buffer.concat([head, Buffer.from(bad), tail]);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(line);
    throw new Error(`make-corpus: invalid-UTF-8 line decodes cleanly; fix bench/lib/corpus-broken.ts`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("make-corpus")) throw e;
  }
  return line;
}

/** The text with one NUL character put at a space near a third of the way in. */
export function withNul(text: string): string {
  let at = text.indexOf(" ", Math.floor(text.length / 3));
  if (at < 0) at = text.length;
  return `${text.slice(0, at)}\u0000${text.slice(at)}`;
}
