/**
 * Debian's translated manual pages (/usr/share/man/<lang>/man*\/*.gz, the
 * manpages-<lang> packages) as plain multilingual documents: troff requests
 * and font escapes are stripped, the words stay. One page makes one
 * document. Used by bench/lang-id.ts and scripts/fixtures/make-lid-fixture.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface ManPage {
  /** The folder's language tag (de, pt_BR, zh_CN, ...). */
  lang: string;
  path: string;
  text: string;
}

const ROOT = "/usr/share/man";

/** Language folders with their page files, sorted; English pages (man1..man8) under "en". */
export function manPageFiles(root = ROOT): { lang: string; files: string[] }[] {
  if (!existsSync(root)) return [];
  const out: { lang: string; files: string[] }[] = [];
  for (const dir of readdirSync(root).sort()) {
    const base = join(root, dir);
    if (!statSync(base).isDirectory()) continue;
    const sections = dir.startsWith("man")
      ? [base]
      : readdirSync(base)
          .sort()
          .filter((s) => s.startsWith("man"))
          .map((s) => join(base, s));
    const lang = dir.startsWith("man") ? "en" : dir.split(".")[0]!;
    const files = sections.flatMap((s) =>
      statSync(s).isDirectory()
        ? readdirSync(s)
            .sort()
            .filter((f) => f.endsWith(".gz"))
            .map((f) => join(s, f))
        : [],
    );
    const entry = out.find((e) => e.lang === lang);
    if (entry) entry.files.push(...files);
    else out.push({ lang, files });
  }
  return out.filter((e) => e.files.length > 0);
}

/** troff source -> text: requests keep their arguments, escapes go. */
export function troffToText(src: string): string {
  const lines: string[] = [];
  for (const raw of src.split("\n")) {
    if (/^[.'][ \t]*\\"/.test(raw) || /^\\"/.test(raw)) continue;
    let line = raw;
    if (/^[.']/.test(line)) {
      const m = /^[.'][ \t]*([A-Za-z]{1,3})[ \t]*(.*)$/.exec(line);
      if (!m || !/^(SH|SS|B|I|BR|RB|BI|IB|IR|RI|TP|IP|SM|SB|UR|MT|TH|Nm|Nd|Sh|Ss|Pp|It|Fl|Ar|Op|Xr)$/.test(m[1]!)) continue;
      line = m[2]!.replace(/"/g, "");
    }
    line = line
      .replace(/\\f(\[[^\]]*\]|\(..|.)/g, "")
      .replace(/\\\*(\[[^\]]*\]|\(..|.)/g, "")
      .replace(/\\\((em|en|hy)/g, "-")
      .replace(/\\\(../g, "")
      .replace(/\\\[[^\]]*\]/g, "")
      .replace(/\\s[+-]?\d/g, "")
      .replace(/\\[-e]/g, (s) => (s === "\\-" ? "-" : "\\"))
      .replace(/\\[&|^c%:]/g, "")
      .replace(/\\ /g, " ")
      .trim();
    if (line.length > 0) lines.push(line);
  }
  return lines.join("\n");
}

/**
 * Up to `perLang` pages from each language (in sorted path order), each cut
 * to at most `maxChars` characters at a line break, skipping pages shorter
 * than `minChars` and pages with a `</s>` token (fastText's end of line).
 */
export function loadManPages(o: { perLang: number; maxChars: number; minChars: number; root?: string }): ManPage[] {
  const out: ManPage[] = [];
  for (const { lang, files } of manPageFiles(o.root)) {
    let n = 0;
    for (const path of files) {
      if (n >= o.perLang) break;
      let text: string;
      try {
        text = troffToText(new TextDecoder("utf-8", { fatal: true }).decode(gunzipSync(readFileSync(path))));
      } catch {
        continue; // not UTF-8 or not gzip: skipped
      }
      if (text.length > o.maxChars) {
        const cut = text.lastIndexOf("\n", o.maxChars);
        text = text.slice(0, cut > o.minChars ? cut : o.maxChars);
      }
      if (text.length < o.minChars || /(^|\s)<\/s>(\s|$)/.test(text)) continue;
      out.push({ lang, path, text });
      n++;
    }
  }
  return out;
}
