import { Command } from "commander";
import { runPipelineLocally } from "../pipeline/local.ts";
import { loadPipeline } from "../pipeline/spec.ts";
import { withFlags, readContext } from "../runtime/flags.ts";
import { commands } from "./index.ts";

export function runCommand(): Command {
  return withFlags(new Command("run"), "threads")
    .description(
      "Run a pipeline file on this machine: its stages in order, each as its tasks (gamma processes, as many at once as --cpu-threads allows, each using its stage's cpus_per_task), then the stage's merge. Outputs land in OUT_DIR/<stage>/, logs in OUT_DIR/logs/<stage>/. Finished tasks are kept: run it again to resume. `gamma slurm submit` runs the same pipeline on a cluster, with the same outputs.",
    )
    .argument("<pipeline.yaml>", "the pipeline file (see examples/pipeline.yaml)")
    .option("--out-dir <dir>", "output root (overrides the file's out_dir)")
    .action(async (file: string, o) => {
      const ctx = readContext(o);
      const p = loadPipeline(file, commands(), o.outDir);
      const runs = await runPipelineLocally(p, ctx.threads);
      process.stdout.write(JSON.stringify({ out_dir: p.outDir, stages: runs }) + "\n");
    });
}
