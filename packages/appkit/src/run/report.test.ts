import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatMeanStd,
  meanStd,
  RunFolder,
  renderAggregateTable,
  renderReport,
  slug,
} from "../index.js";

describe("stats", () => {
  it("computes the mean and the sample standard deviation", () => {
    // mean of 1,2,3,4 = 2.5; squared deviations 2.25+0.25+0.25+2.25 = 5; 5/3 → std = 1.2910
    const m = meanStd([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.std).toBeCloseTo(1.290994, 6);
    expect(formatMeanStd(m)).toBe("2.50 ± 1.29");
    expect(formatMeanStd(meanStd([7]), 1)).toBe("7.0");
    expect(() => meanStd([])).toThrow(RangeError);
  });
});

describe("renderReport", () => {
  it("prints the metric table with signatures, compute and examples", () => {
    const md = renderReport({
      title: "summarize — run report",
      command: "dqnlm-summarize demo",
      data: { origin: "built-in", sizes: { train: 10, validation: 2, test: 3 }, demo: true, skipped: 1 },
      columns: [
        { name: "ROUGE-L", signature: "rougeLsum|stem:no" },
        { name: "BLEU", digits: 1 },
      ],
      systems: [
        { system: "MLE", metrics: { "ROUGE-L": 12.345, BLEU: 3.21 } },
        { system: "DQN (stable)", metrics: { "ROUGE-L": 14.5, BLEU: Number.NaN } },
      ],
      backend: "wasm",
      wallTimeS: { mle: 30, dqn: 95 },
      settings: { nEmbd: 64 },
      examples: [{ source: "a|b", reference: "r", predictions: { MLE: "x", "DQN (stable)": "y" } }],
    });
    expect(md).toContain("| MLE | 12.35 | 3.2 |");
    expect(md).toContain("| DQN (stable) | 14.50 | — |");
    expect(md).toContain("- ROUGE-L: `rougeLsum|stem:no`");
    expect(md).toContain("- Wall time: 2 min 05 s (mle 30 s, dqn 1 min 35 s)");
    expect(md).toContain("built-in demonstration data");
    expect(md).toContain("1 malformed records skipped");
    expect(md).toContain("**source:** a\\|b");
  });

  it("aggregates seeds as mean ± std", () => {
    const t = renderAggregateTable(
      [{ system: "MLE", values: { BLEU: [10, 12], chrF: [40, 40] } }],
      [{ name: "BLEU" }, { name: "chrF", digits: 1 }],
    );
    expect(t.split("\n")[2]).toBe("| MLE | 2 | 11.00 ± 1.41 | 40.0 ± 0.0 |");
  });

  it("formats durations", () => {
    expect(formatDuration(5.25)).toBe("5.3 s");
    expect(formatDuration(3725)).toBe("1 h 02 min");
    expect(formatDuration(539.7)).toBe("9 min 00 s"); // not "8 min 60 s"
    expect(formatDuration(59.6)).toBe("1 min 00 s");
  });
});

describe("RunFolder", () => {
  it("writes predictions as JSONL under predictions/ with a slugged system name", () => {
    const run = new RunFolder(join(mkdtempSync(join(tmpdir(), "appkit-run-")), "r1"));
    const p = run.writePredictions("test", "DQN (stable)", [
      { id: "1", source: "s", references: ["t"], prediction: "p" },
    ]);
    expect(p).toBe(run.path("predictions", "test.dqn-stable.jsonl"));
    expect(JSON.parse(readFileSync(p, "utf8"))).toEqual({
      id: "1",
      source: "s",
      references: ["t"],
      prediction: "p",
    });
    expect(slug("  MLE / baseline ")).toBe("mle-baseline");
  });
});
