#!/usr/bin/env python3
"""Times sacreBLEU 2.6.0's paired bootstrap (BLEU, 1000 resamples, baseline + 1 system) on the systems that
bench/significance.bench.ts builds: the whole ../shared/data/translate test split, hypotheses derived from the
references by index arithmetic. Prints one JSON line: seconds per test (best of 3), resamples/s and the load.

Usage: python3 packages/rewards/scripts/significance-bench.py SACREBLEU_SRC SHARED_DIR
"""
import json
import os
import sys
import time
import types

for _name in ("portalocker", "tabulate", "colorama", "lxml", "lxml.etree"):
    _m = types.ModuleType(_name)
    _m.tabulate = lambda *a, **k: ""
    _m.init = lambda *a, **k: None
    sys.modules[_name] = _m
os.environ.pop("SACREBLEU_SEED", None)
sys.path.insert(0, sys.argv[1])
if not os.path.exists(os.path.join(sys.argv[1], "sacrebleu", "version.py")):
    _v = types.ModuleType("sacrebleu.version")
    _v.__version__ = "2.6.0"
    sys.modules["sacrebleu.version"] = _v
import numpy as np  # noqa: E402
from sacrebleu.metrics import BLEU  # noqa: E402
from sacrebleu.significance import PairedTest  # noqa: E402

with open(os.path.join(sys.argv[2], "data", "translate", "test.jsonl"), encoding="utf-8") as f:
    refs = [json.loads(line)["target"] for line in f.read().split("\n") if line != ""]


def edit(drop):
    return [" ".join(w for j, w in enumerate(r.split(" ")) if not drop(i, j)) for i, r in enumerate(refs)]


base = edit(lambda i, j: (i * 7 + j * 3) % 11 == 0)
sys_a = edit(lambda i, j: (i * 5 + j) % 13 == 0)
times = []
for _ in range(3):
    t0 = time.perf_counter()
    _, scores = PairedTest([("base", base), ("sysA", sys_a)], {"BLEU": BLEU(references=[refs])}, None, "bs", 1000)()
    times.append(time.perf_counter() - t0)
best = min(times)
print(json.dumps({
    "tool": "sacreBLEU paired-bs (PairedTest, BLEU, 1000 resamples, 2 systems)",
    "segments": len(refs),
    "seconds": best,
    "resamplesPerSecond": 1000 / best,
    "pValue": scores["BLEU"][1].p_value,
    "numpy": np.__version__,
    "loadavg": [round(x, 2) for x in os.getloadavg()],
}))
