export function buildCharsmap(_: unknown): Uint8Array { throw new Error("todo"); }
