/**
 * Where a document came from: the file and line it has in the packed input, then, following
 * the manifests beside each file, in the normalized shard dedup read and in the raw input
 * normalize read. Files are streamed once per level for all the documents asked about.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readLines } from "../io/read-lines.ts";
import { SHARD_MANIFEST_KIND, type ShardManifest } from "../io/shard-manifest.ts";
import { locate, readManifest } from "../report/manifest-files.ts";

export interface Place {
  file: string;
  line: number;
  /** What the file is: pack input, dedup input (normalized shard), normalize input. */
  role: string;
}

type IdOf = (rec: Record<string, unknown>) => string | null;

const docIdOf: IdOf = (r) => (typeof r.doc_id === "string" ? r.doc_id : null);

/** The 1-based line of each wanted id in the files (first occurrence, files in order). */
async function findLines(files: string[], want: Set<string>, idOf: IdOf): Promise<Map<string, { file: string; line: number }>> {
  const found = new Map<string, { file: string; line: number }>();
  for (const file of files) {
    if (found.size === want.size) break;
    if (!existsSync(file)) continue;
    for await (const lines of readLines(file)) {
      for (const l of lines) {
        let rec: unknown;
        try {
          rec = JSON.parse(l.text);
        } catch {
          continue;
        }
        if (rec === null || typeof rec !== "object") continue;
        const id = idOf(rec as Record<string, unknown>);
        if (id !== null && want.has(id) && !found.has(id)) found.set(id, { file, line: l.lineNo });
      }
    }
  }
  return found;
}

/** What wrote a file, judged by the manifest beside it: dedup (deduped.jsonl.zst) or a normalize shard. */
function writerOf(
  file: string,
): { kind: "dedup"; m: Record<string, unknown>; path: string } | { kind: "normalize"; m: ShardManifest; path: string } | null {
  const dedup = join(dirname(file), "dedup.manifest.json");
  const dm = existsSync(dedup) ? readManifest(dedup) : null;
  if (dm?.kind === "gamma.dedup/v1" && (dm.outputs as Record<string, { path: string }>)?.deduped?.path === basename(file))
    return { kind: "dedup", m: dm, path: dedup };
  const shard = file.replace(/\.jsonl(\.zst|\.gz)?$/, ".manifest.json");
  const sm = shard !== file && existsSync(shard) ? readManifest(shard) : null;
  if (sm?.kind === SHARD_MANIFEST_KIND) return { kind: "normalize", m: sm as unknown as ShardManifest, path: shard };
  return null;
}

/** Traces each id from the files it was read from back to the raw input, as far as manifests lead. */
export async function traceDocs(files: string[], ids: Set<string>, firstRole: string): Promise<Map<string, Place[]>> {
  const out = new Map<string, Place[]>();
  for (const id of ids) out.set(id, []);
  let level = await findLines(files, ids, docIdOf);
  let role = firstRole;
  for (let depth = 0; depth < 8 && level.size > 0; depth++) {
    for (const [id, at] of level) out.get(id)!.push({ ...at, role });
    // Group by the file they were found in, then follow that file's manifest one step back.
    const byFile = new Map<string, Set<string>>();
    for (const [id, at] of level) {
      if (!byFile.has(at.file)) byFile.set(at.file, new Set());
      byFile.get(at.file)!.add(id);
    }
    const next = new Map<string, { file: string; line: number }>();
    let nextRole = "";
    for (const [file, want] of byFile) {
      const w = writerOf(file);
      if (w === null) continue;
      const dir = dirname(w.path);
      if (w.kind === "dedup") {
        nextRole = "dedup input (normalized shard)";
        const inputs = ((w.m.inputs as { path: string }[]) ?? []).map((i) => locate(i.path, dir));
        for (const [id, at] of await findLines(inputs, want, docIdOf)) next.set(id, at);
      } else {
        nextRole = "normalize input";
        const local = w.m.inputs.filter((i) => !(i as { url?: string }).url);
        const inputs = local.map((i) => locate(i.path, dir));
        const idField = (w.m.params as { id_field?: string | null }).id_field ?? null;
        if (idField === null) {
          // Derived ids end with the input line: <source>/<sha256 prefix>/<line>.
          for (const id of want) {
            const line = Number(id.slice(id.lastIndexOf("/") + 1));
            const k = local.findIndex((i) => id.includes(`/${i.sha256.slice(0, 12)}/`));
            const input = inputs[Math.max(0, k)];
            if (Number.isInteger(line) && input) next.set(id, { file: input, line });
          }
        } else {
          const idOf: IdOf = (r) => {
            const v = r[idField];
            return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
          };
          for (const [id, at] of await findLines(inputs, want, idOf)) next.set(id, at);
        }
      }
    }
    level = next;
    role = nextRole;
  }
  return out;
}
