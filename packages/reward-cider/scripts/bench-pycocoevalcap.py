#!/usr/bin/env python3
"""pycocoevalcap CIDEr-D throughput (images/s) on the inputs of test/vectors.json, as its Cider.compute_score
runs (document frequencies + every image); prints the load average too. Run from packages/reward-cider:
    python3 scripts/bench-pycocoevalcap.py /work/.mirror/salaniz+pycocoevalcap/repo/.git
"""
import json
import os
import subprocess
import sys
import time
import types

src = subprocess.check_output(["git", "--git-dir", sys.argv[1], "show", "HEAD:cider/cider_scorer.py"], text=True)
mod = types.ModuleType("cider_scorer")
exec(compile(src, "cider_scorer.py", "exec"), mod.__dict__)
HERE = os.path.dirname(os.path.abspath(__file__))
corpora = json.load(open(os.path.join(HERE, "..", "test", "vectors.json")))["corpora"]
items = sum(len(c["hyps"]) for c in corpora)


def run():
    for c in corpora:
        s = mod.CiderScorer(n=c["n"], sigma=c["sigma"])
        for h, r in zip(c["hyps"], c["refs"]):
            s += (h, r)
        s.compute_score()


run()
best = 0.0
for _ in range(5):
    t = time.perf_counter()
    run()
    best = max(best, items / (time.perf_counter() - t))
print(f"pycocoevalcap CIDEr-D: {best:.0f} images/s (best of 5 passes over {items} images); "
      f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; python {sys.version.split()[0]}")
