export function nfkcRules(_: boolean): unknown { throw new Error("todo"); }
