// A user's file: type-checked strictly against the published declarations (dist/*.d.ts) of qnet and trainer,
// without skipLibCheck, by scripts/check-consumer-types.sh. Every declaration file it pulls in (tfjs-core, the
// backends, our packages) must type-check on its own.
import { type GPT2Config, QNetwork, selectBackend, tf } from "@dqnlm/qnet";
import { type TrainInput, TrainingDivergedError, train } from "@dqnlm/trainer";

const config: GPT2Config = { vocabSize: 11, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 };

export async function main(input: TrainInput): Promise<number> {
  await selectBackend({ backend: "cpu" });
  const net = QNetwork.random(config, 1);
  const q: tf.Tensor3D = net.forward(tf.tensor2d([[1, 2]], [1, 2], "int32"));
  const shape = q.shape;
  q.dispose();
  net.dispose();
  try {
    return (await train(input)).updates + shape[2];
  } catch (err) {
    if (err instanceof TrainingDivergedError) return -1;
    throw err;
  }
}
