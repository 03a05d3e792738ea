import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Episode, Rng } from "@dqnlm/core";
import { loadOnnxRuntime, QNetwork, selectBackend } from "@dqnlm/qnet";
import { bleuReward } from "@dqnlm/rewards";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import {
  Adam,
  type LogRecord,
  learnerStep,
  OrtDqnEngine,
  readMetrics,
  resolveConfig,
  resume,
  type SampledTransition,
  type TrainerConfig,
  TrainerConfigError,
  type TrainInput,
  train,
} from "./index.js";

let why = "";
try {
  loadOnnxRuntime();
} catch (err) {
  why = (err as Error).message;
}
if (why)
  console.warn(
    `\n!!! onnxruntime-node cannot be loaded (${why}):\n!!! the dqn.engine "ort" tests are SKIPPED\n`,
  );
const itOrt = why ? it.skip : it;

const V = 7;
const NET = { vocabSize: V, nPositions: 12, nEmbd: 16, nLayer: 1, nHead: 2 };

function episodes(): Episode[] {
  return [
    {
      tokens: Int32Array.of(1, 3, 4, 5, 2),
      promptLength: 2,
      rewards: Float32Array.of(0.5, -1, 2),
      terminated: true,
    },
    {
      tokens: Int32Array.of(6, 4, 4, 1),
      promptLength: 1,
      rewards: Float32Array.of(1, 0, 0.25),
      terminated: false,
    },
    {
      tokens: Int32Array.of(2, 5, 5, 3, 6, 1),
      promptLength: 2,
      rewards: Float32Array.of(0, 0.5, 0, 1),
      terminated: true,
    },
  ];
}

/** Every transition; the third episode is a demonstration (the DQfD margin term). */
function batchOf(eps: Episode[]): SampledTransition[] {
  const out: SampledTransition[] = [];
  eps.forEach((e, k) => {
    for (let t = 0; t < e.rewards.length; t++)
      out.push({ episode: e, t, weight: 0.5 + 0.1 * t, demo: k === 2 });
  });
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Relative max difference (scaled by the larger max |x|, floored at 1). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 1;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i] as number), Math.abs(b[i] as number));
  return maxDiff(a, b) / s;
}

const CASES: Array<{ name: string; cfg: TrainerConfig; dueling: boolean }> = [
  {
    name: 'objective "dqn": Double DQN, n-step 2, target mask, margin, KL, clip',
    cfg: resolveConfig({
      preset: "stable",
      dqn: { nStep: 2, gamma: 0.9, doubleDqn: true, marginWeight: 1, klWeight: 0.05, gradClipNorm: 1 },
    }),
    dueling: false,
  },
  {
    name: 'objective "soft": margin, softTarget "min", n-step 2',
    cfg: resolveConfig({
      preset: "soft",
      dqn: { nStep: 2, gamma: 0.9, marginWeight: 1, softTarget: "min", softTau: 0.5, gradClipNorm: 0 },
    }),
    dueling: false,
  },
  {
    name: 'objective "soft" with dqn.softValueHead (dueling networks)',
    cfg: resolveConfig({ preset: "soft", dqn: { marginWeight: 1, softTau: 0.5, softValueHead: true } }),
    dueling: true,
  },
];

