/** WGSL sources are imported as text (`with { type: "text" }`) so the compiled binary embeds them. */
declare module "*.wgsl" {
  const source: string;
  export default source;
}
