/** Every subcommand, in the order --help lists them. */
import type { Command } from "commander";
import { dedupCommand } from "./dedup.ts";
import { doctorCommand } from "./doctor.ts";
import { normalizeCommand } from "./normalize.ts";
import { packCommand } from "./pack.ts";
import { reportCommand } from "./report.ts";
import { smokeCommand } from "./smoke.ts";
import { tokenizeCommand } from "./tokenize.ts";
import { trainTokenizerCommand } from "./train-tokenizer.ts";
import { checksumCommand } from "./checksum.ts";
import { inspectMegatronCommand } from "./inspect-megatron.ts";
import { hfConfigsCommand } from "./hf-configs.ts";
import { hfStreamCommand } from "./hf-stream.ts";
import { ingestManifestCommand } from "./ingest-manifest.ts";
import { ingestStackExchangeCommand } from "./ingest-stackexchange.ts";
import { ingestWikipediaCommand } from "./ingest-wikipedia.ts";
import { sampleCommand } from "./sample.ts";
import { batchesCommand } from "./batches.ts";
import { checkEncodeCommand, encodeCommand } from "./encode.ts";
import { verifyCommand } from "./verify.ts";
import { inspectCommand } from "./inspect.ts";
import { licensesCommand } from "./licenses.ts";
import { runCommand } from "./run.ts";
import { slurmCommand } from "./slurm.ts";

export function commands(): Command[] {
  return [
    smokeCommand(),
    hfConfigsCommand(),
    hfStreamCommand(),
    ingestManifestCommand(),
    ingestWikipediaCommand(),
    ingestStackExchangeCommand(),
    normalizeCommand(),
    sampleCommand(),
    encodeCommand(),
    batchesCommand(),
    checkEncodeCommand(),
    dedupCommand(),
    packCommand(),
    reportCommand(),
    verifyCommand(),
    trainTokenizerCommand(),
    tokenizeCommand(),
    inspectCommand(),
    inspectMegatronCommand(),
    checksumCommand(),
    doctorCommand(),
    runCommand(),
    slurmCommand(),
    licensesCommand(),
  ];
}
