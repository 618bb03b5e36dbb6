import { describe, expect, test } from "bun:test";
import { gamma } from "../helpers/cli.ts";
import { gpuForTests, requireGpuTest } from "./gpu-available.ts";

const gpu = await gpuForTests();
requireGpuTest(gpu);
const software = gpu?.adapter?.software === true;

describe.skipIf(!software)("Dawn's own warnings", () => {
  test("stay out of stderr when adapters are listed, and show with --verbose", () => {
    const plain = gamma(["doctor"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("WebGPU adapters found");
    expect(plain.stderr).not.toContain("artificially reduced");
    const verbose = gamma(["doctor", "--verbose"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/\[debug\] Dawn: Warning: .*artificially reduced/);
  });
});