describe('dqn.engine: "ort"', () => {
  let base: { online: QNetwork; target: QNetwork; reference: QNetwork };
  let dueling: { online: QNetwork; target: QNetwork; reference: QNetwork };
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
    const mk = (s: number) => QNetwork.random(NET, s, { std: 0.3, allNormal: true });
    base = { online: mk(1), target: mk(2), reference: mk(3) };
    const v = (n: QNetwork) => n.withValueHead();
    dueling = { online: v(base.online), target: v(base.target), reference: v(base.reference) };
    // move the value head off its neutral start so that it matters
    tf.tidy(() => {
      for (const [name, x] of dueling.online.namedVariables)
        if (!base.online.namedVariables.has(name)) x.assign(tf.randomNormal(x.shape, 0, 0.3, "float32", 9));
    });
  });
  afterAll(() => {
    for (const n of [...Object.values(base), ...Object.values(dueling)]) n.dispose();
  });

  it("is a validated option, tfjs in every preset", () => {
    for (const preset of ["soft", "stable", "seed"] as const)
      expect(resolveConfig({ preset }).dqn.engine).toBe("auto");
    expect(resolveConfig({ dqn: { engine: "ort" } }).dqn.engine).toBe("ort");
    let e: unknown;
    try {
      resolveConfig({ dqn: { engine: "onnx" } } as never);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(TrainerConfigError);
    expect((e as TrainerConfigError).field).toBe("dqn.engine");
  });

  for (const c of CASES) {
    itOrt(
      `${c.name}: loss, every gradient and the weights after 3 updates = the tfjs learner's`,
      async () => {
        const nets = c.dueling ? dueling : base;
        if (c.dueling) expect(nets.online.config.dueling).toBe(true);
        const batch = batchOf(episodes());
        const common = { cfg: c.cfg, target: nets.target, reference: nets.reference, padId: 0 };

        // The gradients: tfjs (captured by a stand-in optimizer) vs the ORT engine's (captured the same way).
        const tfGrads: Float32Array[] = [];
        const capture = {
          apply: (g: readonly tf.Tensor[]) => {
            for (const x of g) tfGrads.push((x.dataSync() as Float32Array).slice());
          },
        } as unknown as Adam;
        const a = learnerStep(batch, { ...common, online: nets.online, optimizer: capture });
        const probe = nets.online.clone();
        const eng = await OrtDqnEngine.create(probe, 0);
        const ortGrads: Float32Array[] = [];
        const { learnerStepOrt } = await import("./learner.js");
        const b = await learnerStepOrt(batch, {
          ...common,
          engine: {
            gradients: (ids, fn) => eng.learner.gradients(ids, fn),
            applyGradients: (g) => {
              for (const name of probe.namedVariables.keys()) ortGrads.push(g.get(name) as Float32Array);
              return { norm: 0, applied: true };
            },
          },
        });
        eng.dispose();
        probe.dispose();
        expect(a.ok && b.ok).toBe(true);
        expect(a.loss).toBeGreaterThan(1e-3);
        for (const k of ["loss", "tdLoss", "marginLoss", "kl", "meanQ", "maxAbsQ"] as const)
          expect(Math.abs(a[k] - b[k]), k).toBeLessThan(1e-4 * Math.max(1, Math.abs(a[k])));
        expect(a.marginLoss).toBeGreaterThan(0);
        if (c.cfg.dqn.objective === "dqn") expect(a.kl).toBeGreaterThan(0);
        expect(maxDiff(a.tdErrors, b.tdErrors)).toBeLessThan(1e-4);
        expect(ortGrads.length).toBe(tfGrads.length);
        let nonzero = 0;
        for (let i = 0; i < tfGrads.length; i++) {
          expect(relDiff(tfGrads[i] as Float32Array, ortGrads[i] as Float32Array), `grad ${i}`).toBeLessThan(
            1e-4,
          );
          if ((tfGrads[i] as Float32Array).some((x) => x !== 0)) nonzero++;
        }
        expect(nonzero).toBeGreaterThan(tfGrads.length / 2);

        // Three full updates (clip, Adam) on each engine from the same start: same stats, same weights.
        const tOnline = nets.online.clone();
        const oOnline = nets.online.clone();
        const adam = new Adam(tOnline.trainableVariables, 3e-3);
        // the full engine: target and reference forwards on onnxruntime too
        const engine = await OrtDqnEngine.create(oOnline, 3e-3, {
          target: nets.target,
          reference: nets.reference,
        });
        try {
          for (let u = 0; u < 3; u++) {
            const s1 = learnerStep(batch, { ...common, online: tOnline, optimizer: adam });
            const s2 = await engine.update(batch, common);
            expect(s2.ok).toBe(true);
            for (const k of ["tdLoss", "marginLoss", "kl", "meanQ"] as const)
              expect(Math.abs(s1[k] - s2[k]), k).toBeLessThan(1e-4 * Math.max(1, Math.abs(s1[k])));
            expect(Math.abs(s1.loss - s2.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s1.loss)));
            expect(Math.abs(s1.gradNorm - s2.gradNorm)).toBeLessThan(1e-4 * Math.max(1, s1.gradNorm));
          }
          expect(engine.step).toBe(3);
          const tv = tOnline.trainableVariables;
          const ov = oOnline.trainableVariables; // written back by the engine
          let moved = 0;
          tv.forEach((v, i) => {
            const x = v.dataSync() as Float32Array;
            const y = (ov[i] as tf.Variable).dataSync() as Float32Array;
            expect(maxDiff(x, y), v.name).toBeLessThan(1e-4);
            moved = Math.max(
              moved,
              maxDiff(x, nets.online.trainableVariables[i]!.dataSync() as Float32Array),
            );
          });
          expect(moved).toBeGreaterThan(1e-3);
          // Adam's state in the trainer's layout
          const sa = adam.getState();
          const so = engine.getState();
          expect(so.step).toBe(sa.step);
          expect(so.m.length).toBe(sa.m.length);
          for (let i = 0; i < sa.m.length; i++) {
            expect(relDiff(sa.m[i] as Float32Array, so.m[i] as Float32Array)).toBeLessThan(1e-4);
            expect(maxDiff(sa.v[i] as Float32Array, so.v[i] as Float32Array)).toBeLessThan(1e-6);
          }
        } finally {
          adam.dispose();
          engine.dispose();
          tOnline.dispose();
          oOnline.dispose();
        }
      },
    );
  }

  itOrt(
    "a non-finite loss skips the update without touching weights or Adam; tensor count stays flat",
    async () => {
      const cfg = CASES[0]!.cfg;
      const online = base.online.clone();
      const engine = await OrtDqnEngine.create(online, 1e-3);
      try {
        const common = { cfg, target: base.target, reference: base.reference, padId: 0 };
        const batch = batchOf(episodes());
        await engine.update(batch, common); // warm-up (tfjs kernels, ORT arena)
        const before = tf.memory().numTensors;
        for (let u = 0; u < 30; u++) expect((await engine.update(batch, common)).ok).toBe(true);
        expect(tf.memory().numTensors).toBe(before);
        expect(engine.step).toBe(31);
        const w0 = online.trainableVariables.map((v) => (v.dataSync() as Float32Array).slice());
        const st0 = engine.getState();
        const bad = episodes();
        (bad[0] as { rewards: Float32Array }).rewards[0] = Number.NaN;
        const s = await engine.update(batchOf(bad), common);
        expect(s.ok).toBe(false);
        expect(Number.isFinite(s.loss)).toBe(false);
        expect(engine.step).toBe(31);
        online.trainableVariables.forEach((v, i) => {
          expect(maxDiff(v.dataSync() as Float32Array, w0[i] as Float32Array)).toBe(0);
        });
        const st1 = engine.getState();
        for (let i = 0; i < st0.m.length; i++) expect(maxDiff(st0.m[i]!, st1.m[i]!)).toBe(0);
        for (const [name, w] of engine.learner.weights) {
          const i = [...online.namedVariables.keys()].indexOf(name);
          expect(maxDiff(w, w0[i] as Float32Array)).toBe(0);
        }
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        engine.dispose();
        online.dispose();
      }
    },
  );
});

