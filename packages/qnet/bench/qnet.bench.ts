/**
 * qnet benchmarks. Every figure is printed as a ratio against a baseline measured in the same run:
 *  - the backend's own large-matmul throughput (1024³, its roofline) and a training step's model FLOP/s as a
 *    fraction of it (d=256 and d=128 Q-networks);
 *  - KV-cache decoding vs recomputing the whole prefix at every step, length 64;
 *  - one episode-level TD pass (online + target over the whole episode) vs one pass per transition, T=32;
 *  - wasm vs cpu on the same training step.
 * Run: npx -y pnpm@10 --filter @dqnlm/qnet bench   (or: npx vitest bench --run packages/qnet/bench)
 */
import { cpus, loadavg } from "node:os";
import { afterAll, bench, describe } from "vitest";
import { type GPT2Config, QNetwork, selectBackend, softmaxCrossEntropy, tf } from "../src/index.js";

const loadStart = loadavg();
const times = new Map<string, number[]>();
function timed(name: string, fn: () => void): () => void {
  return () => {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    const a = times.get(name) ?? [];
    a.push(dt);
    times.set(name, a);
  };
}
/**
 * Fastest recorded run (the first one is a warm-up and is dropped). The minimum, not the median: the
 * machine these run on is shared, and the fastest run is the one least disturbed by other processes.
 */
function ms(name: string): number {
  const a = (times.get(name) ?? []).slice(1);
  return a.length ? Math.min(...a) : Number.NaN;
}
const opts = { iterations: 4, time: 0, warmupIterations: 0 } as const;

function modelFlopsPerToken(
  c: Required<Pick<GPT2Config, "nEmbd" | "nLayer" | "vocabSize">>,
  T: number,
): number {
  // 6·N for forward+backward over the matmul parameters (blocks 12·d² per layer + the V×d head), plus the
  // attention score/value products 12·L·T·d (computed over the full T×T square).
  const d = c.nEmbd;
  return 6 * (12 * d * d * c.nLayer + c.vocabSize * d) + 12 * c.nLayer * T * d;
}

interface TrainCase {
  key: string;
  config: GPT2Config;
  B: number;
  T: number;
}
const D256: TrainCase = {
  key: "d=256 L=4 H=4 V=4096, B=16 T=64",
  config: { vocabSize: 4096, nPositions: 160, nEmbd: 256, nLayer: 4, nHead: 4 },
  B: 16,
  T: 64,
};
const D128: TrainCase = {
  key: "d=128 L=2 H=4 V=4096, B=16 T=64",
  config: { vocabSize: 4096, nPositions: 160, nEmbd: 128, nLayer: 2, nHead: 4 },
  B: 16,
  T: 64,
};

function makeTrainStep(c: TrainCase): { step: () => void; dispose: () => void } {
  const net = QNetwork.random(c.config, 1);
  const V = c.config.vocabSize;
  const n = c.B * c.T;
  const ids = tf.tensor2d(
    Int32Array.from({ length: n }, (_, i) => (i * 7919) % V),
    [c.B, c.T],
    "int32",
  );
  const tgt = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => (i * 31 + 7) % V),
    "int32",
  );
  const opt = tf.train.adam(1e-4);
  const loss = (): tf.Scalar =>
    tf.mean(softmaxCrossEntropy(tf.reshape(net.forward(ids), [n, V]) as tf.Tensor2D, tgt)) as tf.Scalar;
  return {
    step: () => {
      net.trainStep(opt, loss);
    },
    dispose: () => {
      tf.dispose([ids, tgt]);
      opt.dispose();
      net.dispose();
    },
  };
}

