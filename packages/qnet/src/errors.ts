/**
 * Typed errors of @dqnlm/qnet. Each carries a stable `code` and, for bad input, the offending `field`.
 */
import { DqnlmError } from "@dqnlm/core";

/** A model configuration (ours or a Hugging Face `config.json`) is invalid or unsupported. */
export class QnetConfigError extends DqnlmError {
  constructor(message: string, field?: string, cause?: unknown) {
    super("DQNLM_QNET_CONFIG_INVALID", message, { field, cause });
  }
}

/** Input tensors have the wrong shape, dtype or values (e.g. token ids out of range). */
export class QnetInputError extends DqnlmError {
  constructor(message: string, field?: string) {
    super("DQNLM_QNET_INPUT_INVALID", message, { field });
  }
}

/** A safetensors file or checkpoint folder could not be read or does not match the model. */
export class QnetCheckpointError extends DqnlmError {
  constructor(message: string, field?: string, cause?: unknown) {
    super("DQNLM_QNET_CHECKPOINT_INVALID", message, { field, cause });
  }
}

/** A requested TensorFlow.js backend could not be started (only thrown with `strict: true`). */
export class QnetBackendError extends DqnlmError {
  constructor(message: string, field?: string, cause?: unknown) {
    super("DQNLM_QNET_BACKEND_UNAVAILABLE", message, { field, cause });
  }
}

/** A network was used after `dispose()`, or two networks with different shapes were mixed. */
export class QnetStateError extends DqnlmError {
  constructor(
    code:
      | "DQNLM_QNET_DISPOSED"
      | "DQNLM_QNET_SHAPE_MISMATCH"
      | "DQNLM_QNET_ALREADY_DUELING"
      | "DQNLM_QNET_FORWARD_ONLY",
    message: string,
    field?: string,
  ) {
    super(code, message, { field });
  }
}

/** An optional dependency needed by the feature in use is not installed (the message names the package). */
export class QnetMissingDependencyError extends DqnlmError {
  constructor(pkg: string, feature: string, cause?: unknown) {
    super(
      "DQNLM_MISSING_DEPENDENCY",
      `${feature} needs the optional package ${pkg}, which is not installed: npm install ${pkg}`,
      { field: pkg, cause },
    );
  }
}
