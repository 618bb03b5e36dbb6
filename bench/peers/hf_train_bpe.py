"""Hugging Face `tokenizers`' BpeTrainer (Rust, all cores), the peer of `gamma train-tokenizer`
in bench/train-tokenizer.ts.

    python3 bench/peers/hf_train_bpe.py DOCS.jsonl OUT_DIR VOCAB_SIZE [SPECIAL,...]

Reads one JSON object per line and trains on its "text" (each document one sequence) with the
settings gamma uses by default: ByteLevel pre-tokenizer (add_prefix_space=False), the 256-byte
ByteLevel alphabet, the given special tokens, min_frequency 0. Reading and parsing the lines is
part of the timed work, as it is for gamma. Writes OUT_DIR/tokenizer.json and prints one JSON
line: documents and seconds.
"""
import json
import sys
import time

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers


def docs(path, counter):
    with open(path, encoding="utf-8") as f:
        for line in f:
            counter[0] += 1
            yield json.loads(line)["text"]


def main():
    path, out, vocab = sys.argv[1], sys.argv[2], int(sys.argv[3])
    specials = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else []
    start = time.perf_counter()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=0, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    n = [0]
    tok.train_from_iterator(docs(path, n), trainer=trainer)
    tok.save(f"{out}/tokenizer.json")
    print(json.dumps({"documents": n[0], "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
