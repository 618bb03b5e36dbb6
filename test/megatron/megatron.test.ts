import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { checkMegatron, MegatronWriter, openMegatron } from "../../src/megatron/index.ts";
import { tempDir } from "../helpers/tmp.ts";

const tmp = tempDir("gamma-megatron-");

/**
 * An independent reader written from Megatron-LM's indexed_dataset.py (_IndexWriter /
 * IndexedDatasetBuilder), not from gamma's code: header "MMIDIDX\0\0", u64 version 1, u8 dtype
 * code (int32 = 4, uint16 = 8), u64 sequence count, u64 document count, then int32 lengths,
 * int64 byte pointers, int64 document indices starting [0, ...].
 */
function specRead(prefix: string) {
  const idx = readFileSync(`${prefix}.idx`);
  const bin = readFileSync(`${prefix}.bin`);
  const magic = idx.subarray(0, 9).toString("latin1");
  const version = idx.readBigUInt64LE(9);
  const code = idx.readUInt8(17);
  const nseq = Number(idx.readBigUInt64LE(18));
  const ndoc = Number(idx.readBigUInt64LE(26));
  let off = 34;
  const lengths: number[] = [];
  for (let i = 0; i < nseq; i++, off += 4) lengths.push(idx.readInt32LE(off));
  const pointers: number[] = [];
  for (let i = 0; i < nseq; i++, off += 8) pointers.push(Number(idx.readBigInt64LE(off)));
  const docIdx: number[] = [];
  for (let i = 0; i < ndoc; i++, off += 8) docIdx.push(Number(idx.readBigInt64LE(off)));
  const size = code === 4 ? 4 : code === 8 ? 2 : NaN;
  const seqs = lengths.map((n, i) =>
    Array.from({ length: n }, (_, j) => (size === 4 ? bin.readInt32LE(pointers[i] + 4 * j) : bin.readUInt16LE(pointers[i] + 2 * j))),
  );
  return { magic, version, code, nseq, ndoc, lengths, pointers, docIdx, seqs, idxBytes: idx.length, binBytes: bin.length };
}

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

const docs = [[1, 2, 3], [65535], [], [7, 0, 42, 9, 100, 65000], [5]];

