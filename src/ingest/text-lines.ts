/**
 * Lines of a byte stream, decoded as UTF-8 (invalid bytes become U+FFFD),
 * optionally gunzipped on the way. Holds one chunk and one partial line.
 */

function toStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const { done, value } = await it.next();
      if (done) c.close();
      else c.enqueue(value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

/** gunzip a byte stream. */
export function gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const gunzip = new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  return toStream(chunks).pipeThrough(gunzip) as unknown as AsyncIterable<Uint8Array>;
}

/** Yields each line without its "\n" (and without a "\r" before it), numbered from 1. */
export async function* textLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ line: number; text: string }> {
  const dec = new TextDecoder("utf-8");
  let rest = "";
  let n = 0;
  for await (const chunk of chunks) {
    const s = rest + dec.decode(chunk, { stream: true });
    let start = 0;
    for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", start)) {
      const end = i > start && s.charCodeAt(i - 1) === 13 ? i - 1 : i;
      yield { line: ++n, text: s.slice(start, end) };
      start = i + 1;
    }
    rest = s.slice(start);
  }
  rest += dec.decode();
  if (rest.length > 0) yield { line: ++n, text: rest.endsWith("\r") ? rest.slice(0, -1) : rest };
}

/** The bytes of a local file as a stream of chunks. */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  return Bun.file(path).stream() as unknown as AsyncIterable<Uint8Array>;
}