function roofline(): { run: () => void; dispose: () => void } {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  return {
    run: () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

const disposers: Array<() => void> = [];

describe("wasm: roofline vs training step", async () => {
  await selectBackend({ backend: "wasm", strict: true });
  const r = roofline();
  const t256 = makeTrainStep(D256);
  const t128 = makeTrainStep(D128);
  disposers.push(r.dispose, t256.dispose, t128.dispose);
  // Each iteration times a 1024³ matmul right before the step, so every step has a roofline measured under
  // the same machine load (this machine is shared); the summary reports the median of the per-pair ratios.
  const paired = (key: string, step: () => void) => () => {
    timed(`roof:${key}`, r.run)();
    timed(`roof:${key}`, r.run)();
    timed(key, step)();
  };
  bench("matmul 1024x1024x1024 (roofline)", timed("roof", r.run), { ...opts, iterations: 8 });
  bench(`1024³ matmul x2 + train step ${D256.key}`, paired("t256", t256.step), { ...opts, iterations: 5 });
  bench(`1024³ matmul x2 + train step ${D128.key}`, paired("t128", t128.step), { ...opts, iterations: 5 });
});

describe("wasm: KV-cache decode vs recompute, length 64, B=4, d=256 L=4", async () => {
  await selectBackend({ backend: "wasm", strict: true });
  const cfg: GPT2Config = { vocabSize: 4096, nPositions: 160, nEmbd: 256, nLayer: 4, nHead: 4 };
  const net = QNetwork.random(cfg, 2);
  disposers.push(() => net.dispose());
  const B = 4;
  const L = 64;
  const tok = (b: number, t: number): number => (b * 131 + t * 17) % 4096;
  bench(
    "decode 64 tokens with KV cache",
    timed("kv", () => {
      const dec = net.decoder(B);
      for (let t = 0; t < L; t++) {
        const q = dec.step(Int32Array.from({ length: B }, (_, b) => tok(b, t)));
        q.dataSync();
        q.dispose();
      }
      dec.dispose();
    }),
    { ...opts, iterations: 3 },
  );
  bench(
    "decode 64 tokens by recomputing the prefix",
    timed("recompute", () => {
      for (let t = 1; t <= L; t++) {
        const ids = tf.tensor2d(
          Int32Array.from({ length: B * t }, (_, i) => tok(Math.floor(i / t), i % t)),
          [B, t],
          "int32",
        );
        const q = tf.tidy(() => tf.slice(net.forward(ids as tf.Tensor2D), [0, t - 1, 0], [B, 1, 4096]));
        q.dataSync();
        tf.dispose([q, ids]);
      }
    }),
    { ...opts, iterations: 3 },
  );
});

describe("wasm: TD targets for a batch of episodes, T=32 (prompt 16), B=4, d=256 L=4", async () => {
  await selectBackend({ backend: "wasm", strict: true });
  const cfg: GPT2Config = { vocabSize: 4096, nPositions: 160, nEmbd: 256, nLayer: 4, nHead: 4 };
  const online = QNetwork.random(cfg, 3);
  const target = online.clone();
  disposers.push(
    () => online.dispose(),
    () => target.dispose(),
  );
  const B = 4;
  const P = 16;
  const T = 32;
  const ids = tf.tensor2d(
    Int32Array.from({ length: B * (P + T) }, (_, i) => (i * 37) % 4096),
    [B, P + T],
    "int32",
  );
  disposers.push(() => ids.dispose());
  bench(
    "episode-level: Q(s_t,·) and max Q'(s_t+1,·) for all t in one pass each",
    timed("episode", () => {
      const r = tf.tidy(() => {
        const q = online.forward(ids);
        const qt = target.forward(ids);
        return tf.add(tf.sum(tf.max(q, -1)), tf.sum(tf.max(qt, -1)));
      });
      r.dataSync();
      r.dispose();
    }),
    { ...opts, iterations: 3 },
  );
  bench(
    "per-transition: one online and one target pass per t",
    timed("transition", () => {
      let acc = 0;
      for (let t = 0; t < T; t++) {
        const r = tf.tidy(() => {
          const s = tf.slice(ids, [0, 0], [B, P + t]) as tf.Tensor2D;
          const s1 = tf.slice(ids, [0, 0], [B, P + t + 1]) as tf.Tensor2D;
          const q = tf.slice(online.forward(s), [0, P + t - 1, 0], [B, 1, 4096]);
          const qt = tf.slice(target.forward(s1), [0, P + t, 0], [B, 1, 4096]);
          return tf.add(tf.sum(tf.max(q, -1)), tf.sum(tf.max(qt, -1)));
        });
        acc += r.dataSync()[0] as number;
        r.dispose();
      }
      if (Number.isNaN(acc)) throw new Error("NaN");
    }),
    { ...opts, iterations: 3 },
  );
});

const SMALL: TrainCase = {
  key: "d=128 L=2 H=4 V=1024, B=4 T=32",
  config: { vocabSize: 1024, nPositions: 64, nEmbd: 128, nLayer: 2, nHead: 4 },
  B: 4,
  T: 32,
};
describe(`cpu vs wasm: train step ${SMALL.key}`, async () => {
  await selectBackend({ backend: "cpu", strict: true });
  const cpu = makeTrainStep(SMALL);
  await selectBackend({ backend: "wasm", strict: true });
  const wasm = makeTrainStep(SMALL);
  disposers.push(cpu.dispose, wasm.dispose);
  bench(
    "cpu",
    async () => {
      await selectBackend({ backend: "cpu", strict: true });
      timed("cpu", cpu.step)();
      await selectBackend({ backend: "wasm", strict: true });
    },
    { ...opts, iterations: 3 },
  );
  bench("wasm", timed("wasm", wasm.step), { ...opts, iterations: 3 });
});

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : Number.NaN;
}

afterAll(() => {
  const roof = (2 * 1024 ** 3) / ms("roof") / 1e6;
  const line = (c: TrainCase, key: string): string => {
    const { vocabSize, nEmbd, nLayer } = c.config;
    const flops = modelFlopsPerToken({ vocabSize, nEmbd, nLayer }, c.T) * c.B * c.T;
    // Per iteration (warm-up dropped): the step's model FLOP/s over the faster of the two 1024³ matmuls
    // timed right before it.
    const steps = (times.get(key) ?? []).slice(1);
    const roofs = (times.get(`roof:${key}`) ?? []).slice(2);
    const ratios = steps.map((t, i) => {
      const r = Math.min(roofs[2 * i] ?? Number.NaN, roofs[2 * i + 1] ?? Number.NaN);
      return flops / t / ((2 * 1024 ** 3) / r);
    });
    const best = Math.min(...steps);
    const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
    return (
      `  train ${c.key}: fastest step ${best.toFixed(0)} ms = ${((c.B * c.T * 1000) / best).toFixed(0)} tokens/s = ` +
      `${(flops / best / 1e6).toFixed(1)} model GFLOP/s = ${pct(flops / best / 1e6 / roof)} of the fastest roofline; ` +
      `median of per-step ratios to the matmul timed next to each step: ${pct(median(ratios))} ` +
      `(${ratios.map(pct).join(", ")})`
    );
  };
  const out = [
    "",
    "qnet bench summary (ratios within this run)",
    `  load average at start ${loadStart.map((x) => x.toFixed(1)).join(" ")}, at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} on ${cpus().length} CPUs`,
    `  wasm roofline (1024³ matmul, fastest of 8): ${roof.toFixed(1)} GFLOP/s`,
    line(D256, "t256"),
    line(D128, "t128"),
    `  KV-cache decode speed-up over recompute (length 64): ${(ms("recompute") / ms("kv")).toFixed(1)}x (${ms("kv").toFixed(0)} vs ${ms("recompute").toFixed(0)} ms)`,
    `  episode-level TD pass speed-up over per-transition (T=32): ${(ms("transition") / ms("episode")).toFixed(1)}x (${ms("episode").toFixed(0)} vs ${ms("transition").toFixed(0)} ms)`,
    `  wasm speed-up over cpu (train ${SMALL.key}): ${(ms("cpu") / ms("wasm")).toFixed(1)}x (${ms("wasm").toFixed(0)} vs ${ms("cpu").toFixed(0)} ms)`,
    "",
  ];
  console.log(out.join("\n"));
  for (const d of disposers) d();
});
