import { Command } from "commander";
import { GammaError } from "../errors.ts";
import { runVerify } from "../stages/verify.ts";
import { addGlobals, readGlobals } from "./globals.ts";

export function verifyCommand(): Command {
  return addGlobals(new Command("verify"))
    .description(
      "Hash again every file that the gamma manifests under DIR name (outputs, inputs, tokenizers) and compare with the recorded sha256 and size; check that document counts add up and carry over from stage to stage (normalize kept -> dedup in -> tokenize/pack in, where the files link by sha256). Writes a record (files, sha256, verified_at) to DIR/verify.json or --out; exits 1 naming every missing or changed file and every mismatch.",
    )
    .argument("<dir>", "folder holding the manifests (searched recursively for *.json with a gamma kind)")
    .option("--out <file>", "where to write the verification record (default DIR/verify.json)")
    .action(async (dir: string, o) => {
      readGlobals(o);
      const { record, out } = await runVerify(dir, o.out ?? null);
      for (const p of record.problems) process.stderr.write(`gamma: verify: ${p}\n`);
      process.stdout.write(JSON.stringify({ out, ok: record.ok, files: record.files.length, problems: record.problems.length }) + "\n");
      if (!record.ok) throw new GammaError("verify_failed", `verify: ${record.problems.length} problem(s) under ${dir}; see ${out}`);
    });
}
