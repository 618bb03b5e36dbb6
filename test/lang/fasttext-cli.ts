/** fastText's command-line tool (Debian package fasttext) as the reference for the language tests. */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const HAVE_FASTTEXT = spawnSync("fasttext", [], { encoding: "utf8" }).error === undefined;
if (!HAVE_FASTTEXT)
  console.warn(
    "SKIP: the fasttext command-line tool is not installed (apt-get install fasttext); tests that train models with it are skipped",
  );

export interface FixtureDoc {
  source: string;
  text: string;
  /** fasttext predict-prob's top 3: [label without __label__, probability as printed]. */
  cli: [string, number][];
}

export const FIXTURE = join(import.meta.dir, "fixtures/lid176-manpages.jsonl");

export function fixtureDocs(): FixtureDoc[] {
  return readFileSync(FIXTURE, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as FixtureDoc);
}

/** The folder language of a manual page in the fixture (man:de/man1/ls.1.gz -> de), or null. */
export function pageLanguage(source: string): string | null {
  const m = /^man:([a-z]{2})/.exec(source);
  return m ? m[1]! : source.startsWith("man:man") ? "en" : null;
}

function run(args: string[], input?: string): string {
  const r = spawnSync("fasttext", args, { input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`fasttext ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** Trains a supervised model on `__label__X text` lines; returns the .bin path (and the .ftz when quantized). */
export function trainModel(
  dir: string,
  name: string,
  lines: string[],
  flags: string[],
  quantize: string[] | null = null,
): { bin: string; ftz: string | null } {
  const train = join(dir, `${name}.train.txt`);
  writeFileSync(train, lines.join("\n") + "\n");
  const out = join(dir, name);
  run(["supervised", "-input", train, "-output", out, "-thread", "1", "-verbose", "0", ...flags]);
  if (quantize === null) return { bin: `${out}.bin`, ftz: null };
  run(["quantize", "-input", train, "-output", out, "-thread", "1", "-verbose", "0", ...quantize]);
  return { bin: `${out}.bin`, ftz: `${out}.ftz` };
}

/** `fasttext predict-prob MODEL - k` on lines (newlines in a text become spaces). */
export function cliPredict(model: string, texts: string[], k: number): [string, number][][] {
  const out = run(["predict-prob", model, "-", String(k)], texts.map((t) => t.replace(/\n/g, " ")).join("\n") + "\n").split("\n");
  out.pop();
  return out.map((line) => {
    const f = line.split(" ").filter((x) => x.length > 0);
    const r: [string, number][] = [];
    for (let j = 0; j + 1 < f.length; j += 2) r.push([f[j]!.replace(/^__label__/, ""), Number(f[j + 1])]);
    return r;
  });
}
