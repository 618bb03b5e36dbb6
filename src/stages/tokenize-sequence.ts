/**
 * How `gamma tokenize` turns one document into a token sequence, before encoding: the language
 * tag, the fill-in-the-middle layout, the special tokens the text may name, EOS; then, after
 * encoding, the cut into chunks of at most --max-length tokens.
 */
import { fimNodeSpans } from "../code/fim-nodes.ts";
import { ConfigError } from "../errors.ts";
import type { Doc } from "../pipeline.ts";
import { chooseFim, fimParts, SENTINEL_TEXTS, type FimChoice, type FimSentinels, type FimSettings } from "../tokenizer/fim.ts";
import { allowedSpecials, splitSpecials, type Part } from "../tokenizer/parts.ts";
import type { Tokenizer } from "../tokenizer/types.ts";

export type MissingTag = "error" | "skip" | "drop";

export interface SequenceOptions {
  eos: number | null;
  allowSpecial: string[];
  languageTags: boolean;
  languageTagTemplate: string;
  missingTag: MissingTag;
  fim: FimSettings | null;
}

export interface SequencePlan {
  eos: number | null;
  allowed: Map<string, number>;
  tags: { template: string; missing: MissingTag; ids: Map<string, number | null>; tokenId: (s: string) => number | null } | null;
  fim: { settings: FimSettings; sentinels: FimSentinels } | null;
}

/** Checks the options against the tokenizer: every special token named must be one of its tokens. */
export function sequencePlan(tok: Tokenizer, o: SequenceOptions): SequencePlan {
  const { allowed, missing } = allowedSpecials(o.allowSpecial, (s) => tok.tokenId(s));
  if (missing.length > 0)
    throw new ConfigError(
      `--allow-special: ${missing.join(", ")} ${missing.length === 1 ? "is not a token" : "are not tokens"} of ${tok.path}`,
    );
  let fim: SequencePlan["fim"] = null;
  if (o.fim !== null && o.fim.rate > 0) {
    const ids = {
      prefix: tok.tokenId(SENTINEL_TEXTS.prefix),
      suffix: tok.tokenId(SENTINEL_TEXTS.suffix),
      middle: tok.tokenId(SENTINEL_TEXTS.middle),
    };
    const lacking = (Object.keys(ids) as (keyof typeof ids)[]).filter((k) => ids[k] === null).map((k) => SENTINEL_TEXTS[k]);
    if (lacking.length > 0)
      throw new ConfigError(
        `--fim-rate ${o.fim.rate}: the FIM sentinel tokens ${lacking.join(", ")} are not tokens of ${tok.path}; use a tokenizer that has them, or --fim-rate 0`,
      );
    fim = { settings: o.fim, sentinels: ids as FimSentinels };
  }
  if (o.languageTags && !o.languageTagTemplate.includes("{language}"))
    throw new ConfigError(`--language-tag-template must contain {language}, got ${JSON.stringify(o.languageTagTemplate)}`);
  const tags = o.languageTags
    ? {
        template: o.languageTagTemplate,
        missing: o.missingTag,
        ids: new Map<string, number | null>(),
        tokenId: (s: string) => tok.tokenId(s),
      }
    : null;
  return { eos: o.eos, allowed, tags, fim };
}

/** The document's language (meta.language), or null. */
export function languageOf(doc: Doc): string | null {
  const l = doc.meta?.language;
  return typeof l === "string" && l.length > 0 ? l : null;
}

/** The tag text of a language (for error messages and the manifest). */
export function tagText(plan: SequencePlan, language: string | null): string {
  return plan.tags!.template.replaceAll("{language}", language ?? "");
}

/** The tag id of a language, or null when the tokenizer has no such token (or there is no language). */
export function tagId(plan: SequencePlan, language: string | null): number | null {
  const t = plan.tags!;
  if (language === null) return null;
  let id = t.ids.get(language);
  if (id === undefined) {
    id = t.tokenId(tagText(plan, language));
    t.ids.set(language, id);
  }
  return id;
}

export interface DocSequence {
  parts: Part[];
  language: string | null;
  fim: FimChoice | null;
  /** "missing": tags asked for and this language has none (the tag is left out). */
  tag: "tagged" | "missing" | "none";
}

/** The parts of one document's sequence. */
export function docSequence(doc: Doc, plan: SequencePlan): DocSequence {
  const language = languageOf(doc);
  const parts: Part[] = [];
  let tag: DocSequence["tag"] = "none";
  if (plan.tags !== null) {
    const id = tagId(plan, language);
    if (id === null) tag = "missing";
    else {
      tag = "tagged";
      parts.push(id);
    }
  }
  const allowed = plan.allowed;
  const fim =
    plan.fim === null
      ? null
      : chooseFim(
          doc.text,
          doc.doc_id,
          plan.fim.settings,
          plan.fim.settings.mode === "ast" ? () => fimNodeSpans(language, doc.text) : undefined,
        );
  if (fim === null) splitSpecials(doc.text, allowed, parts);
  else fimParts(doc.text, fim, plan.fim!.sentinels, parts, (piece, out) => void splitSpecials(piece, allowed, out));
  if (plan.eos !== null) parts.push(plan.eos);
  return { parts, language, fim, tag };
}

/**
 * [start, end) of the chunks of a sequence of n tokens cut every maxLength tokens (null: one
 * chunk), and how many were shorter than minTokens (left out).
 */
export function chunkRanges(n: number, maxLength: number | null, minTokens: number): { kept: [number, number][]; dropped: number } {
  if (n === 0) return minTokens > 0 ? { kept: [], dropped: 1 } : { kept: [[0, 0]], dropped: 0 };
  const kept: [number, number][] = [];
  let dropped = 0;
  const step = maxLength ?? Math.max(n, 1);
  for (let a = 0; a < n; a += step) {
    const b = Math.min(n, a + step);
    if (b - a < minTokens) dropped++;
    else kept.push([a, b]);
  }
  return { kept, dropped };
}
