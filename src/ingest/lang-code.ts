/**
 * Language codes in dataset config names, parsed, never substring-matched:
 *   "eng_Latn", "asm_Beng", "aai_Latn_removed"  (ISO 639-3 + ISO 15924 script [+ variant], FineWeb-2)
 *   "20231101.en", "20231101.zh-min-nan"        (dump date + wiki code, wikimedia/wikipedia)
 *   "en", "en.noblocklist"                      (language [+ variant], allenai/c4)
 * Language equality understands ISO 639-1 and 639-3 for the common languages
 * below ("en" and "eng" are the same language); script codes compare exactly
 * (case-insensitively).
 */

export interface LangCode {
  lang: string;
  script?: string;
  variant?: string;
}

/** ISO 639-1 -> ISO 639-3 for languages large enough to matter for pretraining corpora. */
const ISO1_TO_3: Record<string, string> = {
  af: "afr",
  am: "amh",
  ar: "arb",
  az: "aze",
  be: "bel",
  bg: "bul",
  bn: "ben",
  bs: "bos",
  ca: "cat",
  cs: "ces",
  cy: "cym",
  da: "dan",
  de: "deu",
  el: "ell",
  en: "eng",
  eo: "epo",
  es: "spa",
  et: "est",
  eu: "eus",
  fa: "pes",
  fi: "fin",
  fr: "fra",
  ga: "gle",
  gl: "glg",
  gu: "guj",
  he: "heb",
  hi: "hin",
  hr: "hrv",
  hu: "hun",
  hy: "hye",
  id: "ind",
  is: "isl",
  it: "ita",
  ja: "jpn",
  ka: "kat",
  kk: "kaz",
  km: "khm",
  kn: "kan",
  ko: "kor",
  ky: "kir",
  la: "lat",
  lo: "lao",
  lt: "lit",
  lv: "lvs",
  mk: "mkd",
  ml: "mal",
  mn: "khk",
  mr: "mar",
  ms: "zsm",
  my: "mya",
  ne: "npi",
  nl: "nld",
  nn: "nno",
  no: "nob",
  nb: "nob",
  pa: "pan",
  pl: "pol",
  ps: "pbt",
  pt: "por",
  ro: "ron",
  ru: "rus",
  si: "sin",
  sk: "slk",
  sl: "slv",
  sq: "als",
  sr: "srp",
  sv: "swe",
  sw: "swh",
  ta: "tam",
  te: "tel",
  tg: "tgk",
  th: "tha",
  tl: "tgl",
  tr: "tur",
  uk: "ukr",
  ur: "urd",
  uz: "uzn",
  vi: "vie",
  yo: "yor",
  zh: "cmn",
};

/** 639-3 macrolanguage codes that FineWeb-2 and others use for an individual language above. */
const ALIASES3: Record<string, string> = {
  ara: "arb",
  fas: "pes",
  msa: "zsm",
  zho: "cmn",
  lav: "lvs",
  nor: "nob",
  swa: "swh",
  uzb: "uzn",
  mon: "khk",
  nep: "npi",
  sqi: "als",
  pus: "pbt",
};

/** One canonical form per language, for comparison. */
export function canonicalLang(code: string): string {
  const c = code.toLowerCase();
  if (c.length === 2) return ISO1_TO_3[c] ?? c;
  return ALIASES3[c] ?? c;
}

function titleCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/** The language code in a config name, or null when the name carries none. */
export function parseLangCode(name: string): LangCode | null {
  let m = name.match(/^([a-z]{2,3})_([A-Z][a-z]{3})(?:_([A-Za-z0-9_]+))?$/);
  if (m) return m[3] ? { lang: m[1], script: m[2], variant: m[3] } : { lang: m[1], script: m[2] };
  m = name.match(/^\d{8}\.([a-z]{2,3}(?:-[a-z]+)*)$/);
  if (m) {
    const [lang, ...rest] = m[1].split("-");
    return rest.length ? { lang, variant: rest.join("-") } : { lang };
  }
  m = name.match(/^([a-z]{2,3})(?:\.([A-Za-z0-9_.-]+))?$/);
  if (m) return m[2] ? { lang: m[1], variant: m[2] } : { lang: m[1] };
  return null;
}

export interface LangFilter {
  lang?: string;
  script?: string;
}

/** True when `name` parses to a code whose language and script match the filter (absent parts match anything). */
export function configMatchesLang(name: string, filter: LangFilter): boolean {
  if (!filter.lang && !filter.script) return true;
  const code = parseLangCode(name);
  if (!code) return false;
  if (filter.lang && canonicalLang(code.lang) !== canonicalLang(filter.lang)) return false;
  if (filter.script && (!code.script || titleCase(code.script) !== titleCase(filter.script))) return false;
  return true;
}
