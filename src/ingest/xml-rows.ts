/**
 * A streaming reader for the `<row a="..." b="..."/>` elements of Stack
 * Exchange dump files (Posts.xml and friends). It holds one chunk and one
 * row at a time, never the file. Other markup (<?xml?>, <posts>, comments)
 * is skipped. A row that is not well formed (unterminated, a raw "<" or bad
 * syntax inside, an unknown entity) is reported with its line and reading
 * resumes at the next "<": XML forbids a raw "<" in attribute values, so
 * the next "<" is a safe place to pick up again.
 */

export interface XmlRow {
  attrs: Record<string, string>;
  /** 1-based line of the "<row". */
  line: number;
}

export interface BrokenRow {
  line: number;
  message: string;
  excerpt: string;
}

export interface XmlRowOptions {
  onBroken: (b: BrokenRow) => void;
  /** A row longer than this is broken (default 64 MiB). */
  maxRowChars?: number;
}

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five XML entities and character references; throws on anything else. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) throw new Error(`"&" not starting an entity near "${whole}"`);
    if (name in NAMED) return NAMED[name];
    const m = name.match(/^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/);
    if (!m) throw new Error(`unknown entity &${name};`);
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      throw new Error(`character reference &${name}; is not a valid character`);
    return String.fromCodePoint(cp);
  });
}

const ATTR = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** The attributes of a row's inside (the text between "<row" and "/>"). Throws when malformed. */
export function parseAttributes(inner: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  let i = 0;
  while (i < inner.length) {
    if (/^\s*$/.test(inner.slice(i))) break;
    ATTR.lastIndex = i;
    const m = ATTR.exec(inner);
    if (!m) throw new Error(`bad attribute syntax at "${inner.slice(i, i + 30).trim()}"`);
    if (m[1] in attrs) throw new Error(`attribute ${m[1]} given twice`);
    // attribute-value normalization: literal tab/newline/CR become spaces
    attrs[m[1]] = decodeXmlEntities((m[2] ?? m[3]).replace(/[\t\n\r]/g, " "));
    i = ATTR.lastIndex;
  }
  return attrs;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf("\n", from); i >= 0 && i < to; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** Where a row that starts at `start` ends: index after "/>" (or after ">"), "broken" at a raw "<", or -1 if more input is needed. */
function rowEnd(buf: string, start: number): { end: number; innerEnd: number } | { broken: number } | null {
  let quote = "";
  for (let i = start + 4; i < buf.length; i++) {
    const c = buf[i];
    if (c === "<") return { broken: i };
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "/") {
      if (i + 1 >= buf.length) return null;
      if (buf[i + 1] === ">") return { end: i + 2, innerEnd: i };
    } else if (c === ">") return { end: i + 1, innerEnd: i };
  }
  return null;
}

/** Yields every well-formed `<row .../>`; broken rows go to `onBroken`. */
export async function* xmlRows(chunks: AsyncIterable<Uint8Array>, opts: XmlRowOptions): AsyncGenerator<XmlRow> {
  const maxRow = opts.maxRowChars ?? 64 * 1024 * 1024;
  const dec = new TextDecoder("utf-8");
  let buf = "";
  let pos = 0;
  let line = 1;
  let eof = false;
  const iter = chunks[Symbol.asyncIterator]();
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const { done, value } = await iter.next();
    if (done) {
      eof = true;
      buf = buf.slice(pos) + dec.decode();
    } else buf = buf.slice(pos) + dec.decode(value, { stream: true });
    pos = 0;
    return !done || buf.length > 0;
  };
  const broken = (at: number, upto: number, message: string) =>
    opts.onBroken({ line: at, message, excerpt: buf.slice(pos, Math.min(upto, pos + 200)) });

  for (;;) {
    const lt = buf.indexOf("<", pos);
    if (lt < 0) {
      line += countNewlines(buf, pos, buf.length);
      pos = buf.length;
      if (!(await more())) return;
      continue;
    }
    line += countNewlines(buf, pos, lt);
    pos = lt;
    if (buf.length - pos < 5 && !eof) {
      await more();
      continue;
    }
    if (!/^<row[\s/>]/.test(buf.slice(pos, pos + 5))) {
      // other markup: skip past its end (comments to "-->")
      const closer = buf.startsWith("<!--", pos) ? "-->" : ">";
      const end = buf.indexOf(closer, pos + 1);
      if (end < 0) {
        if (eof) return;
        await more();
        continue;
      }
      line += countNewlines(buf, pos, end);
      pos = end + closer.length;
      continue;
    }
    const r = rowEnd(buf, pos);
    if (r === null) {
      if (buf.length - pos > maxRow) {
        broken(line, buf.length, `row longer than ${maxRow} characters`);
        const next = buf.indexOf("<", pos + 1);
        line += countNewlines(buf, pos, next < 0 ? buf.length : next);
        pos = next < 0 ? buf.length : next;
        continue;
      }
      if (eof) {
        broken(line, buf.length, "row not terminated before the end of the file");
        return;
      }
      await more();
      continue;
    }
    if ("broken" in r) {
      broken(line, r.broken, 'row not terminated by "/>" (a raw "<" follows)');
      line += countNewlines(buf, pos, r.broken);
      pos = r.broken;
      continue;
    }
    const rowLine = line;
    let attrs: Record<string, string> | null = null;
    try {
      attrs = parseAttributes(buf.slice(pos + 4, r.innerEnd));
    } catch (e) {
      broken(rowLine, r.end, e instanceof Error ? e.message : String(e));
    }
    line += countNewlines(buf, pos, r.end);
    pos = r.end;
    if (attrs) yield { attrs, line: rowLine };
  }
}
