/**
 * `gamma verify DIR`: every file the manifests under DIR name is hashed again and compared
 * with the sha256 (and size) recorded; counts must carry over from stage to stage where one
 * stage's outputs are the next one's inputs (normalize kept -> dedup in, dedup kept or
 * normalize kept -> tokenize/pack documents in). The record of what was checked goes to
 * DIR/verify.json (or --out); any problem is listed there and makes the command exit 1.
 */
import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { sha256File } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { info } from "../log.ts";
import { countsAddUp, type StageCounts } from "../pipeline.ts";
import { classify, findManifests, namedFiles, readManifest } from "../report/manifest-files.ts";
import { GAMMA_VERSION } from "../version.ts";

export const VERIFY_KIND = "gamma.verify/v1";

export interface VerifiedFile {
  path: string;
  manifest: string;
  role: string;
  sha256: string;
  bytes: number | null;
  found_sha256: string | null;
  found_bytes: number | null;
  status: "ok" | "changed" | "missing";
}

export interface CarryCheck {
  what: string;
  expected: number;
  found: number;
  ok: boolean;
}

export interface VerifyRecord {
  kind: typeof VERIFY_KIND;
  gamma_version: string;
  verified_at: string;
  dir: string;
  manifests: { path: string; kind: string; read: boolean; reason?: string }[];
  files: VerifiedFile[];
  unchecked: { path: string; manifest: string; role: string; why: string }[];
  carry: CarryCheck[];
  problems: string[];
  ok: boolean;
}

interface Kept {
  kept: number;
  manifest: string;
}

export async function runVerify(dirArg: string, outArg: string | null): Promise<{ record: VerifyRecord; out: string }> {
  const dir = resolve(dirArg);
  if (!existsSync(dir)) throw new ConfigError(`verify: ${dirArg} does not exist`);
  const out = outArg ?? resolve(dir, "verify.json");
  const show = (p: string) => {
    const r = relative(dir, p);
    return r.startsWith("..") || isAbsolute(r) ? p : r;
  };
  const rec: VerifyRecord = {
    kind: VERIFY_KIND,
    gamma_version: GAMMA_VERSION,
    verified_at: createdAt(),
    dir: dirArg,
    manifests: [],
    files: [],
    unchecked: [],
    carry: [],
    problems: [],
    ok: true,
  };
  const paths = findManifests(dir).filter((p) => resolve(p) !== resolve(out));
  if (paths.length === 0) throw new ConfigError(`verify: no gamma manifest (a .json file with a "gamma." kind) under ${dirArg}`);
  const hashes = new Map<string, { sha256: string; bytes: number } | null>();
  const hash = async (p: string) => {
    if (!hashes.has(p)) hashes.set(p, existsSync(p) ? await sha256File(p) : null);
    return hashes.get(p)!;
  };
  const loaded: { path: string; stage: string; m: Record<string, unknown> }[] = [];
  for (const path of paths) {
    const m = readManifest(path)!;
    const c = classify(m.kind);
    if (c.record) continue;
    rec.manifests.push({ path: show(path), kind: m.kind as string, read: c.understood, ...(c.reason ? { reason: c.reason } : {}) });
    loaded.push({ path, stage: c.stage, m });
    const nf = namedFiles(m, path);
    for (const u of nf.unchecked) rec.unchecked.push({ path: u.recorded, manifest: show(path), role: u.role, why: u.why });
    for (const f of nf.files) {
      const got = await hash(f.path);
      const status = got === null ? "missing" : got.sha256 !== f.sha256 || (f.bytes !== null && got.bytes !== f.bytes) ? "changed" : "ok";
      rec.files.push({
        path: show(f.path),
        manifest: show(path),
        role: f.role,
        sha256: f.sha256,
        bytes: f.bytes,
        found_sha256: got?.sha256 ?? null,
        found_bytes: got?.bytes ?? null,
        status,
      });
      if (status === "missing") rec.problems.push(`missing: ${show(f.path)} (${f.role} of ${show(path)})`);
      if (status === "changed")
        rec.problems.push(
          `changed: ${show(f.path)} (${f.role} of ${show(path)}): sha256 ${got!.sha256}, ${got!.bytes} bytes; the manifest says ${f.sha256}${f.bytes === null ? "" : `, ${f.bytes} bytes`}`,
        );
    }
  }
  carryOver(loaded, rec, show);
  rec.ok = rec.problems.length === 0;
  writeJsonAtomic(out, rec);
  info(
    `verify: ${rec.files.length} file(s) named by ${rec.manifests.length} manifest(s) under ${dirArg}: ${rec.files.filter((f) => f.status === "ok").length} match, ${rec.problems.length} problem(s); record written to ${out}`,
  );
  return { record: rec, out };
}

/** Counts that must agree where one stage read what another wrote (linked by sha256). */
function carryOver(
  loaded: { path: string; stage: string; m: Record<string, unknown> }[],
  rec: VerifyRecord,
  show: (p: string) => string,
): void {
  const producers = new Map<string, Kept>();
  for (const { path, stage, m } of loaded) {
    const counts =
      stage === "tokenize" || stage === "pack" ? (m.counts as { docs?: StageCounts })?.docs : (m.counts as StageCounts | undefined);
    if (counts && typeof counts.in === "number" && !countsAddUp(counts))
      rec.problems.push(`counts do not add up in ${show(path)}: in ${counts.in} != kept + dropped + rejected`);
    if (stage === "normalize")
      producers.set((m.shard as { sha256: string }).sha256, { kept: (m.counts as StageCounts).kept, manifest: path });
    if (stage === "dedup") {
      const d = (m.outputs as Record<string, { sha256: string }>).deduped;
      if (d) producers.set(d.sha256, { kept: (m.counts as StageCounts).kept, manifest: path });
    }
  }
  for (const { path, stage, m } of loaded) {
    let found: number;
    if (stage === "dedup") found = (m.counts as StageCounts).in;
    else if (stage === "tokenize") found = (m.counts as { docs: StageCounts }).docs.in;
    else if (stage === "pack") {
      // With --num-seqs reading stops early: fewer documents in than the inputs hold.
      if (m.num_seqs_limit !== null) continue;
      found = (m.counts as { docs: StageCounts }).docs.in;
    } else continue;
    const inputs = (m.inputs as { sha256: string }[] | undefined) ?? [];
    const from = inputs.map((i) => producers.get(i.sha256));
    if (inputs.length === 0 || from.some((f) => f === undefined)) continue; // not every input was written by a stage under DIR
    const expected = from.reduce((a, f) => a + f!.kept, 0);
    const what = `${stage} ${show(path)}: documents in = documents kept by ${[...new Set(from.map((f) => show(f!.manifest)))].join(", ")}`;
    rec.carry.push({ what, expected, found, ok: expected === found });
    if (expected !== found)
      rec.problems.push(
        `counts do not carry over: ${stage} ${show(path)} read ${found} documents, but its inputs hold ${expected} kept documents`,
      );
  }
}
