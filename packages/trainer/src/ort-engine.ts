/**
 * `dqn.engine: "ort"`: the learner updates of the DQN loop on qnet's onnxruntime-node learner (OrtLearner). The
 * engine owns a copy of the online network's weights and Adam's moments; after every applied update it writes
 * the new weights into the tfjs online network, which the rollouts (KV cache), validation and the target sync
 * keep using. It is the loop's optimizer too: learning rate, step count and state in the trainer's Adam layout
 * (moments in the online network's trainableVariables order), so checkpoints and resume are the same files as
 * with the tfjs engine.
 *
 * The target and reference networks' forward passes of an update run on onnxruntime too (forward-only
 * learners): the reference's weights are read once (it is frozen), the target's before every update (the loop
 * changes the tfjs target by Polyak averaging or hard copies).
 */
import { loadOnnxRuntime, OrtLearner, type QNetwork } from "@dqnlm/qnet";
import { type LearnerOptions, learnerStepOrt, type SampledTransition, type UpdateStats } from "./learner.js";
import type { AdamState, Optimizer } from "./optim.js";

/** The onnxruntime learner engine of the DQN loop (see the module comment). */
export class OrtDqnEngine implements Optimizer {
  /** The onnxruntime learner (weights, Adam moments, sessions). */
  readonly learner: OrtLearner;
  /** The tfjs online network the engine writes its weights into. */
  readonly net: QNetwork;
  readonly #target: { net: QNetwork; fwd: OrtLearner } | null;
  readonly #reference: OrtLearner | null;

  private constructor(
    learner: OrtLearner,
    net: QNetwork,
    target: { net: QNetwork; fwd: OrtLearner } | null,
    reference: OrtLearner | null,
  ) {
    this.learner = learner;
    this.net = net;
    this.#target = target;
    this.#reference = reference;
  }

  /**
   * An engine for `net` starting from its current weights, Adam at step 0 with `learningRate` (1 onnxruntime
   * thread, no spinning). Throws qnet's `DQNLM_MISSING_DEPENDENCY` error when onnxruntime-node cannot be loaded.
   */
  static async create(
    net: QNetwork,
    learningRate: number,
    nets: {
      /** The tfjs target network: its forward passes then run on onnxruntime (else on tfjs). */
      readonly target?: QNetwork;
      /** The frozen reference network: likewise. */
      readonly reference?: QNetwork | null;
    } = {},
  ): Promise<OrtDqnEngine> {
    const ort = loadOnnxRuntime('The trainer option dqn.engine: "ort"');
    // No clipNorm here: each update passes dqn.gradClipNorm (0 = off) itself.
    const learner = await OrtLearner.create(net, { ort, learningRate, threads: 1 });
    const fwd = (n: QNetwork) => OrtLearner.create(n, { ort, threads: 1, forwardOnly: true });
    const target = nets.target ? { net: nets.target, fwd: await fwd(nets.target) } : null;
    const reference = nets.reference ? await fwd(nets.reference) : null;
    return new OrtDqnEngine(learner, net, target, reference);
  }

  get learningRate(): number {
    return this.learner.learningRate;
  }

  set learningRate(lr: number) {
    this.learner.learningRate = lr;
  }

  /** Adam updates applied. */
  get step(): number {
    return this.learner.updates;
  }

  getState(): AdamState {
    return this.learner.getState();
  }

  setState(s: AdamState): void {
    this.learner.setState(s);
  }

  /**
   * One learner update ({@link learnerStepOrt}); when applied, the new weights are written into the online
   * network. A skipped update leaves both untouched.
   */
  async update(
    batch: readonly SampledTransition[],
    o: Omit<LearnerOptions, "optimizer" | "online">,
  ): Promise<UpdateStats> {
    const t = this.#target;
    const r = this.#reference;
    t?.fwd.readFrom(t.net);
    const s = await learnerStepOrt(batch, {
      ...o,
      engine: this.learner,
      ...(t
        ? {
            forward: {
              target: (ids) => t.fwd.forward(ids),
              ...(r ? { reference: (ids) => r.forward(ids) } : {}),
            },
          }
        : {}),
    });
    if (s.ok) this.learner.writeTo(this.net);
    return s;
  }

  /** Reloads the engine's weights from the online network (after the loop restored a snapshot into it). */
  syncFromNetwork(): void {
    this.learner.readFrom(this.net);
  }

  /** Releases the onnxruntime sessions (in the background). */
  dispose(): void {
    void this.learner.dispose();
    void this.#target?.fwd.dispose();
    void this.#reference?.dispose();
  }
}
