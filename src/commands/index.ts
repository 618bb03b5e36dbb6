/** Every subcommand, in the order --help lists them. */
import type { Command } from "commander";
import { dedupCommand } from "./dedup.ts";
import { doctorCommand } from "./doctor.ts";
import { normalizeCommand } from "./normalize.ts";
import { packCommand } from "./pack.ts";
import { reportCommand } from "./report.ts";
import { smokeCommand } from "./smoke.ts";
import { tokenizeCommand } from "./tokenize.ts";
import { checksumCommand } from "./checksum.ts";
import { inspectMegatronCommand } from "./inspect-megatron.ts";

export function commands(): Command[] {
  return [smokeCommand(), normalizeCommand(), dedupCommand(), packCommand(), reportCommand(), tokenizeCommand(), inspectMegatronCommand(), checksumCommand(), doctorCommand()];
}
