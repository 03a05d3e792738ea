import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticNotes, systemsTable } from "./index.js";
import { dqnTimeBudget } from "./pipeline.js";

describe("diagnosticNotes", () => {
  it("summarises validation, Q against the return, and alarms from metrics.jsonl", () => {
    const p = join(mkdtempSync(join(tmpdir(), "appkit-diag-")), "metrics.jsonl");
    const recs = [
      { phase: "validation", step: 0, metric: 0.5 },
      {
        phase: "dqn",
        step: 20,
        q0: 5.5,
        mcReturn: 0.25,
        overestimation: 5.25,
        tdLoss: 1,
        kl: 0.1,
        entropy: 2,
        repetition: 0.5,
        empty: 0,
        updatesPerSec: 0.2,
      },
      { phase: "validation", step: 20, metric: 0.4 },
      { phase: "alarm", step: 20, alarm: "repetition", value: 0.5 },
    ];
    writeFileSync(p, recs.map((r) => JSON.stringify(r)).join("\n"));
    const notes = diagnosticNotes(p);
    expect(notes[0]).toBe(
      "Validation reward by update: 0: 0.500, 20: 0.400; DQN never beat the starting model on validation, so the kept (best) DQN network is the starting one.",
    );
    expect(notes[1]).toContain("Q(s0) 5.500 vs Monte-Carlo return 0.250 (over-estimation 5.250)");
    expect(notes[2]).toBe("Alarms/guards: repetition at update 20.");
    expect(diagnosticNotes(join(tmpdir(), "absent-metrics.jsonl"))).toEqual([]);
  });
});

describe("systemsTable", () => {
  it("prints one row per system", () => {
    expect(
      systemsTable([{ system: "MLE", scores: [{ name: "BLEU", value: 12.345 }], predictions: [] }]),
    ).toBe("system          BLEU\nMLE            12.35\n");
  });

  it("keeps long metric names apart (each column two wider than its name)", () => {
    const t = systemsTable([
      {
        system: "DQN (stable)",
        scores: [
          { name: "BLEU", value: 1 },
          { name: "distinct-1", value: 2 },
          { name: "avg length", value: 3.5, digits: 1 },
        ],
        predictions: [],
      },
    ]);
    expect(t.split("\n")[0]).toBe("system              BLEU  distinct-1  avg length");
    expect(t.split("\n")[1]).toBe("DQN (stable)        1.00        2.00         3.5");
  });
});

describe("dqnTimeBudget", () => {
  it("starts the clock at the first poll (DQN's start), not when the run starts", () => {
    let t = 1_000_000;
    const stop = dqnTimeBudget(2, () => t);
    t += 10 * 60_000; // a long MLE warm start: the budget has not started yet
    expect(stop()).toBe(false);
    t += 2 * 60_000;
    expect(stop()).toBe(false);
    t += 1;
    expect(stop()).toBe(true);
    const never = dqnTimeBudget(0, () => t);
    t += 1e9;
    expect(never()).toBe(false);
  });
});
