/**
 * Which substrings may become pieces, as SentencePiece's trainer decides: no unknown or
 * boundary characters, U+2581 only first (last with treat_whitespace_as_suffix), one Unicode
 * script per piece (Hiragana and Katakana count as Han, combining marks take the script before
 * them), digits alone with split_digits, and at most max_sentencepiece_length characters.
 * Checked one character at a time, so enumeration stops at the first character that breaks a rule.
 */

export const WS = 0x2581;
/** What SentencePiece puts in place of characters outside the character coverage. */
export const UNK_CHAR = 0x2585;

const SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Hebrew",
  "Arabic",
  "Syriac",
  "Thaana",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Oriya",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Georgian",
  "Hangul",
  "Ethiopic",
  "Cherokee",
  "Khmer",
  "Mongolian",
  "Han",
  "Hiragana",
  "Katakana",
  "Bopomofo",
  "Yi",
  "Common",
  "Inherited",
].map((name, i) => ({ re: new RegExp(`^\\p{Script=${name}}$`, "u"), id: i, name }));
const HAN = SCRIPTS.find((s) => s.name === "Han")!.id;
const INHERITED = SCRIPTS.find((s) => s.name === "Inherited")!.id;
const HIRAGANA = SCRIPTS.find((s) => s.name === "Hiragana")!.id;
const KATAKANA = SCRIPTS.find((s) => s.name === "Katakana")!.id;
const OTHER = SCRIPTS.length;
const ANY = -1;
const DIGIT = /^\p{Nd}$/u;

const scriptCache = new Map<number, number>();
const digitCache = new Map<number, boolean>();

function scriptOf(c: number): number {
  let s = scriptCache.get(c);
  if (s === undefined) {
    const ch = String.fromCodePoint(c);
    s = SCRIPTS.find((x) => x.re.test(ch))?.id ?? OTHER;
    if (s === HIRAGANA || s === KATAKANA || c === 0x30fc) s = HAN;
    scriptCache.set(c, s);
  }
  return s;
}

export function isDigit(c: number): boolean {
  let d = digitCache.get(c);
  if (d === undefined) {
    d = DIGIT.test(String.fromCodePoint(c));
    digitCache.set(c, d);
  }
  return d;
}

export interface PieceRules {
  maxLength: number;
  splitByUnicodeScript: boolean;
  splitByNumber: boolean;
  splitDigits: boolean;
  treatWhitespaceAsSuffix: boolean;
}

/** Walks a candidate piece character by character; `add` says whether the piece so far is still valid. */
export class PieceCheck {
  private prevScript = ANY;
  private length = 0;
  private hasDigit = false;
  private endedWithWs = false;

  constructor(private readonly rules: PieceRules) {}

  reset(): void {
    this.prevScript = ANY;
    this.length = 0;
    this.hasDigit = false;
    this.endedWithWs = false;
  }

  /** Each code point's script and digit flag, packed for add(): (script + 2) * 2 + digit. */
  scripts(cps: Int32Array): Int32Array {
    const out = new Int32Array(cps.length);
    const memo = new Map<number, number>();
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      let v = memo.get(c);
      if (v === undefined) {
        v = (scriptOf(c) + 2) * 2 + (isDigit(c) ? 1 : 0);
        memo.set(c, v);
      }
      out[i] = v;
    }
    return out;
  }

  /** Extends the piece by code point c (`packed` from scripts()); false once it is no longer a valid piece. */
  add(c: number, packed: number): boolean {
    const r = this.rules;
    const pos = this.length++;
    if (this.length > r.maxLength) return false;
    if (c === UNK_CHAR || c === 0 || c === 0x20 || c === 0x09) return false;
    if (this.endedWithWs) return false; // suffix mode: nothing after U+2581
    if (c === WS) {
      if (r.treatWhitespaceAsSuffix) this.endedWithWs = true;
      else if (pos > 0) return false;
      return true;
    }
    let s = (packed >> 1) - 2;
    if (s === INHERITED) s = this.prevScript;
    const digit = (packed & 1) === 1;
    if (!r.splitByNumber && digit) s = ANY;
    if (r.splitDigits) {
      if (digit && pos > 0) return false;
      if (this.hasDigit) return false;
      if (digit) this.hasDigit = true;
    }
    if (r.splitByUnicodeScript && s !== ANY && this.prevScript !== ANY && this.prevScript !== s) return false;
    this.prevScript = s;
    return true;
  }
}
