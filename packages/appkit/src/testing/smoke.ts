/**
 * A tiny end-to-end configuration for the apps' CI smoke tests: a few dozen demonstration examples, a 1-layer
 * d=16 model, one MLE epoch and a handful of DQN updates. It checks that the whole pipeline runs and writes
 * its files, not that it learns.
 */

/** CLI arguments of a smoke `demo` run into `out` (append task-specific ones). */
export function smokeArgs(out: string): string[] {
  return [
    "demo",
    "--out",
    out,
    "--overwrite",
    "--quiet",
    "--backend",
    "wasm",
    "--train-limit",
    "48",
    "--validation-limit",
    "6",
    "--test-limit",
    "6",
    "--init",
    "random",
    "--vocab-size",
    "300",
    "--n-embd",
    "16",
    "--n-layer",
    "1",
    "--n-head",
    "2",
    "--max-new-tokens",
    "8",
    "--mle-epochs",
    "1",
    "--dqn-updates",
    "4",
    "--val-every",
    "2",
    "--val-examples",
    "4",
    "--set",
    "dqn.warmupTransitions=8",
    "--set",
    "dqn.rolloutBatch=4",
    "--set",
    "dqn.batchSize=8",
    "--set",
    "mle.batchSize=8",
    "--set",
    "log.every=1",
    "--set",
    "checkpoint.every=0",
  ];
}
