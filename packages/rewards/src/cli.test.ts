import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCliArgs, runCli } from "./cli-main.js";
import { corpusBleu, corpusChrf } from "./index.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const FILES: Record<string, string> = {
  "hyp.txt": "The cat sat on the mat.\nA dog runs.\n",
  "ref.txt": "The cat is on the mat.\nA dog is running.\n",
  "ref2.txt": "A cat sat on the mat.\nThe dog runs.\n",
  "short.txt": "only one line\n",
};
const io = {
  readText: (p: string): string =>
    FILES[p] ??
    (() => {
      throw new Error(`ENOENT: ${p}`);
    })(),
  readStdin: (): string => FILES["hyp.txt"] as string,
};
const HYPS = ["The cat sat on the mat.", "A dog runs."];
const REFS = [
  ["The cat is on the mat.", "A cat sat on the mat."],
  ["A dog is running.", "The dog runs."],
];

/** Runs the real entry point the way the `example` script does (tsx, `source` condition). */
function spawnCli(args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "src/cli.ts", ...args], {
    cwd: PKG,
    input,
    encoding: "utf8",
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("dqnlm-score (spawned with tsx)", () => {
  it("scores the bundled example with BLEU and chrF, sacreBLEU-style text", () => {
    const r = spawnCli(["-i", "examples/hyp.txt", "examples/ref.txt", "-m", "bleu", "chrf"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^BLEU\|nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:2\.6\.0 = \d+\.\d .*hyp_len = \d+ ref_len = \d+\)$/,
    );
    expect(lines[1]).toMatch(
      /^chrF2\|nrefs:1\|case:mixed\|eff:yes\|nc:6\|nw:0\|space:no\|version:2\.6\.0 = \d+\.\d$/,
    );
  });
  it("reads stdin, prints JSON equal to the library's numbers, and fails cleanly", () => {
    const r = spawnCli(
      ["ref.txt", "ref2.txt", "--json", "-m", "chrf", "bleu", "-cw", "2"].map((a) =>
        a.endsWith(".txt") ? `examples/${a}` : a,
      ),
      "The cat sat on the mat.\nA dog is running in the park.\nTwo apples.\nShe reads.\n",
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { name: string; score: number; signature: string }[];
    expect(out.map((x) => x.name)).toEqual(["BLEU", "chrF2++"]);
    expect(out[1]?.signature).toBe("nrefs:2|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0");
    const bad = spawnCli(["--no-such-flag", "examples/ref.txt"], "x\n");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option --no-such-flag");
  });
});

describe("README usage example (examples/usage.ts)", () => {
  it("prints the values the README shows", () => {
    const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "examples/usage.ts"], {
      cwd: PKG,
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const readme = readFileSync(`${PKG}/README.md`, "utf8");
    for (const v of [
      "48.54690995445692",
      "42.38365628278779",
      "59.659558993893505",
      "54.2551855194941",
      "0.09118819655545167",
    ]) {
      expect(r.stdout).toContain(v);
      expect(readme).toContain(v);
    }
  });
});

describe("runCli (in process)", () => {
  it("matches corpusBleu / corpusChrf with several reference files", () => {
    const r = runCli(["-i", "hyp.txt", "ref.txt", "ref2.txt", "-m", "bleu", "chrf", "--json"], io);
    expect(r.code).toBe(0);
    // sacreBLEU's JSON layout: the score rounded to --width, the signature also split into its fields
    const out = JSON.parse(r.stdout) as { score: number; signature: string; nrefs: string; tok: string }[];
    const b = corpusBleu(HYPS, REFS);
    const c = corpusChrf(HYPS, REFS);
    expect(out[0]?.score).toBe(Number(b.score.toFixed(1)));
    expect(out[0]?.signature).toBe(b.signature);
    expect(out[0]?.nrefs).toBe("2");
    expect(out[0]?.tok).toBe("13a");
    expect(out[1]?.score).toBe(Number(c.score.toFixed(1)));
  });
  it("uses stdin without -i, honours options, --score-only and --width", () => {
    const r = runCli(["ref.txt", "-tok", "intl", "-lc", "-s", "floor", "-sv", "0.2", "-b", "-w", "4"], io);
    expect(r.code).toBe(0);
    const b = corpusBleu(
      HYPS,
      HYPS.map((_, i) => [REFS[i]?.[0] as string]),
      { tokenize: "intl", lowercase: true, smoothMethod: "floor", smoothValue: 0.2 },
    );
    expect(r.stdout).toBe(`${b.score.toFixed(4)}\n`);
  });
  it("runs TER, ROUGE and SQuAD through the other metrics' functions", () => {
    const r = runCli(["-i", "hyp.txt", "ref.txt", "-m", "ter", "rouge", "squad"], io);
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("|")[0]?.trim()); // lines are right-aligned on "=", as sacreBLEU prints them
    expect(names).toEqual(["TER", "ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum", "SQuAD-F1"]);
  });
  it("reports misaligned files, unknown metrics and bad option values", () => {
    const a = runCli(["-i", "hyp.txt", "short.txt"], io);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("short.txt has 1 lines but there are 2 hypotheses");
    const b = runCli(["ref.txt", "-m", "meteor"], io);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--metrics expects one or more of: bleu chrf ter rouge squad");
    const c = runCli(["ref.txt", "-tok", "13b"], io);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("DQNLM_REWARDS_BAD_OPTION, field tokenize");
    const d = runCli(["-i", "missing.txt", "ref.txt"], io);
    expect(d.code).toBe(1);
    expect(runCli([], io).code).toBe(2);
  });
  it("parses --flag=value, metric lists and defaults", () => {
    const a = parseCliArgs([
      "r1",
      "--metrics=chrf",
      "-m",
      "ter",
      "bleu",
      "r2",
      "--chrf-beta=3",
      "--effective-order",
    ]);
    expect(a.metrics).toEqual(["bleu", "chrf", "ter"]);
    expect(a.refs).toEqual(["r1", "r2"]);
    expect(a.chrf.beta).toBe(3);
    expect(a.bleu.effectiveOrder).toBe(true);
    expect(parseCliArgs(["r"]).metrics).toEqual(["bleu"]);
  });
});
