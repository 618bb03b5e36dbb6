#!/usr/bin/env bun
/**
 * argv -> command. The only file that calls process.exit: errors become a
 * one-line message and an exit code (2 for bad usage or config, 1 otherwise).
 */
import { Command, CommanderError } from "commander";
import { GammaError } from "./errors.ts";
import { releaseBackend } from "./gpu/device.ts";
import { GAMMA_VERSION } from "./version.ts";
import { commands } from "./commands/index.ts";
import { gammaEnv } from "./runtime/env.ts";
import "./tokenizer/shipped.ts";

const program = new Command("gamma")
  .description(
    "gamma: a data pipeline for LLM pretraining in one binary. Ingest, normalize, filter, deduplicate (exact, and near with MinHash LSH on WebGPU or CPU), tokenize and pack, with manifests and reports. Start with `gamma smoke`.",
  )
  .version(GAMMA_VERSION, "-V, --version", "print the gamma version")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

// The command list shows each command's first sentence; `gamma CMD --help` shows all of it.
for (const c of commands())
  program.addCommand(
    c
      .summary(
        c
          .description()
          .split(/(?<=[.:])\s/)[0]!
          .replace(/:$/, "."),
      )
      .exitOverride(),
  );

async function main(argv: string[]): Promise<number> {
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    // Every environment variable is checked before any command starts work.
    gammaEnv();
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof GammaError) {
      process.stderr.write(`gamma: error: ${e.message}\n`);
      if (process.env.GAMMA_DEBUG && e.cause) process.stderr.write(`${String((e.cause as Error)?.stack ?? e.cause)}\n`);
      return e.exitCode;
    }
    process.stderr.write(
      `gamma: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in gamma; please report it with the command you ran.\n`,
    );
    return 1;
  } finally {
    releaseBackend();
  }
}

const code = await main(process.argv);
process.exit(code);
