/** gamma's tokenizer layer: load, pin, encode (in-process or on workers), checksum. */
export type { EncodePool, Tokenizer } from "./types.ts";
export { loadTokenizer, type LoadOptions } from "./load.ts";
export { createEncodePool } from "./encode-pool.ts";
export { tokenizerChecksum } from "./checksum.ts";
export { registerShippedTokenizer } from "./resolve.ts";
