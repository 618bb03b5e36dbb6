/**
 * Megatron-LM's indexed dataset (megatron/core/datasets/indexed_dataset.py), as its
 * _IndexWriter writes it. PREFIX.bin holds the tokens of every sequence back to back in the
 * dataset dtype; PREFIX.idx, all little-endian:
 *
 *   0   9 bytes  "MMIDIDX\x00\x00"
 *   9   u64      version, 1
 *   17  u8       dtype code (DType enum: uint8 1, int8 2, int16 3, int32 4, int64 5,
 *                float64 6, float32 7, uint16 8)
 *   18  u64      sequence count N
 *   26  u64      document count D (the length of the document index array below)
 *   34  i32 x N  sequence lengths, in tokens
 *       i64 x N  sequence pointers: byte offset of each sequence in .bin
 *       i64 x D  document indices: starts with 0, then after each document the number of
 *                sequences so far (IndexedDatasetBuilder starts the list at [0]), so with one
 *                sequence per document D = N + 1 and the array is 0, 1, ..., N
 *       (i8 x N  sequence modes, multimodal datasets only; gamma never writes them)
 */
export const MAGIC = new Uint8Array([0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]); // MMIDIDX\0\0
export const VERSION = 1;
export const HEADER_BYTES = 34;

export type TokenDtype = "int32" | "uint16";

export const DTYPE_CODES: Record<number, { name: string; size: number; integer: boolean }> = {
  1: { name: "uint8", size: 1, integer: true },
  2: { name: "int8", size: 1, integer: true },
  3: { name: "int16", size: 2, integer: true },
  4: { name: "int32", size: 4, integer: true },
  5: { name: "int64", size: 8, integer: true },
  6: { name: "float64", size: 8, integer: false },
  7: { name: "float32", size: 4, integer: false },
  8: { name: "uint16", size: 2, integer: true },
};

export function dtypeCode(dtype: TokenDtype): number {
  return dtype === "int32" ? 4 : 8;
}

export function dtypeSize(dtype: TokenDtype): number {
  return dtype === "int32" ? 4 : 2;
}

export function binPath(prefix: string): string {
  return `${prefix}.bin`;
}

export function idxPath(prefix: string): string {
  return `${prefix}.idx`;
}
