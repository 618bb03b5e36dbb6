/**
 * Turning `--tokenizer` into a file. A path is used as given. A bare name (`o200k_base`) is
 * looked up only among files the user supplied (directories in GAMMA_TOKENIZER_DIR, or
 * `searchDirs`) and files gamma ships (registerShippedTokenizer); gamma never downloads one.
 */
import { existsSync, statSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { knownByName } from "./known-encodings.ts";

const shipped = new Map<string, string>();

/** Makes a file embedded in the binary (e.g. `import p from "...tiktoken" with { type: "file" }`) findable by name. */
export function registerShippedTokenizer(name: string, path: string): void {
  shipped.set(name, path);
}

export interface Resolved {
  path: string;
  /** A known encoding the name asked for (e.g. o200k_harmony), when resolved from a bare name. */
  encodingName: string | null;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function resolveTokenizer(pathOrName: string, searchDirs?: string[]): Resolved {
  if (isFile(pathOrName)) return { path: pathOrName, encodingName: null };
  if (existsSync(pathOrName) && isFile(join(pathOrName, "tokenizer.json"))) {
    return { path: join(pathOrName, "tokenizer.json"), encodingName: null };
  }
  const bare = /^[A-Za-z0-9_.-]+$/.test(pathOrName) && !/\.(json|tiktoken|model)$/.test(pathOrName);
  if (!bare)
    throw new ConfigError(
      `tokenizer file ${pathOrName} does not exist; pass the path of a tokenizer.json, .tiktoken or SentencePiece .model file`,
    );

  const dirs = searchDirs ?? (process.env.GAMMA_TOKENIZER_DIR ?? "").split(delimiter).filter((d) => d !== "");
  const names = [pathOrName];
  const known = knownByName(pathOrName);
  if (known && known.ranksName !== pathOrName) names.push(known.ranksName);
  for (const name of names) {
    for (const dir of dirs) {
      for (const cand of [
        join(dir, `${name}.tiktoken`),
        join(dir, name, "tokenizer.json"),
        join(dir, `${name}.json`),
        join(dir, `${name}.model`),
      ]) {
        if (isFile(cand)) return { path: cand, encodingName: known ? known.name : null };
      }
    }
    const s = shipped.get(name);
    if (s !== undefined) return { path: s, encodingName: known ? known.name : null };
  }
  const where = dirs.length > 0 ? `in ${dirs.join(", ")}` : "(GAMMA_TOKENIZER_DIR is not set)";
  const ships = shipped.size > 0 ? `; gamma ships ${[...shipped.keys()].join(", ")}` : "; gamma ships no tokenizer files";
  throw new ConfigError(
    `tokenizer ${JSON.stringify(pathOrName)} is neither a file nor a known file ${where}${ships}. ` +
      `gamma never downloads tokenizers: pass the path of a tokenizer.json, ${pathOrName}.tiktoken or ${pathOrName}.model`,
  );
}

/** The file name without directory and extension, e.g. o200k_base for data/o200k_base.tiktoken. */
export function fileStem(path: string): string {
  return basename(path).replace(/\.[^.]*$/, "");
}
