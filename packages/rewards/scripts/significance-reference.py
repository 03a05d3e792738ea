#!/usr/bin/env python3
"""Reference vectors for @dqnlm/rewards' significance tests, computed by sacreBLEU's own code.

Usage (from the repository root):
    python3 packages/rewards/scripts/significance-reference.py SACREBLEU_SRC SHARED_DIR [VERSION] > \
        packages/rewards/test/significance-vectors.json

SACREBLEU_SRC is a directory holding sacreBLEU's `sacrebleu/` package (e.g. `git archive v2.6.0 sacrebleu` of
github.com/mjpost/sacrebleu; VERSION, default 2.6.0, is used when it has no generated version.py); SHARED_DIR is
../shared. Needs numpy (the committed vectors: numpy 2.4.6, Python 3.11.7). sacreBLEU's imports that only its CLI
or dataset code uses (portalocker, tabulate, colorama, lxml) are stubbed. The vectors hold numbers only: the
systems are rebuilt deterministically from SHARED_DIR/data/translate/test.jsonl by `systems()` below, which
significance.test.ts mirrors.
"""
import json
import math
import os
import sys
import types

os.environ.pop("SACREBLEU_SEED", None)
for _name in ("portalocker", "tabulate", "colorama", "lxml", "lxml.etree"):
    if _name not in sys.modules:
        _m = types.ModuleType(_name)
        _m.tabulate = lambda *a, **k: ""
        _m.init = lambda *a, **k: None
        sys.modules[_name] = _m

sys.path.insert(0, sys.argv[1])
if not os.path.exists(os.path.join(sys.argv[1], "sacrebleu", "version.py")):
    # a git checkout has no version.py (setuptools-scm writes it at build time)
    _v = types.ModuleType("sacrebleu.version")
    _v.__version__ = sys.argv[3] if len(sys.argv) > 3 else "2.6.0"
    sys.modules["sacrebleu.version"] = _v
import numpy as np  # noqa: E402
import sacrebleu  # noqa: E402
from sacrebleu.metrics import BLEU, CHRF, TER  # noqa: E402
from sacrebleu.significance import PairedTest, _bootstrap_resample  # noqa: E402

N_LINES = 300


def systems(shared):
    """Hypotheses derived from the references by index arithmetic only (mirrored in significance.test.ts)."""
    with open(os.path.join(shared, "data", "translate", "test.jsonl"), encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line != ""]
    refs = [json.loads(line)["target"] for line in lines[:N_LINES]]
    n = len(refs)

    def edit(keep_or_replace):
        out = []
        for i, r in enumerate(refs):
            words = r.split(" ")
            other = refs[(i + 1) % n].split(" ")
            new = []
            for j, w in enumerate(words):
                k = keep_or_replace(i, j)
                if k == "keep":
                    new.append(w)
                elif k == "swap":
                    new.append(other[j] if j < len(other) else w)
            out.append(" ".join(new))
        return out

    base = edit(lambda i, j: "drop" if (i * 7 + j * 3) % 11 == 0 else "keep")
    sys_a = edit(lambda i, j: "drop" if (i * 5 + j) % 13 == 0 else "keep")
    sys_b = edit(lambda i, j: "swap" if (i + j * 2) % 6 == 0 else "keep")
    sys_c = [a if i % 10 == 0 else b for i, (a, b) in enumerate(zip(sys_a, base))]
    ref2 = [" ".join(r.split(" ")[:-1]) if len(r.split(" ")) > 1 else r for r in refs]
    return refs, ref2, [("base", base), ("sysA", sys_a), ("sysB", sys_b), ("sysC", sys_c)]


def f(x):
    """A float as JSON can hold it (numpy float32 → the exact double of its value)."""
    return None if x is None else float(x)


def metric_factories():
    return [
        ("bleu", lambda refs: BLEU(references=refs), {"metric": "bleu"}),
        ("bleu-floor", lambda refs: BLEU(smooth_method="floor", references=refs),
         {"metric": "bleu", "options": {"smoothMethod": "floor"}}),
        ("bleu-addk-eff", lambda refs: BLEU(smooth_method="add-k", effective_order=True, references=refs),
         {"metric": "bleu", "options": {"smoothMethod": "add-k", "effectiveOrder": True}}),
        ("chrf", lambda refs: CHRF(references=refs), {"metric": "chrf"}),
        ("chrf++", lambda refs: CHRF(word_order=2, references=refs),
         {"metric": "chrf", "options": {"wordOrder": 2}}),
        ("ter", lambda refs: TER(references=refs), {"metric": "ter"}),
    ]


