#!/usr/bin/env python3
"""Prints test/vectors.json: CIDEr-D of pycocoevalcap (salaniz/pycocoevalcap, cider/cider_scorer.py) on
generated captions. Its code is not copied into this repository: pass the git directory of a mirror of
salaniz/pycocoevalcap (the search tool's `fetch github:salaniz/pycocoevalcap` gives one):

    python3 scripts/make-vectors.py /work/.mirror/salaniz+pycocoevalcap/repo/.git > test/vectors.json

(Debian 12: python3 3.11.2, python3-numpy.) Captions are pre-tokenised (lowercase words, no punctuation), as
pycocoevalcap's PTBTokenizer would leave them; Cider.compute_score scores them with str.split().
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import types

import numpy as np

git_dir = sys.argv[1]
commit = subprocess.check_output(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], text=True).strip()
src = subprocess.check_output(["git", "--git-dir", git_dir, "show", "HEAD:cider/cider_scorer.py"], text=True)
mod = types.ModuleType("cider_scorer")
exec(compile(src, "cider_scorer.py", "exec"), mod.__dict__)


def compute(gts, res, n=4, sigma=6.0):
    # what cider.Cider(n, sigma).compute_score(gts, res) does (the wrapper only asserts shapes and loops)
    s = mod.CiderScorer(n=n, sigma=sigma)
    for k in gts:
        s += (res[k][0], gts[k])
    score, scores = s.compute_score()
    return float(score), [float(x) for x in scores]


rng = random.Random(20261205)
NOUNS = "man woman dog cat child boy girl bus car train table plate pizza bike horse street field beach kite".split()
VERBS = "sitting standing riding holding eating walking playing running flying looking".split()
ADJS = "a the two young small large red white black green old".split()
PREP = "on in with at near next to of under over".split()


def caption():
    parts = [rng.choice(ADJS), rng.choice(NOUNS)]
    if rng.random() < 0.8:
        parts += ["is"] if rng.random() < 0.5 else []
        parts += [rng.choice(VERBS)]
    for _ in range(rng.randint(0, 3)):
        parts += [rng.choice(PREP), rng.choice(ADJS), rng.choice(NOUNS)]
    return " ".join(parts)


def corpus(n_images, refs_lo, refs_hi):
    gts, res = {}, {}
    for i in range(n_images):
        refs = [caption() for _ in range(rng.randint(refs_lo, refs_hi))]
        r = rng.random()
        if r < 0.5:  # a perturbed reference
            w = rng.choice(refs).split()
            w = [x if rng.random() > 0.3 else rng.choice(NOUNS + VERBS) for x in w]
            hyp = " ".join(w)
        elif r < 0.6:
            hyp = rng.choice(refs)
        elif r < 0.65:
            hyp = rng.choice(NOUNS)  # one word: no bigram, length 0
        else:
            hyp = caption()
        gts[i], res[i] = refs, [hyp]
    return gts, res


cases = []
for name, (n_images, lo, hi), n, sigma in [
    ("coco-like", (80, 5, 5), 4, 6.0),
    ("varied-refs", (50, 1, 7), 4, 6.0),
    ("n5-sigma3", (40, 2, 5), 5, 3.0),
    ("tiny", (3, 1, 3), 4, 6.0),
]:
    gts, res = corpus(n_images, lo, hi)
    if name == "tiny":
        res[0] = [""]  # empty hypothesis
    score, scores = compute(gts, res, n, sigma)
    cases.append({
        "name": name, "n": n, "sigma": sigma,
        "hyps": [res[k][0] for k in gts], "refs": [gts[k] for k in gts],
        "expected": score, "expected_scores": scores,
    })

print(json.dumps({
    "source": f"scripts/make-vectors.py: pycocoevalcap cider_scorer.py @ {commit}, numpy {np.__version__}",
    "corpora": cases,
}, indent=1))
