/** Files embedded with `import path from "./x.zst" with { type: "file" }` are paths. */
declare module "*.zst" {
  const path: string;
  export default path;
}

declare module "*.tiktoken" {
  const path: string;
  export default path;
}

/** WebAssembly kernels compiled by scripts/build-kernels.ts, embedded as files. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
