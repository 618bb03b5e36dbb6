"""Near-duplicate detection with datasketch (MinHash + MinHashLSH), the peer of
`gamma dedup --mode near` in bench/near-dedup.ts.

It reads gamma's normalized shards, builds the shingles gamma builds (word 5-grams of the
lower-cased text cut into runs of Unicode letters, marks and digits, joined by single spaces),
signs each document with datasketch's MinHash (its own sha1-based shingle hash and
(a*x + b) mod (2^61 - 1) permutations), and finds candidates with MinHashLSH at the bands x rows
gamma uses. Each candidate is verified on datasketch's estimated Jaccard (MinHash.jaccard, the
share of equal slots, as gamma's --verify estimate), clusters are joined by union-find, and the
earliest document of a cluster is kept (gamma's --near-selection first). Documents without a
word get no signature and are never matched, as in gamma.

    python3 bench/peers/datasketch_near.py --datasketch PATH/TO/datasketch \
        --removed OUT.tsv [--num-perm 128] [--threshold 0.8] [--bands 17 --rows 7] SHARD...

--datasketch DIR is a checkout of https://github.com/ekzhu/datasketch (the folder holding the
`datasketch` package); it goes first on sys.path. Without it, or with DATASKETCH_DIR unset,
datasketch comes from PYTHONPATH or site-packages. Needs numpy and scipy (MinHashLSH imports
scipy.integrate) and the `zstd` command.

Writes one line per removed document to --removed: doc_id, the kept doc_id of its cluster and
datasketch's estimated Jaccard to it, tab-separated, in input order. Prints one JSON line to
stdout: documents, removed, candidates, bands, rows and seconds (total and per phase).
"""

import argparse
import json
import os
import subprocess
import sys
import time


def word_pattern():
    """Runs of Unicode letters, marks and digits (gamma's /[\\p{L}\\p{M}\\p{N}]+/u)."""
    try:
        import regex

        return regex.compile(r"[\p{L}\p{M}\p{N}]+")
    except ImportError:
        import re
        import unicodedata

        ranges = []
        start = prev = None
        for cp in range(sys.maxunicode + 1):
            if unicodedata.category(chr(cp))[0] in "LMN":
                if start is None:
                    start = cp
                elif cp != prev + 1:
                    ranges.append((start, prev))
                    start = cp
                prev = cp
        ranges.append((start, prev))
        cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
        return re.compile(f"[{cls}]+")


def read_shard(path):
    """(doc_id, text) of every line of a zstd-compressed JSONL shard."""
    out = subprocess.run(["zstd", "-dcq", path], check=True, stdout=subprocess.PIPE).stdout
    for line in out.split(b"\n"):
        if line:
            rec = json.loads(line)
            yield rec["doc_id"], rec["text"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shards", nargs="+")
    ap.add_argument("--datasketch", default=os.environ.get("DATASKETCH_DIR"))
    ap.add_argument("--removed", required=True, help="TSV of removed doc_id, kept doc_id, estimate")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--bands", type=int, default=17)
    ap.add_argument("--rows", type=int, default=7)
    ap.add_argument("--ngram", type=int, default=5)
    args = ap.parse_args()
    if args.datasketch:
        sys.path.insert(0, args.datasketch)
    t0 = time.perf_counter()
    from datasketch import MinHash, MinHashLSH

    word = word_pattern()
    n = args.ngram
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm, params=(args.bands, args.rows))
    template = MinHash(num_perm=args.num_perm)
    ids = []
    sigs = []  # MinHash per document, None without words
    parent = []

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    candidates = 0
    t_read = t_sign = t_lsh = 0.0
    for path in args.shards:
        ta = time.perf_counter()
        docs = list(read_shard(path))
        t_read += time.perf_counter() - ta
        for doc_id, text in docs:
            ta = time.perf_counter()
            d = len(ids)
            ids.append(doc_id)
            parent.append(d)
            words = word.findall(text.lower())
            if not words:
                sigs.append(None)
                t_sign += time.perf_counter() - ta
                continue
            if len(words) < n:
                shingles = {" ".join(words)}
            else:
                shingles = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
            m = template.copy()  # shares the permutations, as MinHash.generator does
            m.update_batch([s.encode("utf-8") for s in shingles])
            sigs.append(m)
            tb = time.perf_counter()
            t_sign += tb - ta
            for c in lsh.query(m):
                rc, rd = find(c), find(d)
                if rc == rd:
                    continue
                candidates += 1
                if m.jaccard(sigs[c]) >= args.threshold:
                    # The smaller root wins: the cluster keeps its earliest document.
                    if rc < rd:
                        parent[rd] = rc
                    else:
                        parent[rc] = rd
            lsh.insert(d, m, check_duplication=False)
            t_lsh += time.perf_counter() - tb
    removed = 0
    with open(args.removed, "w", encoding="utf-8") as f:
        for d in range(len(ids)):
            r = find(d)
            if r != d:
                removed += 1
                f.write(f"{ids[d]}\t{ids[r]}\t{sigs[d].jaccard(sigs[r]):.6f}\n")
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "docs": len(ids),
                "removed": removed,
                "candidates": candidates,
                "bands": lsh.b,
                "rows": lsh.r,
                "seconds": round(seconds, 3),
                "seconds_read": round(t_read, 3),
                "seconds_shingle_minhash": round(t_sign, 3),
                "seconds_lsh_verify": round(t_lsh, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
