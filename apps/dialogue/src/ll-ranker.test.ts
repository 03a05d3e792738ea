import type { Tokenizer } from "@dqnlm/mdp";
import { QNetwork, selectBackend, softmaxCrossEntropy, tf } from "@dqnlm/qnet";
import { beforeAll, describe, expect, it } from "vitest";
import { LMScorer } from "./ll-ranker.js";

/** Character tokenizer: printable ASCII and newline → 0…95; specials 96…99. */
const charTok: Tokenizer = {
  vocabSize: 100,
  bosId: 96,
  eosId: 97,
  padId: 98,
  sepId: 99,
  encode: (text: string) =>
    Int32Array.from(text, (ch) => (ch === "\n" ? 95 : Math.min(94, Math.max(0, ch.charCodeAt(0) - 32)))),
  decode: (ids: ArrayLike<number>) =>
    Array.from(ids, (i) => (i === 95 ? "\n" : String.fromCharCode(i + 32))).join(""),
};
const config = { vocabSize: 100, nEmbd: 32, nLayer: 2, nHead: 4, nPositions: 64 };

beforeAll(async () => {
  await selectBackend({ backend: "wasm", strict: true });
});

/** Σ log p of `resp` after `ctx` from one full forward pass over ctx + resp. */
function fullPassLogLik(net: QNetwork, ctx: Int32Array, resp: Int32Array): number {
  const ids = Int32Array.from([...ctx, ...resp]);
  const lp = tf.tidy(() => tf.logSoftmax(net.forward(tf.tensor2d(ids, [1, ids.length], "int32"))));
  const a = lp.dataSync() as Float32Array;
  lp.dispose();
  let s = 0;
  for (let j = 0; j < resp.length; j++) s += a[(ctx.length - 1 + j) * 100 + resp[j]!]!;
  return s;
}

describe("LMScorer (log p(response | history))", () => {
  it("equals a full forward pass over history + response, for candidates of different lengths", async () => {
    const net = QNetwork.random(config, 3);
    const scorer = await LMScorer.create(net, charTok, {
      maxContextTokens: 40,
      maxResponseTokens: 20,
      batchSize: 2,
    });
    const history = ["Book me a table.", "Where?", "In Paris, please."];
    const responses = ["Done.", "Which day would you like?", "ok", "Your table is booked for two."];
    const before = tf.memory().numTensors;
    const r = scorer.score(history, responses);
    expect(tf.memory().numTensors).toBe(before);
    const ctx = scorer.contextIds(history);
    expect(ctx.length).toBe(40); // cut to the last 40 tokens (no EOS)
    responses.forEach((resp, i) => {
      const ids = scorer.responseIds(resp);
      expect(r.tokens[i]).toBe(Math.min(20, resp.length + 1));
      expect(r.sum[i]).toBeCloseTo(fullPassLogLik(net, ctx, ids), 3);
      expect(r.mean[i]).toBeCloseTo(r.sum[i]! / r.tokens[i]!, 10);
    });
    // A short history keeps the EOS document start.
    expect([...scorer.contextIds(["hi"])]).toEqual([97, 72, 73, 95]);
    scorer.dispose();
    net.dispose();
  });

  it("ranks the response a toy model was trained on above the others", async () => {
    const net = QNetwork.random(config, 7);
    const text = Int32Array.from([97, ...charTok.encode("hi\nhello there\n")]);
    const opt = tf.train.adam(0.01);
    const x = tf.tensor2d(text.slice(0, -1), [1, text.length - 1], "int32");
    const y = tf.tensor1d(text.slice(1), "int32");
    for (let step = 0; step < 60; step++)
      net.trainStep(opt, () =>
        tf.mean(softmaxCrossEntropy(tf.reshape(net.forward(x), [text.length - 1, 100]) as tf.Tensor2D, y)),
      );
    tf.dispose([x, y]);
    opt.dispose();
    const scorer = await LMScorer.create(net, charTok, { maxContextTokens: 32, maxResponseTokens: 32 });
    const cands = ["what time is it", "hello there", "goodbye", "hello"];
    const r = scorer.score(["hi"], cands);
    const best = (xs: Float64Array): number => xs.indexOf(Math.max(...xs));
    expect(best(r.sum)).toBe(1);
    expect(best(r.mean)).toBe(1);
    // "hello" (a prefix) is not rewarded: the turn must end where the trained one does.
    expect(r.sum[1]).toBeGreaterThan(r.sum[3]! + 1);
    scorer.dispose();
    net.dispose();
  });
});
