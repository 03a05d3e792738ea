/**
 * Typed errors of `@dqnlm/trainer`. Each class carries a stable `code` and, for bad input, the offending `field`
 * (a dotted config path such as `dqn.learningRate`). Messages say what was expected, what was received and how
 * to fix it. Only the CLI turns these into exit codes.
 */
import { DqnlmError } from "@dqnlm/core";

/** A config value is missing, of the wrong type, out of range, or an unknown key. Code `DQNLM_CONFIG_INVALID`. */
export class TrainerConfigError extends DqnlmError {
  static readonly CODE = "DQNLM_CONFIG_INVALID";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(TrainerConfigError.CODE, `config.${field}: ${message}`, { field, ...options });
  }
}

/** Bad training inputs (empty data, an example without references, prompts longer than the model). */
export class TrainerInputError extends DqnlmError {
  static readonly CODE = "DQNLM_TRAINER_BAD_INPUT";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(TrainerInputError.CODE, message, { field, ...options });
  }
}

/** A run folder or checkpoint is missing, incomplete or corrupt. Code `DQNLM_CHECKPOINT_INVALID`. */
export class CheckpointError extends DqnlmError {
  static readonly CODE = "DQNLM_CHECKPOINT_INVALID";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(CheckpointError.CODE, message, { field, ...options });
  }
}

/** Training diverged and the guards could not recover (too many consecutive non-finite updates). */
export class TrainingDivergedError extends DqnlmError {
  static readonly CODE = "DQNLM_TRAINING_DIVERGED";
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(TrainingDivergedError.CODE, message, options);
  }
}

/**
 * An optional dependency of the feature in use is not installed (`vega` / `vega-lite` for the SVG curves).
 * Code `DQNLM_MISSING_DEPENDENCY`; `field` is the package name.
 */
export class TrainerMissingDependencyError extends DqnlmError {
  static readonly CODE = "DQNLM_MISSING_DEPENDENCY";
  constructor(pkg: string, feature: string, options: { cause?: unknown } = {}) {
    super(
      TrainerMissingDependencyError.CODE,
      `${feature} needs the optional package ${pkg}, which is not installed: npm install ${pkg}`,
      { field: pkg, ...options },
    );
  }
}