describe("MegatronWriter", () => {
  for (const dtype of ["int32", "uint16"] as const) {
    test(`writes ${dtype} files that Megatron's layout reads back byte for byte`, async () => {
      const prefix = join(tmp, `tokens-${dtype}`);
      const w = new MegatronWriter(prefix, dtype);
      for (const d of docs) w.add(Uint32Array.from(d));
      const res = await w.finish();
      const r = specRead(prefix);
      const size = dtype === "int32" ? 4 : 2;
      expect(r.magic).toBe("MMIDIDX\x00\x00");
      expect(r.version).toBe(1n);
      expect(r.code).toBe(dtype === "int32" ? 4 : 8);
      expect([r.nseq, r.ndoc]).toEqual([5, 6]);
      expect(r.lengths).toEqual([3, 1, 0, 6, 1]);
      expect(r.pointers).toEqual([0, 3 * size, 4 * size, 4 * size, 10 * size]);
      expect(r.docIdx).toEqual([0, 1, 2, 3, 4, 5]);
      expect(r.seqs).toEqual(docs);
      expect(r.idxBytes).toBe(34 + 5 * 4 + 5 * 8 + 6 * 8);
      expect(r.binBytes).toBe(11 * size);
      expect(res).toEqual({ sequences: 5, tokens: 11, binSha256: sha(`${prefix}.bin`), idxSha256: sha(`${prefix}.idx`) });
    });
  }

  test("appends the EOS id given to add() to the same sequence", async () => {
    const prefix = join(tmp, "eos");
    const w = new MegatronWriter(prefix, "int32");
    w.add(Uint32Array.from([5, 6]), 199999);
    w.add(new Uint32Array(0), 199999);
    await w.finish();
    const r = specRead(prefix);
    expect([r.lengths, r.seqs, r.docIdx]).toEqual([
      [3, 1],
      [[5, 6, 199999], [199999]],
      [0, 1, 2],
    ]);
  });

  test("an empty dataset has the header and a lone document index 0", async () => {
    const prefix = join(tmp, "empty");
    await new MegatronWriter(prefix, "int32").finish();
    const r = specRead(prefix);
    expect([r.nseq, r.ndoc, r.docIdx, r.binBytes, r.idxBytes]).toEqual([0, 1, [0], 0, 42]);
    expect(await checkMegatron(prefix)).toEqual([]);
  });

  test("writes under temporary names and renames only on finish", async () => {
    const dir = join(tmp, "atomic");
    mkdirSync(dir);
    const w = new MegatronWriter(join(dir, "t"), "int32");
    w.add(Uint32Array.from([1, 2]));
    expect(existsSync(join(dir, "t.bin"))).toBe(false);
    expect(existsSync(join(dir, "t.idx"))).toBe(false);
    await w.finish();
    expect(readdirSync(dir).sort()).toEqual(["t.bin", "t.idx"]);
  });

  test("refuses an id that does not fit uint16 instead of truncating it, and abort leaves nothing", () => {
    const dir = join(tmp, "narrow");
    mkdirSync(dir);
    const w = new MegatronWriter(join(dir, "t"), "uint16");
    w.add(Uint32Array.from([65535]));
    expect(() => w.add(Uint32Array.from([1, 65536]))).toThrow(ConfigError);
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("streams a large dataset across many write chunks", async () => {
    const prefix = join(tmp, "large");
    const w = new MegatronWriter(prefix, "int32");
    let s = 1;
    const expected: number[][] = [];
    for (let d = 0; d < 3000; d++) {
      const n = (s = (s * 48271) % 2147483647) % 400;
      const ids = Uint32Array.from({ length: n }, (_, j) => (d * 7919 + j * 104729) % 200019);
      expected.push(Array.from(ids));
      w.add(ids);
    }
    const res = await w.finish();
    const r = specRead(prefix);
    expect(res.tokens).toBe(r.binBytes / 4);
    expect(r.seqs).toEqual(expected);
    expect(await checkMegatron(prefix, { onePerDocument: true, maxTokenId: 200018 })).toEqual([]);
  });
});

describe("openMegatron", () => {
  test("reads back counts, dtype and every sequence", async () => {
    const prefix = join(tmp, "tokens-uint16");
    const ds = await openMegatron(prefix);
    expect([ds.sequenceCount, ds.documentCount, ds.dtype]).toEqual([5, 6, "uint16"]);
    const got = Array.from({ length: ds.sequenceCount }, (_, i) => ds.get(i));
    ds.close();
    expect(got[0]).toBeInstanceOf(Uint16Array);
    expect(got.map((x) => Array.from(x as Uint16Array))).toEqual(docs);
  });
});

describe("checkMegatron", () => {
  const fresh = async (name: string) => {
    const prefix = join(tmp, name);
    const w = new MegatronWriter(prefix, "int32");
    for (const d of docs) w.add(Uint32Array.from(d));
    await w.finish();
    return prefix;
  };
  const patch = (path: string, at: number, bytes: number[]) => {
    const b = readFileSync(path);
    b.set(bytes, at);
    writeFileSync(path, b);
  };

  test("finds nothing wrong with a file gamma wrote", async () => {
    expect(await checkMegatron(await fresh("ok"), { onePerDocument: true, maxTokenId: 65535 })).toEqual([]);
  });

  test("reports a truncated .bin", async () => {
    const p = await fresh("short-bin");
    writeFileSync(`${p}.bin`, readFileSync(`${p}.bin`).subarray(0, 40));
    expect((await checkMegatron(p)).join("\n")).toContain("40 bytes but the index describes 44");
  });

  test("reports a pointer inconsistent with the lengths", async () => {
    const p = await fresh("bad-ptr");
    patch(`${p}.idx`, 34 + 5 * 4 + 8, [13]); // pointer of sequence 1: 12 -> 13
    expect((await checkMegatron(p)).join("\n")).toContain("sequence 1 points at byte 13");
  });

  test("reports a bad magic", async () => {
    const p = await fresh("bad-magic");
    patch(`${p}.idx`, 0, [0x4e]);
    expect((await checkMegatron(p)).join("\n")).toContain("magic");
  });

  test("reports document indices that do not end at the sequence count", async () => {
    const p = await fresh("bad-doc");
    patch(`${p}.idx`, 34 + 5 * 4 + 5 * 8 + 5 * 8, [9]);
    const problems = (await checkMegatron(p, { onePerDocument: true })).join("\n");
    expect(problems).toContain("last document index is 9");
  });

  test("reports bytes after the document indices", async () => {
    const p = await fresh("trailing");
    writeFileSync(`${p}.idx`, Buffer.concat([readFileSync(`${p}.idx`), Buffer.from([0, 0, 0, 0, 0])]));
    expect((await checkMegatron(p)).join("\n")).toContain("5 bytes after the document indices");
  });

  test("reports token ids above the tokenizer's largest id", async () => {
    const p = await fresh("big-id");
    expect((await checkMegatron(p, { maxTokenId: 50000 })).join("\n")).toContain("is 65000, outside 0..50000");
  });

  test("reports a missing .bin", async () => {
    expect(await checkMegatron(join(tmp, "nothing-here"))).toEqual([`${join(tmp, "nothing-here")}.bin: missing`]);
  });
});

describe("numpy reads gamma's files the way Megatron does", () => {
  const py = Bun.spawnSync(["python3", "-c", "import numpy"], { stderr: "pipe" });
  const hasNumpy = py.exitCode === 0;
  test.skipIf(!hasNumpy)("np.memmap of .bin at the .idx pointers gives the documents (skipped without python3+numpy)", () => {
    const prefix = join(tmp, "tokens-int32");
    const script = `
import json, struct, sys, numpy as np
p = sys.argv[1]
with open(p + ".idx", "rb") as f:
    assert f.read(9) == b"MMIDIDX\\x00\\x00"
    assert struct.unpack("<Q", f.read(8))[0] == 1
    code = struct.unpack("<B", f.read(1))[0]
    n = struct.unpack("<Q", f.read(8))[0]
    d = struct.unpack("<Q", f.read(8))[0]
    off = f.tell()
idx = np.memmap(p + ".idx", mode="r", order="C")
lengths = np.frombuffer(idx, dtype=np.int32, count=n, offset=off)
pointers = np.frombuffer(idx, dtype=np.int64, count=n, offset=off + lengths.nbytes)
docs = np.frombuffer(idx, dtype=np.int64, count=d, offset=off + lengths.nbytes + pointers.nbytes)
dtype = {4: np.int32, 8: np.uint16}[code]
bin = np.memmap(p + ".bin", mode="r", order="C")
seqs = [np.frombuffer(bin, dtype=dtype, count=int(l), offset=int(o)).tolist() for l, o in zip(lengths, pointers)]
assert lengths.shape[0] == docs[-1]
print(json.dumps({"docs": docs.tolist(), "seqs": seqs}))
`;
    const run = Bun.spawnSync(["python3", "-c", script, prefix], { stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    expect(JSON.parse(run.stdout.toString())).toEqual({ docs: [0, 1, 2, 3, 4, 5], seqs: docs });
  });
});
