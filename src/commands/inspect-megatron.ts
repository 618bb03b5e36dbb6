import { Command } from "commander";
import { InputError } from "../errors.ts";
import { checkMegatron, openMegatron } from "../megatron/index.ts";
import { loadTokenizer } from "../tokenizer/index.ts";
import { addGlobals, intArg, readGlobals } from "./globals.ts";

export function inspectMegatronCommand(): Command {
  return addGlobals(new Command("inspect-megatron"))
    .description(
      "Read a Megatron-LM indexed dataset (PREFIX.bin + PREFIX.idx) back, check every invariant of the format, print its counts and show the first documents (decoded with --tokenizer, else as ids). Exits 1 when a check fails.",
    )
    .argument("<prefix>", "path without .bin/.idx, e.g. data/megatron/train/tokens")
    .option("--tokenizer <file>", "decode the shown documents with this tokenizer")
    .option("--show <n>", "how many documents to show", "3")
    .option("--max-token-id <n>", "also flag token ids above N (e.g. the vocabulary size - 1)")
    .action(async (prefix: string, o) => {
      readGlobals(o);
      const problems = await checkMegatron(prefix, {
        maxTokenId: o.maxTokenId === undefined ? undefined : intArg("--max-token-id", o.maxTokenId, 0),
      });
      const ds = await openMegatron(prefix);
      const tok = o.tokenizer ? await loadTokenizer(o.tokenizer, { requireEos: false }) : null;
      const show = Math.min(intArg("--show", o.show, 0), ds.sequenceCount);
      const tokens = ds.sequenceLengths.reduce((a: number, b: number) => a + b, 0);
      const lines = [
        `${prefix}: dtype ${ds.dtype}, ${ds.sequenceCount} sequences, ${ds.documentIndices.length - 1} documents, ${tokens} tokens, ${ds.binBytes} bytes of .bin`,
        problems.length === 0 ? "checks: all invariants hold" : `checks: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
      ];
      for (let i = 0; i < show; i++) {
        const ids = ds.get(i);
        const head = Array.from(ids.subarray(0, 64) as ArrayLike<number>, Number);
        lines.push(`--- document ${i} (${ids.length} tokens)`);
        const more = ids.length > 64 ? " ..." : "";
        let shown = head.join(" ") + more;
        if (tok) {
          try {
            shown = JSON.stringify(tok.decode(head)) + more;
          } catch (e) {
            shown += `  (not decodable with ${o.tokenizer}: ${(e as Error).message})`;
          }
        }
        lines.push(shown);
      }
      ds.close();
      process.stdout.write(lines.join("\n") + "\n");
      if (problems.length > 0) throw new InputError(`inspect-megatron: ${prefix} fails ${problems.length} check(s)`);
    });
}
