// Load a GPT-2 checkpoint folder (Hugging Face layout) and compute Q-values for every prefix of a batch.
// Run from packages/qnet: node --conditions=source --import tsx examples/q-values.ts
import { argmaxQ, createTarget, maxQ, QNetwork, selectBackend, tf } from "@dqnlm/qnet";

const backend = await selectBackend(); // tensorflow-gpu → tensorflow → wasm → cpu, or DQNLM_BACKEND
console.log(`backend: ${backend.name} (${backend.reason})`);

// Any GPT-2-family folder with config.json + model.safetensors works here (e.g. a snapshot of
// openai-community/gpt2, or QNetwork.fromPretrained("openai-community/gpt2") when online). For a
// self-contained example we first write a small random one in that layout.
const dir = "/tmp/qnet-example-gpt2";
const seedNet = QNetwork.random({ vocabSize: 100, nPositions: 32, nEmbd: 64, nLayer: 2, nHead: 4 }, 42);
await seedNet.save(dir);
seedNet.dispose();

const online = QNetwork.load(dir); // Q-head = LM head (tied to wte)
const target = createTarget(online); // θ' = θ
console.log(`loaded ${online.numParameters} parameters:`, online.config);

const ids = tf.tensor2d(
  [
    [5, 17, 42, 8],
    [9, 9, 3, 71],
  ],
  [2, 4],
  "int32",
);
const q = online.forward(ids); // [B, T, V]: q[b, t] = Q(ids[b, 0..t], ·)
console.log("Q shape:", q.shape);
tf.tidy(() => {
  console.log(
    "max_a Q(s_t, a):",
    (maxQ(q).arraySync() as number[][]).map((r) => r.map((v) => +v.toFixed(4))),
  );
  console.log("argmax_a:", argmaxQ(q).arraySync());
});

// Incremental decoding with a key/value cache gives the same values one token at a time.
const dec = target.decoder(2);
let last: tf.Tensor2D | undefined;
for (let t = 0; t < 4; t++) {
  last?.dispose();
  last = dec.step(Int32Array.from([[5, 17, 42, 8][t] as number, [9, 9, 3, 71][t] as number]));
}
const diff = tf.tidy(() =>
  tf.max(tf.abs(tf.sub(tf.squeeze(tf.slice(q, [0, 3, 0], [2, 1, 100]), [1]), last!))),
);
console.log("KV-cache vs full forward, max |diff|:", diff.dataSync()[0]);
tf.dispose([ids, q, diff, last!]);
dec.dispose();
online.dispose();
target.dispose();
console.log("tensors left:", tf.memory().numTensors);
