/**
 * Beam search (4 beams, 16 prompts of 24 tokens, 12 new tokens, no EOS so every hypothesis runs to the limit) on a
 * d=128, 2-layer GPT-2, wasm backend: the KV-cache decoder whose rows are reordered as hypotheses survive
 * (`Decoder.reorder`) against the same search recomputing every prefix with a full forward pass (the fallback
 * for models without a decoder). Both produce the same hypotheses (checked here before timing).
 *
 *   npx -y pnpm@10 --filter @dqnlm/trainer bench
 */
import { Rng } from "@dqnlm/core";
import { QNetwork, selectBackend } from "@dqnlm/qnet";
import { afterAll, beforeAll, bench, describe } from "vitest";
import { beamSearch, type DecodingModel } from "../src/index.js";

const V = 512;
let net: QNetwork;
let plain: DecodingModel;
const rng = new Rng(7);
const prompts = Array.from({ length: 16 }, () => Int32Array.from({ length: 24 }, () => rng.nextInt(V)));
const opts = { beams: 4, maxNewTokens: 12, eosId: null, padId: 0, batchSize: 16 } as const;
const times: Record<string, number[]> = { cached: [], recompute: [] };

function timed(name: string, model: DecodingModel): void {
  const t = performance.now();
  beamSearch(model, prompts, opts);
  times[name]!.push(performance.now() - t);
}

beforeAll(async () => {
  await selectBackend({ backend: "wasm", strict: true });
  net = QNetwork.random({ vocabSize: V, nPositions: 64, nEmbd: 128, nLayer: 2, nHead: 4 }, 1);
  plain = { forward: (ids) => net.forward(ids), trainableVariables: net.trainableVariables };
  const a = beamSearch(net, prompts, opts).map((h) => h.map((x) => Array.from(x.tokens).join(" ")));
  const b = beamSearch(plain, prompts, opts).map((h) => h.map((x) => Array.from(x.tokens).join(" ")));
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error("cached and recomputed beams differ");
}, 900_000);
afterAll(() => {
  const med = (xs: number[]): number =>
    [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const c = med(times.cached!);
  const r = med(times.recompute!);
  const toks = prompts.length * opts.beams * opts.maxNewTokens;
  console.log(
    `\nbeam search, 16 prompts × 4 beams × 12 tokens (median of ${times.cached!.length} / ${times.recompute!.length} runs): ` +
      `KV cache + reorder ${c.toFixed(0)} ms (${((1000 * toks) / c).toFixed(0)} tokens/s), ` +
      `full recompute ${r.toFixed(0)} ms (${((1000 * toks) / r).toFixed(0)} tokens/s): ${(r / c).toFixed(2)}× faster\n`,
  );
  net.dispose();
});
describe("beam search: KV cache with reorder vs full recompute", () => {
  bench("KV cache + reorder", () => timed("cached", net), { iterations: 5, warmupIterations: 1, time: 0 });
  bench("full recompute (no decoder)", () => timed("recompute", plain), {
    iterations: 5,
    warmupIterations: 1,
  });
});