def result_dict(r):
    return {"score": f(r.score), "pValue": f(r.p_value), "mean": f(r.mean), "ci": f(r.ci)}


def main():
    shared = sys.argv[2]
    refs, ref2, named = systems(shared)
    cases = []
    for nrefs, streams in ((1, [refs]), (2, [refs, ref2])):
        for name, make, spec in metric_factories():
            for test_type, n_samples in (("bs", 1000), ("ar", 10000)):
                if test_type == "ar" and name == "bleu-addk-eff":
                    continue  # sacreBLEU's AR adds k in place into an int64 array and raises
                metric = make(streams)
                sigs, scores = PairedTest(named, {name: metric}, None, test_type, n_samples)()
                (key,) = [k for k in scores if k != "System"]
                cases.append({
                    "name": f"{name}/nrefs={nrefs}/{test_type}",
                    **spec,
                    "nrefs": nrefs,
                    "test": test_type,
                    "n": n_samples,
                    "signature": sigs[key].format(),
                    "results": [result_dict(r) for r in scores[key]],
                })
            # single-system --confidence (Score.estimate_ci: statistics.mean over Python-sorted scores)
            metric = make(streams)
            score = metric.corpus_score(named[1][1], None, n_bootstrap=1000)
            cases.append({
                "name": f"{name}/nrefs={nrefs}/confidence",
                **spec,
                "nrefs": nrefs,
                "test": "confidence",
                "n": 1000,
                "signature": metric.get_signature().format(),
                "results": [{"score": f(score.score), "mean": f(score._mean), "ci": f(score._ci)}],
            })

    # Raw generator checks: numpy's Generator(PCG64(SeedSequence(seed))) as sacreBLEU calls it.
    rng_cases = []
    for seed, n, rows in ((12345, 7, 3), (12345, 1000, 2), (1, 1, 2), (2**32 + 5, 50, 2), (12345, 2**31 - 1, 1)):
        idx = np.random.default_rng(seed).choice(n, size=(rows, min(n, 64)), replace=True)
        rng_cases.append({"seed": seed, "n": n, "shape": [rows, min(n, 64)], "choice": idx.ravel().tolist()})
    bools = np.random.default_rng(12345).integers(2, size=(2, 70), dtype=bool)
    rng_cases.append({"seed": 12345, "shape": [2, 70], "bool": bools.ravel().astype(int).tolist()})

    # Mean-of-sentence metrics (ROUGE, SQuAD, any per-example score): not in sacreBLEU. Reference transcription
    # of our definition with sacreBLEU's indices: a resample's score is the float64 sum of the resampled
    # per-example scores in index order divided by n; then sacreBLEU's estimate_ci and p-value on float64 arrays.
    n = 257
    base_s = [((i * 37) % 101) / 101.0 for i in range(n)]
    sys_s = [min(1.0, ((i * 37) % 101) / 101.0 + ((i * 13) % 7 - 2) / 50.0) for i in range(n)]
    idxs = np.random.default_rng(12345).choice(n, size=(1000, n), replace=True)

    def mean_of(v, row):
        s = 0.0
        for j in row:
            s += v[j]
        return s / n

    from sacrebleu.significance import _compute_p_value, estimate_ci
    bl = np.array([mean_of(base_s, row) for row in idxs])
    sy = np.array([mean_of(sys_s, row) for row in idxs])
    bl_mean, bl_ci = estimate_ci(bl)
    sy_mean, sy_ci = estimate_ci(sy)
    real_bl = sum(base_s) / n
    real_sy = sum(sys_s) / n
    diffs = np.abs(sy - bl)
    p = _compute_p_value(diffs - diffs.mean(), abs(real_bl - real_sy))
    mean_case = {
        "n": n,
        "baseline": {"score": real_bl, "mean": f(bl_mean), "ci": f(bl_ci)},
        "system": {"score": real_sy, "mean": f(sy_mean), "ci": f(sy_ci), "pValue": p},
    }

    json.dump({
        "generator": "packages/rewards/scripts/significance-reference.py",
        "sacrebleu": sacrebleu.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "nLines": N_LINES,
        "cases": cases,
        "rng": rng_cases,
        "meanOfScores": mean_case,
    }, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
