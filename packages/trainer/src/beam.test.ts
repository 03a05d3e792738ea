import { QNetwork, selectBackend } from "@dqnlm/qnet";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { DecodingModel } from "./actor.js";
import { beamSearch, sequenceLogProbs } from "./beam.js";
import { greedyDecode } from "./dqn.js";
import { TrainerInputError } from "./errors.js";

const V = 6;
const net = (): QNetwork =>
  QNetwork.random({ vocabSize: V, nPositions: 16, nEmbd: 16, nLayer: 2, nHead: 2 }, 3);
/** The same network without its KV-cache decoder: beam search falls back to full forward passes. */
const noCache = (n: QNetwork): DecodingModel => ({
  forward: (ids) => n.forward(ids),
  get trainableVariables() {
    return n.trainableVariables;
  },
});
const prompts = [Int32Array.from([1, 2, 3]), Int32Array.from([4]), Int32Array.from([5, 0, 1, 2, 4])];

/** Every continuation of exactly `len` tokens over V ids (no EOS). */
function allSequences(len: number): Int32Array[] {
  let out: number[][] = [[]];
  for (let t = 0; t < len; t++) out = out.flatMap((s) => Array.from({ length: V }, (_, a) => [...s, a]));
  return out.map((s) => Int32Array.from(s));
}

describe("beamSearch / sequenceLogProbs", () => {
  beforeAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("beam 1 is greedy argmax-Q decoding, whichever token ends the episode", () => {
    const n = net();
    let stoppedEarly = 0;
    for (let eos = 0; eos < V; eos++) {
      const g = greedyDecode(n, prompts, 5, eos, 5, 8).generated;
      const b = beamSearch(n, prompts, { beams: 1, maxNewTokens: 5, eosId: eos, padId: 5 });
      expect(
        b.map((h) => Array.from(h[0]!.tokens)),
        `eos ${eos}`,
      ).toEqual(g.map((x) => Array.from(x)));
      stoppedEarly += g.filter((x) => x.length < 5).length;
    }
    expect(stoppedEarly).toBeGreaterThan(0); // some greedy paths end on EOS before the limit
    n.dispose();
  });

  it("a beam as wide as the tree finds the exact n-best (brute force over all 216 sequences), cached or not", () => {
    const n = net();
    const L = 3;
    const seqs = allSequences(L);
    for (const [pi, p] of prompts.entries()) {
      const lp = sequenceLogProbs(
        n,
        seqs.map(() => p),
        seqs,
      );
      const order = Array.from(lp.keys()).sort((a, b) => lp[b]! - lp[a]!);
      for (const model of [n, noCache(n)]) {
        const [hyps] = [
          beamSearch(model, [p], {
            beams: V * V,
            nBest: 5,
            maxNewTokens: L,
            eosId: null,
            padId: 0,
            lengthPenalty: 0,
          })[0]!,
        ];
        expect(
          hyps.map((h) => Array.from(h.tokens)),
          `prompt ${pi}`,
        ).toEqual(order.slice(0, 5).map((i) => Array.from(seqs[i]!)));
        hyps.forEach((h, j) => {
          expect(h.logProb).toBeCloseTo(lp[order[j]!]!, 4);
          expect(h.endedOnEos).toBe(false);
        });
      }
    }
    n.dispose();
  });

  it("batched prompts of different lengths give the same hypotheses as one prompt at a time", () => {
    const n = net();
    const o = { beams: 3, maxNewTokens: 4, eosId: 0, padId: 5, batchSize: 3 } as const;
    const together = beamSearch(n, prompts, o);
    const alone = prompts.map((p) => beamSearch(n, [p], o)[0]!);
    expect(together.map((hs) => hs.map((h) => Array.from(h.tokens)))).toEqual(
      alone.map((hs) => hs.map((h) => Array.from(h.tokens))),
    );
    for (const [i, hs] of together.entries())
      for (const [j, h] of hs.entries()) {
        expect(h.score).toBeCloseTo(alone[i]![j]!.score, 5);
        if (j > 0) expect(h.score).toBeLessThanOrEqual(hs[j - 1]!.score);
        expect(h.score).toBeCloseTo(h.logProb / h.tokens.length, 9);
      }
    n.dispose();
  });

  it("respects the allowed-token constraint and the scores agree with teacher forcing", () => {
    const n = net();
    // Only the continuations "2 3 EOS" and "4 EOS" are allowed.
    const trie = new Map<string, number[]>([
      ["", [2, 4]],
      ["2", [3]],
      ["2,3", [0]],
      ["4", [0]],
    ]);
    const hyps = beamSearch(n, prompts, {
      beams: 4,
      maxNewTokens: 6,
      eosId: 0,
      padId: 5,
      lengthPenalty: 0,
      allowed: (_p, prefix) => trie.get(prefix.join(",")) ?? [],
    });
    for (const [i, hs] of hyps.entries()) {
      expect(hs.map((h) => Array.from(h.tokens)).sort()).toEqual([
        [2, 3, 0],
        [4, 0],
      ]);
      const lp = sequenceLogProbs(
        n,
        hs.map(() => prompts[i]!),
        hs.map((h) => h.tokens),
      );
      for (const [j, h] of hs.entries()) expect(h.logProb).toBeCloseTo(lp[j]!, 4);
    }
    n.dispose();
  });

  it("sequenceLogProbs equals Σ log softmax(Q/T) read off a full forward pass", () => {
    const n = net();
    const p = Int32Array.from([3, 1]);
    const c = Int32Array.from([4, 2, 0]);
    const x = tf.tensor2d([[3, 1, 4, 2]], [1, 4], "int32");
    const q = n.forward(x);
    const qs = q.arraySync()[0]!;
    let want = 0;
    const T = 0.7;
    c.forEach((a, j) => {
      const row = qs[1 + j]!.map((v) => v / T);
      const m = Math.max(...row);
      const lz = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      want += row[a]! - lz;
    });
    const [got] = sequenceLogProbs(n, [p, p], [c, new Int32Array(0)], { temperature: T });
    expect(got).toBeCloseTo(want, 5);
    expect(sequenceLogProbs(n, [p], [new Int32Array(0)])[0]).toBe(0);
    tf.dispose([x, q]);
    n.dispose();
  });

  it("leaves no tensors behind and rejects bad options with typed errors", () => {
    const n = net();
    const n0 = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      beamSearch(n, prompts, { beams: 3, maxNewTokens: 4, eosId: 0, padId: 5 });
      sequenceLogProbs(n, prompts, prompts);
    }
    expect(tf.memory().numTensors).toBe(n0);
    expect(() => beamSearch(n, prompts, { beams: 0, maxNewTokens: 4, eosId: 0, padId: 5 })).toThrow(
      TrainerInputError,
    );
    expect(() =>
      beamSearch(n, [new Int32Array(0)], { beams: 2, maxNewTokens: 4, eosId: 0, padId: 5 }),
    ).toThrow(/prompts\[0\] is empty/);
    expect(() => sequenceLogProbs(n, prompts, [])).toThrow(/one per prompt/);
    n.dispose();
  });
});