// ---- train() / resume() end to end --------------------------------------------------------------------------

const WORDS = ["a", "b", "c", "d", "e", "f"];
const tok = new WordTokenizer(WORDS);

const TIMING = new Set([
  "updatesPerSec",
  "learnerTokensPerSec",
  "actorTokensPerSec",
  "shareReward",
  "shareReplay",
  "shareNetwork",
  "shareActor",
  "shareLearner",
]);
const strip = (rs: LogRecord[]) =>
  rs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k) && k !== "backend")));

function resumeData(seed: number) {
  const rng = new Rng(seed);
  const mk = (n: number) =>
    Array.from({ length: n }, () => {
      const p = Array.from({ length: 3 }, () => WORDS[rng.nextInt(5)]!).join(" ");
      return { prompt: p, references: [p] };
    });
  return { train: mk(24), validation: mk(6), test: mk(6) };
}

function resumeInput(runDir: string, backend: string): TrainInput {
  return {
    runDir,
    config: {
      preset: "stable",
      seed: 7,
      backend,
      data: { maxPromptTokens: 4, maxNewTokens: 4 },
      mle: { epochs: 1, batchSize: 8 },
      dqn: {
        updates: 24,
        batchSize: 8,
        rolloutBatch: 4,
        updatesPerRollout: 3,
        warmupTransitions: 8,
        targetUpdateEvery: 5,
        engine: "ort",
      },
      validation: { every: 8, patience: 0 },
      checkpoint: { every: 0 },
      guards: { snapshotEvery: 4 },
      log: { every: 4, progress: "off", curves: false },
    },
    data: resumeData(3),
    tokenizer: tok,
    reward: bleuReward(),
    init: { type: "random", config: { nEmbd: 8, nLayer: 1, nHead: 2, nPositions: 10 } },
  };
}

