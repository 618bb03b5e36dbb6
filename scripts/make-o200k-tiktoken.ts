/**
 * Writes o200k_base.tiktoken from the `tiktoken` npm package (a dev dependency), byte for byte
 * the official file: sha256 446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d.
 *
 *   bun run scripts/make-o200k-tiktoken.ts OUT_PATH
 *
 * The package stores the ranks as one string, "! <first rank> <base64> <base64> ...", where
 * each "! N" starts a run of consecutive ranks at N. The official file is "<base64> <rank>\n"
 * per rank, ascending. The digest is checked before anything is written.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export const O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d";

export function o200kTiktokenBytes(): Uint8Array {
  const src = require.resolve("tiktoken/encoders/o200k_base.json");
  const { bpe_ranks } = JSON.parse(readFileSync(src, "utf8")) as { bpe_ranks: string };
  const words = bpe_ranks.split(" ");
  const lines: string[] = [];
  let rank = 0;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "!") {
      rank = Number(words[++i]);
      continue;
    }
    lines.push(`${words[i]} ${rank++}\n`);
  }
  return new TextEncoder().encode(lines.join(""));
}

if (import.meta.main) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: bun run scripts/make-o200k-tiktoken.ts OUT_PATH");
    process.exit(2);
  }
  const bytes = o200kTiktokenBytes();
  const sha = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  if (sha !== O200K_SHA256) {
    console.error(`refusing to write: sha256 ${sha} is not the official ${O200K_SHA256}`);
    process.exit(1);
  }
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
  console.error(`wrote ${out} (${bytes.length} bytes, sha256 ${sha})`);
}
