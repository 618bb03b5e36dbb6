/**
 * Post HTML (Stack Exchange bodies) to plain text that keeps its structure:
 * paragraphs and headings become blank-line separated blocks, lists become
 * "- " / "1. " lines, blockquotes "> " lines, and <pre> code blocks become
 * fenced blocks whose content is kept byte for byte (entities decoded, tags
 * stripped, whitespace untouched); inline <code> becomes `code`. Links keep
 * their text, images are dropped, unknown tags are ignored.
 */

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  micro: "µ",
  para: "¶",
  sect: "§",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  harr: "↔",
  rArr: "⇒",
  le: "≤",
  ge: "≥",
  ne: "≠",
  asymp: "≈",
  infin: "∞",
  minus: "−",
  shy: "\u00ad",
  zwj: "\u200d",
  zwnj: "\u200c",
};

/** Decodes named (common set) and numeric character references; unknown ones stay as written. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#[xX][0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,10});/g, (whole, name: string) => {
    if (name[0] !== "#") return NAMED[name] ?? whole;
    const cp = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : "\ufffd";
  });
}

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const BLOCK = new Set([
  "p",
  "div",
  "section",
  "article",
  "header",
  "footer",
  "table",
  "dl",
  "dd",
  "dt",
  "figure",
  "figcaption",
  "details",
  "summary",
]);
const INDENT = "\u0001";
const CODE = "\u0002";

interface Frame {
  kind: "root" | "blockquote";
  out: string[];
}

function normalize(text: string): string {
  return text
    .split("\n")
    .map((l) => l.replace(/[ \t\u00a0]+$/g, "").replace(/^[ \t]+/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Plain text of an HTML fragment (see the file comment for the rules). */
export function htmlToText(html: string): string {
  const codes: string[] = [];
  const stack: Frame[] = [{ kind: "root", out: [] }];
  const lists: { ordered: boolean; n: number }[] = [];
  let inlineCode = 0;
  let cellInRow = 0;
  const emit = (s: string) => stack[stack.length - 1].out.push(s);
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(html); m; m = TOKEN.exec(html)) {
    const text = html.slice(last, m.index);
    last = TOKEN.lastIndex;
    if (text) emit(inlineCode ? decodeHtmlEntities(text) : decodeHtmlEntities(text).replace(/\s+/g, " "));
    if (m[0].startsWith("<!--")) continue;
    const closing = m[1] === "/";
    const tag = m[2].toLowerCase();
    if (tag === "pre" && !closing) {
      const end = html.toLowerCase().indexOf("</pre>", last);
      const raw = html.slice(last, end < 0 ? html.length : end);
      const lang = (m[3].match(/class\s*=\s*["'][^"']*\blang-([\w+#-]+)/) ?? [])[1] ?? "";
      const code = decodeHtmlEntities(raw.replace(TOKEN, "")).replace(/\n+$/, "");
      codes.push(`\`\`\`${lang}\n${code}\n\`\`\``);
      emit(`\n\n${CODE}${codes.length - 1}${CODE}\n\n`);
      last = end < 0 ? html.length : end + 6;
      TOKEN.lastIndex = last;
      continue;
    }
    if (tag === "code") {
      inlineCode += closing ? -1 : 1;
      if (inlineCode < 0) inlineCode = 0;
      emit("`");
    } else if (tag === "br") emit("\n");
    else if (tag === "hr") emit("\n\n---\n\n");
    else if (/^h[1-6]$/.test(tag)) emit(closing ? "\n\n" : `\n\n${"#".repeat(Number(tag[1]))} `);
    else if (tag === "ul" || tag === "ol") {
      if (closing) lists.pop();
      else lists.push({ ordered: tag === "ol", n: 0 });
      // a top-level list is a block; a nested one continues its parent item's lines
      if (lists.length === (closing ? 0 : 1)) emit("\n\n");
    } else if (tag === "li") {
      if (!closing) {
        const l = lists[lists.length - 1] ?? { ordered: false, n: 0 };
        l.n++;
        emit(`\n${INDENT.repeat(2 * Math.max(0, lists.length - 1))}${l.ordered ? `${l.n}.` : "-"} `);
      }
    } else if (tag === "blockquote") {
      if (!closing) stack.push({ kind: "blockquote", out: [] });
      else if (stack.length > 1) {
        const inner = normalize(stack.pop()!.out.join(""));
        emit(
          `\n\n${inner
            .split("\n")
            .map((l) => (l ? `> ${l}` : ">"))
            .join("\n")}\n\n`,
        );
      }
    } else if (tag === "tr") {
      cellInRow = 0;
      emit("\n");
    } else if (tag === "td" || tag === "th") {
      if (!closing && cellInRow++ > 0) emit(" | ");
    } else if (BLOCK.has(tag)) emit("\n\n");
  }
  const tail = html.slice(last);
  if (tail) emit(decodeHtmlEntities(tail).replace(/\s+/g, " "));
  while (stack.length > 1) {
    const inner = normalize(stack.pop()!.out.join(""));
    emit(
      `\n\n${inner
        .split("\n")
        .map((l) => `> ${l}`)
        .join("\n")}\n\n`,
    );
  }
  return normalize(stack[0].out.join(""))
    .replaceAll(INDENT, " ")
    .replace(new RegExp(`${CODE}(\\d+)${CODE}`, "g"), (_, i) => codes[Number(i)]);
}
