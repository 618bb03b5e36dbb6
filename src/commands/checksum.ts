import { Command } from "commander";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { createdAt } from "../io/timestamp.ts";
import { tokenizerChecksum } from "../tokenizer/index.ts";
import { GAMMA_VERSION } from "../version.ts";
import { addGlobals, readGlobals } from "./globals.ts";

export function checksumCommand(): Command {
  return addGlobals(new Command("checksum"))
    .description(
      "Print a tokenizer file's SHA-256, check it against an expected digest (exit 2 on a mismatch), and optionally write a JSON record of it.",
    )
    .requiredOption("--tokenizer-path <file>", "tokenizer file (tokenizer.json, .tiktoken, .model, ...)")
    .option("--expected-sha256 <hex>", "the digest the file must have")
    .option("--metadata-json <file>", "write {path, sha256, bytes, expected_sha256, matches, gamma_version, created_at} here")
    .action(async (o) => {
      readGlobals(o);
      const c = await tokenizerChecksum(o.tokenizerPath);
      const expected: string | null = o.expectedSha256 ? String(o.expectedSha256).toLowerCase() : null;
      const matches = expected === null ? null : expected === c.sha256;
      if (o.metadataJson) {
        writeJsonAtomic(o.metadataJson, {
          path: c.path,
          sha256: c.sha256,
          bytes: c.bytes,
          expected_sha256: expected,
          matches,
          gamma_version: GAMMA_VERSION,
          created_at: createdAt(),
        });
      }
      process.stdout.write(`${c.sha256}  ${c.path}\n`);
      if (matches === false) {
        throw new ConfigError(`checksum: ${c.path} has sha256 ${c.sha256}, expected ${expected}; the file is not the pinned tokenizer`, {
          code: "checksum_mismatch",
        });
      }
    });
}
