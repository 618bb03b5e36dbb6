/** Megatron-LM indexed datasets (.bin/.idx): write, read back, check. */
export { MegatronWriter, type MegatronResult } from "./writer.ts";
export { openMegatron, parseIndex, type MegatronDataset, type MegatronIndex } from "./reader.ts";
export { checkMegatron, type CheckOptions } from "./check.ts";
export { binPath, idxPath, type TokenDtype } from "./format.ts";
