import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { get_encoding } from "tiktoken";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { o200kTiktokenBytes } from "../../scripts/make-o200k-tiktoken.ts";
import { tempDir } from "../helpers/tmp.ts";
import { brown, hostile } from "./corpora.ts";

const PINNED = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"; // the pinned o200k_base file

test("the tiktoken package's o200k_base data writes out as the official o200k_base.tiktoken", async () => {
  const bytes = o200kTiktokenBytes();
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(PINNED);

  const path = join(tempDir("gamma-o200k-"), "o200k_base.tiktoken");
  writeFileSync(path, bytes);
  const tok = await loadTokenizer(path, { expectedSha256: PINNED });
  const ref = get_encoding("o200k_base");
  for (const d of [...brown(60_000), ...hostile()]) {
    expect(Array.from(tok.encode(d.text))).toEqual(Array.from(ref.encode(d.text, [], [])));
  }
});
