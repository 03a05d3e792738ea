#!/usr/bin/env python3
"""Runs sacreBLEU's own command line from a source tree, for comparing `dqnlm-score` with it.

Usage: python3 scripts/sacrebleu-cli.py SACREBLEU_SRC [sacrebleu arguments ...]
       python3 scripts/sacrebleu-cli.py SACREBLEU_SRC --fixtures > test/sacrebleu-cli-outputs.json

SACREBLEU_SRC holds sacreBLEU's `sacrebleu/` package (`git archive v2.6.0 sacrebleu` of github.com/mjpost/sacrebleu).
Imports it needs only for dataset downloads and colours (portalocker, tabulate, colorama, lxml) are stubbed, so
text tables of multi-system runs are not printed; JSON and single-system output are sacreBLEU's own.
With --fixtures it prints, as JSON, the output of every command in FIXTURES (run from packages/rewards).
"""
import json
import os
import subprocess
import sys
import types

for _name in ("portalocker", "tabulate", "colorama", "lxml", "lxml.etree"):
    _m = types.ModuleType(_name)
    _m.tabulate = lambda *a, **k: ""
    _m.init = lambda *a, **k: None
    sys.modules[_name] = _m
os.environ["NO_COLOR"] = "1"
os.environ.pop("SACREBLEU_SEED", None)
sys.path.insert(0, sys.argv[1])
if not os.path.exists(os.path.join(sys.argv[1], "sacrebleu", "version.py")):
    _v = types.ModuleType("sacrebleu.version")
    _v.__version__ = "2.6.0"
    sys.modules["sacrebleu.version"] = _v
from sacrebleu.sacrebleu import main  # noqa: E402

E = "examples/"
FIXTURES = [
    [E + "ref.txt", E + "ref2.txt", "-i", E + "hyp.txt", "-m", "bleu", "chrf", "ter", "-f", "json", "--confidence"],
    [E + "ref.txt", "-i", E + "hyp.txt", "-m", "chrf", "-f", "json", "-cw", "2"],
    [E + "ref.txt", "-i", E + "hyp.txt", "-m", "bleu", "chrf", "ter", "-f", "text", "-sh"],
    [E + "ref.txt", "-i", E + "hyp.txt", "-m", "bleu", "-f", "text", "-sh", "--confidence", "-w", "2"],
    [E + "ref.txt", "-i", E + "hyp.txt", "-m", "bleu", "-sl"],
    [E + "ref.txt", "-i", E + "hyp.txt", "-m", "ter", "-sl", "-b"],
    [E + "ref.txt", "-i", E + "hyp.txt", E + "ref2.txt", "-m", "bleu", "--paired-bs", "-f", "json"],
    [E + "ref.txt", "-i", E + "hyp.txt", E + "ref2.txt", "-m", "chrf", "--paired-ar", "-f", "json"],
]


def run(args):
    """sacreBLEU's main() reopens the stdout descriptor, so each fixture runs in a child process."""
    r = subprocess.run([sys.executable, __file__, sys.argv[1], *args, "-q"], capture_output=True, check=False)
    return r.stdout.decode("utf-8")


if __name__ == "__main__":
    if sys.argv[2:] == ["--fixtures"]:
        json.dump([{"args": a, "stdout": run(a)} for a in FIXTURES], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.argv = ["sacrebleu", *sys.argv[2:]]
        main()
