#!/usr/bin/env python3
"""NLTK 3.8 meteor_score throughput (items/s) on the inputs of test/vectors.json, WordNet 3.1 (as make-vectors.py
sets it up) loaded and warm; prints the load average too. Run from packages/reward-meteor:
    python3 scripts/bench-nltk.py
"""
import importlib.util
import io
import json
import os
import sys
import time
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("mv", os.path.join(HERE, "make-vectors.py"))
mv = importlib.util.module_from_spec(spec)
with redirect_stdout(io.StringIO()):
    spec.loader.exec_module(mv)  # builds the WordNet 3.1 reader (and prints vectors, discarded)
from nltk.translate.meteor_score import meteor_score

vectors = json.load(open(os.path.join(HERE, "..", "test", "vectors.json")))["vectors"]
items = [(v["hyp"].split(), [r.split() for r in v["refs"]]) for v in vectors]
for h, r in items:
    meteor_score(r, h, wordnet=mv.wn31)  # warm up (WordNet caches)
best = 0.0
for _ in range(5):
    t = time.perf_counter()
    for h, r in items:
        meteor_score(r, h, wordnet=mv.wn31)
    best = max(best, len(items) / (time.perf_counter() - t))
print(f"nltk {mv.nltk.__version__} meteor_score: {best:.0f} items/s (best of 5 passes over {len(items)} items); "
      f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; python {sys.version.split()[0]}")
