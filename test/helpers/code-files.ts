/** Real source files from this machine (Python's standard library, JavaScript in node_modules), in a fixed order. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const NM = join(import.meta.dir, "../../node_modules");

function pythonDir(): string | null {
  for (const d of ["/usr/lib/python3.11", "/usr/lib/python3.12", "/usr/lib/python3.13"]) if (existsSync(d)) return d;
  return null;
}

/** Up to `n` Python and `n` JavaScript files (path, language, text), each under `maxBytes`. */
export function codeFiles(n: number, maxBytes = 60_000): { path: string; language: string; text: string }[] {
  const out: { path: string; language: string; text: string }[] = [];
  const take = (dir: string, ext: string, language: string) => {
    let got = 0;
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith(ext))
      .sort()) {
      if (got >= n) break;
      const text = readFileSync(join(dir, f), "utf8");
      if (text.length > maxBytes || text.length < 200) continue;
      out.push({ path: join(dir, f), language, text });
      got++;
    }
  };
  const py = pythonDir();
  if (py !== null) take(py, ".py", "python");
  for (const d of ["commander/lib", "yaml/dist", "yaml/dist/compose", "yaml/dist/parse", "yaml/dist/nodes"])
    take(join(NM, d), ".js", "javascript");
  return out;
}
