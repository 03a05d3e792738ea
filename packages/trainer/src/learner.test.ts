import { type Episode, Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, test } from "vitest";
import { Adam, learnerStep, resolveConfig, type SampledTransition } from "./index.js";

const V = 7;
let online: QNetwork;
let target: QNetwork;

beforeAll(async () => {
  await selectBackend({ backend: "cpu" });
  online = QNetwork.random({ vocabSize: V, nPositions: 12, nEmbd: 16, nLayer: 1, nHead: 2 }, 1);
  target = QNetwork.random({ vocabSize: V, nPositions: 12, nEmbd: 16, nLayer: 1, nHead: 2 }, 2);
});

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
  ];
}

/** Q rows of one episode by a separate full forward pass: rows[j] = Q(tokens[0..j], ·). */
function rows(net: QNetwork, e: Episode): Float32Array {
  return tf.tidy(
    () => net.forward(tf.tensor2d(e.tokens, [1, e.tokens.length], "int32")).dataSync() as Float32Array,
  );
}

describe("learnerStep", () => {
  test("TD errors equal hand-computed n-step Double-DQN targets (γ = 0.5, n = 2)", () => {
    const cfg = resolveConfig({
      preset: "stable",
      dqn: {
        nStep: 2,
        gamma: 0.5,
        doubleDqn: true,
        targetMask: false,
        klWeight: 0,
        marginWeight: 0,
        maxLengthTerminal: false,
      },
    });
    const eps = episodes();
    const batch: SampledTransition[] = [];
    for (const e of eps)
      for (let t = 0; t < e.rewards.length; t++) batch.push({ episode: e, t, weight: 1, demo: false });
    const expected: number[] = [];
    for (const e of eps) {
      const qo = rows(online, e);
      const qt = rows(target, e);
      const P = e.promptLength;
      const T = e.rewards.length;
      for (let t = 0; t < T; t++) {
        const k = Math.min(2, T - t);
        let y = 0;
        for (let i = 0; i < k; i++) y += 0.5 ** i * e.rewards[t + i]!;
        if (!(t + k === T && e.terminated)) {
          const row = P + t + k - 1;
          let best = 0;
          for (let a = 1; a < V; a++) if (qo[row * V + a]! > qo[row * V + best]!) best = a;
          y += 0.5 ** k * qt[row * V + best]!;
        }
        const qa = qo[(P + t - 1) * V + e.tokens[P + t]!]!;
        expected.push(Math.abs(y - qa));
      }
    }
    const opt = new Adam(online.trainableVariables, 0);
    const s = learnerStep(batch, { cfg, online, target, optimizer: opt, padId: 0 });
    opt.dispose();
    expect(s.ok).toBe(true);
    expect(s.episodes).toBe(2); // one forward pass per distinct episode
    expect(s.tdErrors.length).toBe(6);
    expected.forEach((x, i) => {
      expect(s.tdErrors[i]).toBeCloseTo(x, 5);
    });
  });

  test("with an action constraint the bootstrap runs over the allowed actions only (Double DQN and plain max)", () => {
    // Allowed after prefix p (example i): a fixed, prefix-dependent subset; refIndex picks the example.
    const allowedOf = (i: number, prefix: readonly number[]): number[] =>
      [(i + prefix.length) % V, (2 * i + 3 * prefix.length + 1) % V, 5].filter(
        (a, j, xs) => xs.indexOf(a) === j,
      );
    for (const doubleDqn of [true, false]) {
      const cfg = resolveConfig({
        preset: "stable",
        dqn: {
          nStep: 1,
          gamma: 0.5,
          doubleDqn,
          targetMask: false,
          klWeight: 0,
          marginWeight: 0,
          maxLengthTerminal: false,
        },
      });
      const eps = episodes().map((e, i) => ({ ...e, refIndex: i + 1 }));
      const batch: SampledTransition[] = [];
      for (const e of eps)
        for (let t = 0; t < e.rewards.length; t++) batch.push({ episode: e, t, weight: 1, demo: false });
      const expected: number[] = [];
      const unconstrained: number[] = [];
      for (const e of eps) {
        const qo = rows(online, e);
        const qt = rows(target, e);
        const P = e.promptLength;
        const T = e.rewards.length;
        for (let t = 0; t < T; t++) {
          let y = e.rewards[t]!;
          let yFree = y;
          if (!(t + 1 === T && e.terminated)) {
            const row = P + t;
            const allowed = allowedOf(e.refIndex, Array.from(e.tokens.subarray(P, P + t + 1)));
            let boot: number;
            if (doubleDqn) {
              let best = allowed[0]!;
              for (const a of allowed) if (qo[row * V + a]! > qo[row * V + best]!) best = a;
              boot = qt[row * V + best]!;
            } else boot = Math.max(...allowed.map((a) => qt[row * V + a]!));
            y += 0.5 * boot;
            let free = 0;
            for (let a = 1; a < V; a++)
              if ((doubleDqn ? qo : qt)[row * V + a]! > (doubleDqn ? qo : qt)[row * V + free]!) free = a;
            yFree += 0.5 * qt[row * V + free]!;
          }
          const qa = qo[(P + t - 1) * V + e.tokens[P + t]!]!;
          expected.push(Math.abs(y - qa));
          unconstrained.push(Math.abs(yFree - qa));
        }
      }
      const opt = new Adam(online.trainableVariables, 0);
      const s = learnerStep(batch, { cfg, online, target, optimizer: opt, padId: 0, allowed: allowedOf });
      opt.dispose();
      expected.forEach((x, i) => {
        expect(s.tdErrors[i], `doubleDqn=${doubleDqn} transition ${i}`).toBeCloseTo(x, 5);
      });
      // The constraint changes at least one target (else this test would not tell the two apart).
      expect(expected.some((x, i) => Math.abs(x - unconstrained[i]!) > 1e-3)).toBe(true);
    }
  });

  test("episode-level batching gives the same loss as one pass per transition", () => {
    const cfg = resolveConfig({ preset: "stable", dqn: { klWeight: 0 } });
    const eps = episodes();
    const grouped: SampledTransition[] = [];
    const single: SampledTransition[] = [];
    for (const e of eps)
      for (let t = 0; t < e.rewards.length; t++) {
        grouped.push({ episode: e, t, weight: 0.5 + t / 4, demo: t === 1 });
        // a distinct object per transition → its own row in the batch
        single.push({ episode: { ...e }, t, weight: 0.5 + t / 4, demo: t === 1 });
      }
    const opt = new Adam(online.trainableVariables, 0);
    const a = learnerStep(grouped, { cfg, online, target, optimizer: opt, padId: 0 });
    const b = learnerStep(single, { cfg, online, target, optimizer: opt, padId: 0 });
    opt.dispose();
    expect(a.episodes).toBe(2);
    expect(b.episodes).toBe(6);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(a.marginLoss).toBeGreaterThan(0);
    expect(a.marginLoss).toBeCloseTo(b.marginLoss, 5);
    for (let i = 0; i < 6; i++) expect(a.tdErrors[i]).toBeCloseTo(b.tdErrors[i]!, 5);
  });

  test("a non-finite loss skips the update and leaves the weights untouched", () => {
    const cfg = resolveConfig({ preset: "seed" });
    const e: Episode = {
      tokens: Int32Array.of(1, 3, 4),
      promptLength: 1,
      rewards: Float32Array.of(3e38, 3e38),
      terminated: true,
    };
    const before = online.trainableVariables.map((v) => (v.dataSync() as Float32Array).slice());
    const n0 = tf.memory().numTensors;
    const opt = new Adam(online.trainableVariables, 0.1);
    const s = learnerStep([{ episode: e, t: 0, weight: 1, demo: false }], {
      cfg,
      online,
      target,
      optimizer: opt,
      padId: 0,
    });
    opt.dispose();
    expect(s.ok).toBe(false);
    expect(s.loss).toBe(Number.POSITIVE_INFINITY); // (3e38)² overflows float32
    expect(tf.memory().numTensors).toBe(n0);
    online.trainableVariables.forEach((v, i) => {
      expect(Array.from(v.dataSync())).toEqual(Array.from(before[i]!));
    });
  });

  test("no tensor leaks across updates (numTensors pinned)", () => {
    const cfg = resolveConfig({ preset: "stable" });
    const ref = online.clone();
    const opt = new Adam(online.trainableVariables, 1e-3);
    const eps = episodes();
    const rng = new Rng(1);
    const step = () =>
      learnerStep(
        Array.from({ length: 8 }, () => {
          const e = eps[rng.nextInt(2)]!;
          return { episode: e, t: rng.nextInt(e.rewards.length), weight: 1, demo: rng.next() < 0.3 };
        }),
        { cfg, online, target, reference: ref, optimizer: opt, padId: 0 },
      );
    step();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) expect(step().ok).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    opt.dispose();
    ref.dispose();
  });
});
