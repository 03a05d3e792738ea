// Child process for backend.test.ts: starts wasm with the requested threads, runs a forward and a gradient,
// prints them as JSON, and then simply returns — the test checks that the process exits on its own.
import { QNetwork, selectBackend, tf } from "../src/index.js";

const threads = Number(process.argv[2] ?? 1);
const report = await selectBackend({ backend: "wasm", strict: true, wasmThreads: threads });
const net = QNetwork.random({ vocabSize: 50, nPositions: 16, nEmbd: 64, nLayer: 2, nHead: 4 }, 7);
const ids = tf.tensor2d(
  [
    [1, 2, 3, 4, 5, 6, 7, 8],
    [9, 8, 7, 6, 5, 4, 3, 2],
  ],
  [2, 8],
  "int32",
);
const q = net.forward(ids);
const { grads } = tf.variableGrads(
  () => tf.mean(tf.square(net.forward(ids))) as tf.Scalar,
  net.trainableVariables,
);
const g = grads[net.trainableVariables[2]?.name ?? ""] as tf.Tensor;
console.log(
  JSON.stringify({
    reason: report.reason,
    q: Array.from(q.dataSync().slice(0, 50)),
    g: Array.from(g.dataSync().slice(0, 50)),
  }),
);
