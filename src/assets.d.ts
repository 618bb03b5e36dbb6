/** Files embedded with `import path from "./x.zst" with { type: "file" }` are paths. */
declare module "*.zst" {
  const path: string;
  export default path;
}

declare module "*.tiktoken" {
  const path: string;
  export default path;
}

declare module "*.ftz" {
  const path: string;
  export default path;
}

/** WebAssembly modules embedded as files: the kernels scripts/build-kernels.ts compiles, and the tree-sitter runtime and grammars. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