describe('dqn.engine: "ort" in train() / resume()', () => {
  (why ? it.skip : it).each(["cpu", "wasm"])(
    "interrupt + resume ends bit-exactly equal to an uninterrupted ort run (%s backend)",
    async (backend) => {
      const base = mkdtempSync(join(tmpdir(), "dqnlm-ort-resume-"));
      const full = await train(resumeInput(join(base, "full"), backend));
      expect(full.stopped).toBe("done");
      expect(full.updates).toBe(24);
      let seen = 0;
      const part = await train(resumeInput(join(base, "cut"), backend), {
        onLog: (r) => {
          if (r.phase === "dqn") seen = r.step;
        },
        shouldStop: () => seen >= 12,
      });
      expect(part.updates).toBe(12);
      const again = await resume(join(base, "cut"), {
        data: resumeData(3),
        tokenizer: tok,
        reward: bleuReward(),
      });
      expect(again.updates).toBe(24);
      const a = readFileSync(join(base, "full/checkpoints/last/tensors.safetensors"));
      const b = readFileSync(join(base, "cut/checkpoints/last/tensors.safetensors"));
      expect(b.equals(a)).toBe(true); // online, target, reference, Adam moments (from the engine), best weights
      expect(strip(readMetrics(join(base, "cut/metrics.jsonl")))).toEqual(
        strip(readMetrics(join(base, "full/metrics.jsonl"))),
      );
      expect(again.test?.after.predictions).toEqual(full.test?.after.predictions);
    },
    120_000,
  );

  it('"auto" engines (the default) become concrete in the run: ort where onnxruntime-node loads, else tfjs', async () => {
    const base = mkdtempSync(join(tmpdir(), "dqnlm-auto-engine-"));
    const input = resumeInput(join(base, "auto"), "wasm");
    const c = input.config as { dqn: Record<string, unknown> };
    const { engine: _e, ...dqn } = c.dqn;
    const res = await train({ ...input, config: { ...c, dqn: { ...dqn, updates: 4 } } });
    const want = why ? "tfjs" : "ort";
    const stored = JSON.parse(readFileSync(join(res.runDir, "config.json"), "utf8")).config;
    expect([stored.mle.engine, stored.dqn.engine]).toEqual([want, want]);
    const info = readMetrics(join(res.runDir, "metrics.jsonl")).find((r) => r.phase === "info")!;
    expect([info.mleEngine, info.dqnEngine]).toEqual([want, want]);
    expect(String(info.engineNote)).toContain(`auto → ${want}`);
  }, 60_000);

  itOrt(
    "learns the copy task like the tfjs engine (stable preset, the toy test's budget)",
    async () => {
      const rng = new Rng(5);
      const mk = (n: number) =>
        Array.from({ length: n }, () => {
          const p = Array.from({ length: 4 }, () => WORDS[rng.nextInt(WORDS.length)]!).join(" ");
          return { prompt: p, references: [p] };
        });
      const data = { train: mk(96), validation: mk(16), test: mk(32) };
      const run = (engine: "tfjs" | "ort") =>
        train({
          runDir: join(mkdtempSync(join(tmpdir(), `dqnlm-ort-toy-${engine}-`)), "run"),
          config: {
            preset: "stable",
            seed: 3,
            backend: "wasm",
            data: { maxPromptTokens: 4, maxNewTokens: 5 },
            mle: { epochs: 1, batchSize: 16, learningRate: 3e-3 },
            dqn: {
              updates: 120,
              batchSize: 32,
              learningRate: 1e-3,
              rolloutBatch: 16,
              warmupTransitions: 64,
              targetUpdateEvery: 20,
              engine,
            },
            validation: { every: 20, patience: 0 },
            log: { every: 20, progress: "off", curves: false },
            checkpoint: { saveReplay: false },
          },
          data,
          tokenizer: tok,
          reward: bleuReward(),
          init: { type: "random", config: { nEmbd: 32, nLayer: 1, nHead: 2, nPositions: 12 } },
        });
      const t = await run("tfjs");
      const o = await run("ort");
      const gain = (r: typeof t) => r.test!.after.metric - r.test!.before.metric;
      console.log(
        `copy task: test BLEU before ${o.test!.before.metric.toFixed(3)}; after 120 updates tfjs ` +
          `${t.test!.after.metric.toFixed(3)}, ort ${o.test!.after.metric.toFixed(3)}; wall ${t.seconds.toFixed(1)} s vs ${o.seconds.toFixed(1)} s`,
      );
      expect(o.test!.before.metric).toBe(t.test!.before.metric); // the same MLE start
      expect(gain(o)).toBeGreaterThanOrEqual(0.2);
      expect(Math.abs(o.test!.after.metric - t.test!.after.metric)).toBeLessThan(0.15);
    },
    600_000,
  );
});
