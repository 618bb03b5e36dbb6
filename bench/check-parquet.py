"""Loads `gamma tokenize --format parquet` output with pyarrow (and Hugging Face datasets when
installed) and prints the schema, the features and the row count.

    python3 bench/check-parquet.py DIR/train        # or one .parquet file

Exits 1 when pyarrow is missing or a check fails; says plainly which library is missing.
"""
import glob
import json
import os
import sys

if len(sys.argv) != 2:
    sys.exit(__doc__)
target = sys.argv[1]
files = sorted(glob.glob(os.path.join(target, "*.parquet"))) if os.path.isdir(target) else [target]
if not files:
    sys.exit(f"no .parquet files in {target}")

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:
    sys.exit("pyarrow is not installed: nothing checked (pip install pyarrow)")

want = pa.schema([("input_ids", pa.list_(pa.int32())), ("language", pa.string()), ("length", pa.int32())])
rows = 0
for f in files:
    meta = pq.ParquetFile(f).metadata
    table = pq.read_table(f)
    codecs = {meta.row_group(g).column(c).compression for g in range(meta.num_row_groups) for c in range(meta.num_columns)}
    if not table.schema.remove_metadata().equals(want):
        sys.exit(f"{f}: schema is\n{table.schema}\nnot\n{want}")
    if codecs != {"ZSTD"}:
        sys.exit(f"{f}: compression {codecs}, not ZSTD")
    lengths = table.column("length").to_pylist()
    ids = table.column("input_ids").to_pylist()
    if any(len(x) != n for x, n in zip(ids, lengths)):
        sys.exit(f"{f}: a row's length is not the length of its input_ids")
    rows += table.num_rows
print(f"pyarrow {pa.__version__}: {len(files)} file(s), {rows} rows, compression ZSTD")
print(pq.read_schema(files[0]).remove_metadata())
print("huggingface metadata:", json.loads(pq.read_schema(files[0]).metadata[b"huggingface"]))

try:
    import datasets
except ImportError:
    print("datasets is not installed: the Hugging Face load was not checked (pip install datasets)")
    sys.exit(0)
ds = datasets.load_dataset("parquet", data_files=files, split="train")
print(f"datasets {datasets.__version__}: {ds.num_rows} rows, features {ds.features}")
if ds.num_rows != rows:
    sys.exit(f"datasets read {ds.num_rows} rows, pyarrow {rows}")
