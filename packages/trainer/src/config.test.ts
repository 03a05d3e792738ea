import { describe, expect, test } from "vitest";
import { configTable, PRESETS, resolveConfig, TrainerConfigError } from "./index.js";

function err(input: unknown): TrainerConfigError {
  try {
    resolveConfig(input as Record<string, unknown>);
  } catch (e) {
    if (e instanceof TrainerConfigError) return e;
    throw e;
  }
  throw new Error("expected a TrainerConfigError");
}

describe("resolveConfig", () => {
  test("soft is the default; stable and seed keep the hard-max objective", () => {
    expect(resolveConfig()).toEqual(PRESETS.soft);
    expect(resolveConfig({ seed: 4 }).preset).toBe("soft");
    const f = PRESETS.soft;
    expect([PRESETS.seed.dqn.objective, PRESETS.stable.dqn.objective, f.dqn.objective]).toEqual([
      "dqn",
      "dqn",
      "soft",
    ]);
    // the soft preset = stable with exactly these switches
    expect({
      ...f,
      preset: "stable",
      dqn: {
        ...f.dqn,
        objective: "dqn",
        nStep: 3,
        doubleDqn: true,
        targetUpdate: "hard",
        tau: 0.005,
        targetMask: true,
        klWeight: 0.01,
      },
      explore: { ...f.explore, temperature: 0.1 },
    }).toEqual(PRESETS.stable);
    expect([f.dqn.softTau, f.dqn.softTarget, f.dqn.initialQScale, f.reward.form]).toEqual([
      0.1,
      "target",
      1,
      "delta",
    ]);
  });

  test("soft options are validated with nearest-key suggestions; initialQScale is rejected under soft", () => {
    expect(err({ dqn: { softTau: 0 } }).field).toBe("dqn.softTau");
    expect(err({ dqn: { softTarget: "max" } }).message).toContain('one of "target", "min"');
    expect(err({ dqn: { objective: "ppo" } }).field).toBe("dqn.objective");
    expect(err({ dqn: { softTua: 1 } }).message).toContain('Did you mean "softTau"?');
    const e = err({ preset: "soft", dqn: { initialQScale: 0.1 } });
    expect(e.field).toBe("dqn.initialQScale");
    expect(e.message).toContain("Fix:");
    expect(resolveConfig({ preset: "stable", dqn: { objective: "soft" } }).dqn.objective).toBe("soft");
  });

  test("the presets differ exactly in the documented switches", () => {
    const s = PRESETS.seed;
    const t = PRESETS.stable;
    expect([s.reward.form, t.reward.form]).toEqual(["prefix", "delta"]);
    expect([s.dqn.loss, t.dqn.loss]).toEqual(["mse", "huber"]);
    expect([s.dqn.doubleDqn, t.dqn.doubleDqn]).toEqual([false, true]);
    expect([s.dqn.targetInit, t.dqn.targetInit]).toEqual(["normal", "copy"]);
    expect([s.dqn.nStep, t.dqn.nStep]).toEqual([1, 3]);
    expect([s.replay.prioritized, t.replay.prioritized]).toEqual([false, true]);
    expect([s.explore.kind, t.explore.kind]).toEqual(["epsilon-greedy", "sample"]);
    expect([s.dqn.klWeight > 0, t.dqn.klWeight > 0]).toEqual([false, true]);
    expect([s.dqn.marginWeight > 0, t.dqn.marginWeight > 0]).toEqual([false, true]);
    expect([s.dqn.gradClipNorm > 0, t.dqn.gradClipNorm > 0]).toEqual([false, true]);
    expect([s.dqn.targetMask, t.dqn.targetMask]).toEqual([false, true]);
  });

  test("every switch is independent: one override changes one field", () => {
    const base = resolveConfig({ preset: "stable" });
    const c = resolveConfig({ preset: "stable", dqn: { doubleDqn: false } });
    const f = resolveConfig({ preset: "soft", dqn: { softTarget: "min" } });
    expect({ ...f, dqn: { ...f.dqn, softTarget: "target" } }).toEqual(PRESETS.soft);
    expect(c.dqn.doubleDqn).toBe(false);
    expect({ ...c, dqn: { ...c.dqn, doubleDqn: true } }).toEqual(base);
    const d = resolveConfig({ preset: "seed", replay: { prioritized: true } });
    expect({ ...d, replay: { ...d.replay, prioritized: false } }).toEqual(PRESETS.seed);
  });

  test("a wrong type names the field path, the expectation, the value and a fix", () => {
    const e = err({ dqn: { learningRate: "fast" } });
    expect(e.code).toBe("DQNLM_CONFIG_INVALID");
    expect(e.field).toBe("dqn.learningRate");
    expect(e.message).toContain("expected a finite number > 0 ≤ 1");
    expect(e.message).toContain('"fast"');
    expect(e.message).toContain("Fix:");
    expect(e.message).toContain("0.0001");
  });

  test("out of range, non-integer and bad enum values are rejected", () => {
    expect(err({ dqn: { gamma: 1.5 } }).field).toBe("dqn.gamma");
    expect(err({ dqn: { nStep: 2.5 } }).field).toBe("dqn.nStep");
    expect(err({ dqn: { loss: "l1" } }).message).toContain('one of "mse", "huber"');
    expect(err({ preset: "fast" }).field).toBe("preset");
    expect(err({ explore: { epsilonStart: 0.1, epsilonEnd: 0.5 } }).field).toBe("explore.epsilonEnd");
    expect(err({ dqn: 3 }).field).toBe("dqn");
    expect(err([]).field).toBe("(root)");
    expect(err({ replay: { sampleUnit: "episode" } }).message).toContain("needs uniform replay");
    expect(resolveConfig({ replay: { sampleUnit: "episode", prioritized: false } }).replay.sampleUnit).toBe(
      "episode",
    );
  });

  test("unknown keys get a did-you-mean suggestion", () => {
    const e = err({ dqn: { learningRat: 1e-3 } });
    expect(e.field).toBe("dqn.learningRat");
    expect(e.message).toContain('Did you mean "learningRate"?');
    expect(err({ replays: {} }).message).toContain('Did you mean "replay"?');
  });

  test("configTable lists every option with both presets' defaults", () => {
    const rows = configTable();
    const lr = rows.find((r) => r.field === "dqn.loss");
    expect(lr).toEqual({
      field: "dqn.loss",
      type: 'one of "mse", "huber"',
      soft: '"huber"',
      stable: '"huber"',
      seed: '"mse"',
    });
    expect(rows.find((r) => r.field === "dqn.objective")).toMatchObject({ soft: '"soft"', stable: '"dqn"' });
    expect(rows.length).toBeGreaterThan(50);
  });
});
