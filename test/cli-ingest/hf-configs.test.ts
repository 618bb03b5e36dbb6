import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import { DATASETS, FW2, LANGS } from "./hub.ts";
import { gamma, gammaOk, jsonOut } from "./run.ts";

let hub: HubStandIn;
let env: Record<string, string>;
beforeAll(() => {
  hub = HubStandIn.start({ datasets: DATASETS });
  env = { HF_ENDPOINT: hub.endpoint };
});
afterAll(() => hub.stop());

interface Listing {
  dataset: string;
  resolved_sha: string;
  configs: { name: string; splits: string[]; language: string | null; default: boolean }[];
}

describe("gamma hf-configs", () => {
  test("--lang eng lists the eng_Latn configs and never asm_Beng", async () => {
    const r = jsonOut<Listing>(await gammaOk(["hf-configs", "--dataset", LANGS, "--lang", "eng", "--json"], env));
    expect(r.configs.map((c) => c.name)).toEqual(["eng_Latn", "eng_Latn_removed"]);
    const table = (await gammaOk(["hf-configs", "--dataset", LANGS, "--lang", "eng"], env)).stdout;
    expect(table).toContain("eng_Latn");
    expect(table).not.toContain("asm_Beng");
    expect(table).not.toContain("ben_Beng");
  });

  test("lists every config with its splits and parsed language code", async () => {
    const r = jsonOut<Listing>(await gammaOk(["hf-configs", "--dataset", LANGS, "--json"], env));
    expect(r.configs.map((c) => [c.name, c.language, c.splits])).toEqual([
      ["eng_Latn", "eng_Latn", ["train", "test"]],
      ["eng_Latn_removed", "eng_Latn (removed)", ["train"]],
      ["asm_Beng", "asm_Beng", ["train"]],
      ["asm_Beng_removed", "asm_Beng (removed)", ["train"]],
      ["deu_Latn", "deu_Latn", ["train"]],
      ["ben_Beng", "ben_Beng", ["train"]],
    ]);
  });

  test("--script and --lang match the parsed code; en and eng are the same language", async () => {
    const beng = jsonOut<Listing>(await gammaOk(["hf-configs", "--dataset", LANGS, "--script", "Beng", "--json"], env));
    expect(beng.configs.map((c) => c.name)).toEqual(["asm_Beng", "asm_Beng_removed", "ben_Beng"]);
    const en = jsonOut<Listing>(await gammaOk(["hf-configs", "--dataset", LANGS, "--lang", "en", "--script", "Latn", "--json"], env));
    expect(en.configs.map((c) => c.name)).toEqual(["eng_Latn", "eng_Latn_removed"]);
  });

  test("reads the card at an older revision and prints the commit sha it names", async () => {
    const r = jsonOut<Listing>(await gammaOk(["hf-configs", "--dataset", FW2, "--revision", "v2.0.0", "--json"], env));
    expect(r.configs.map((c) => c.name)).toEqual(["deu_Latn", "deu_Latn_removed"]);
    expect(r.resolved_sha).toBe(hub.shaOf(FW2, "c1"));
    const table = await gammaOk(["hf-configs", "--dataset", FW2, "--revision", "v2.0.0"], env);
    expect(table.stderr).toContain(hub.shaOf(FW2, "c1"));
  });

  test("a revision that does not exist exits 2 and says what to pass", async () => {
    const r = await gamma(["hf-configs", "--dataset", FW2, "--revision", "nope"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('revision "nope" does not exist');
  });

  test("--help explains the language matching", async () => {
    const r = await gammaOk(["hf-configs", "--help"]);
    expect(r.stdout).toContain("--lang");
    expect(r.stdout).toContain("asm_Beng");
  });
});
