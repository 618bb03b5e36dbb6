import pkg from "../package.json" with { type: "json" };

export const GAMMA_VERSION: string = pkg.version;
