/**
 * Route measurement for issue #12: onnxruntime-node (MLAS, native multi-threaded GEMMs) as the engine for
 * gradient-free GPT-2 passes (target / reference passes, evaluation), against qnet's wasm forward.
 *
 * onnxruntime-node has no graph-building API: a model must be an ONNX protobuf. qnet writes one itself
 * (src/onnx.ts, the GPT-2 graphs in src/ort-graph.ts: the `forward` model of `buildGpt2OnnxModels`), with every
 * weight as a graph *input*, so keeping the ORT copy in sync with training costs only reading the weights out of
 * tfjs per call (measured below) — no re-export, no session rebuild.
 *
 *   node --conditions=source --import tsx packages/qnet/bench/ort-forward.ts [--configs 1,3,5] [--reps 3]
 *        [--ort-threads 1]
 *
 * onnxruntime-node is a devDependency of qnet (DQNLM_ORT_PATH: another folder whose node_modules has it); skips
 * loudly when it cannot be loaded. Prints forward ms for both engines, the ratio, the weight read-out cost and
 * max |ΔQ|.
 */
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { OrtModuleLike, OrtTensorLike } from "../src/index.js";

interface Cfg {
  d: number;
  layers: number;
  heads: number;
  vocab: number;
  batch: number;
  seq: number;
}

// ---- measurement -----------------------------------------------------------------------------------------
const CONFIGS: Cfg[] = [
  { d: 64, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 4, heads: 4, vocab: 8192, batch: 16, seq: 32 },
  { d: 256, layers: 2, heads: 4, vocab: 1024, batch: 32, seq: 64 },
  { d: 256, layers: 4, heads: 4, vocab: 8192, batch: 32, seq: 64 },
];

async function main(): Promise<void> {
  const argv = process.argv;
  const get = (n: string, f: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? (argv[i + 1] ?? f) : f;
  };
  const { QNetwork, buildGpt2OnnxModels, loadOnnxRuntime, selectBackend, tf } = await import(
    "../src/index.js"
  );
  let ort: OrtModuleLike;
  try {
    ort = process.env.DQNLM_ORT_PATH
      ? (createRequire(join(process.env.DQNLM_ORT_PATH, "noop.js"))("onnxruntime-node") as OrtModuleLike)
      : loadOnnxRuntime();
  } catch (err) {
    console.warn(
      `\n!!! onnxruntime-node is not loadable (${(err as Error).message.split("\n")[0]}): SKIPPED\n`,
    );
    return;
  }
  const backend = await selectBackend({ backend: "wasm", strict: true });
  const threads = Number(get("ort-threads", "2"));
  console.log(
    `qnet: ${backend.reason}; onnxruntime-node ${ort.env.versions?.common ?? "?"}, ${threads} intra-op threads`,
  );
  const reps = Number(get("reps", "3"));
  for (const ci of get("configs", "1,2,3,4,5")
    .split(",")
    .map((s) => Number(s) - 1)) {
    const c = CONFIGS[ci] as Cfg;
    const net = QNetwork.random(
      { vocabSize: c.vocab, nPositions: c.seq, nEmbd: c.d, nLayer: c.layers, nHead: c.heads },
      1,
    );
    const session = await ort.InferenceSession.create(buildGpt2OnnxModels(net.config).forward, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    });
    const idsArr = Int32Array.from({ length: c.batch * c.seq }, (_, i) => (i * 7919) % c.vocab);
    const ids = tf.tensor2d(idsArr, [c.batch, c.seq], "int32");
    const vars = net.namedVariables;
    const feedsFromNet = (): Record<string, OrtTensorLike> => {
      const f: Record<string, OrtTensorLike> = {
        ids: new ort.Tensor("int32", idsArr, [c.batch, c.seq]),
      };
      for (const name of session.inputNames) {
        if (name === "ids") continue;
        const v = vars.get(name) as InstanceType<typeof tf.Variable>;
        f[name] = new ort.Tensor("float32", v.dataSync() as Float32Array, v.shape);
      }
      return f;
    };
    const tq: number[] = [];
    const to: number[] = [];
    const tsync: number[] = [];
    let diff = 0;
    const l0 = loadavg();
    for (let r = 0; r <= reps; r++) {
      let t0 = performance.now();
      const q = net.forward(ids);
      const qv = q.dataSync() as Float32Array;
      const dq = performance.now() - t0;
      t0 = performance.now();
      const feeds = feedsFromNet();
      const ds = performance.now() - t0;
      t0 = performance.now();
      const out = await session.run(feeds);
      const ov = out.logits?.data as Float32Array;
      const dort = performance.now() - t0;
      q.dispose();
      if (r === 0) {
        for (let i = 0; i < qv.length; i++)
          diff = Math.max(diff, Math.abs((qv[i] as number) - (ov[i] as number)));
        continue; // warm-up
      }
      tq.push(dq);
      to.push(dort);
      tsync.push(ds);
    }
    const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
    console.log(
      `(${c.d}, ${c.layers}, ${c.vocab}, ${c.batch}×${c.seq}) forward: qnet wasm ${med(tq).toFixed(1)} ms, ` +
        `onnxruntime ${med(to).toFixed(1)} ms (${(med(tq) / med(to)).toFixed(2)}× faster), weight read-out ` +
        `${med(tsync).toFixed(1)} ms, max |ΔQ| ${diff.toExponential(2)}; load ${l0.map((x) => x.toFixed(1)).join(" ")} → ` +
        `${loadavg()
          .map((x) => x.toFixed(1))
          .join(" ")}`,
    );
    ids.dispose();
    net.dispose();
    await session.release();
  }
}

await main();
