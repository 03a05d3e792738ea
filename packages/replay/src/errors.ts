/**
 * Typed errors of @dqnlm/replay. Every error carries a stable `code` and, for bad input, the offending `field`;
 * messages say what was expected, what was received and how to fix it.
 */
import { DqnlmError } from "@dqnlm/core";

/** Bad argument or malformed episode (wrong dtype, wrong length, token outside the vocabulary, …). */
export class ReplayInputError extends DqnlmError {
  constructor(code: ReplayInputCode, message: string, field: string) {
    super(code, message, { field });
  }
}

/** Stable codes of {@link ReplayInputError}. */
export type ReplayInputCode =
  | "DQNLM_REPLAY_BAD_OPTION"
  | "DQNLM_REPLAY_BAD_DTYPE"
  | "DQNLM_REPLAY_BAD_EPISODE"
  | "DQNLM_REPLAY_TOKEN_OUT_OF_RANGE"
  | "DQNLM_REPLAY_EPISODE_TOO_LONG"
  | "DQNLM_REPLAY_DEMO_FULL"
  | "DQNLM_REPLAY_UNKNOWN_EPISODE"
  | "DQNLM_REPLAY_BAD_ARGUMENT";

/** Asked for more samples than the buffer holds (or sampled an empty buffer). Code `DQNLM_REPLAY_UNDERFILLED`. */
export class ReplayUnderfilledError extends DqnlmError {
  /** What was requested. */
  readonly requested: number;
  /** What the buffer holds. */
  readonly available: number;
  constructor(message: string, field: string, requested: number, available: number) {
    super("DQNLM_REPLAY_UNDERFILLED", message, { field });
    this.requested = requested;
    this.available = available;
  }
}

/**
 * A replay file could not be read: missing/unreadable (`DQNLM_REPLAY_FILE_READ`), wrong magic (`DQNLM_REPLAY_FILE_FORMAT`), unsupported version
 * (`DQNLM_REPLAY_FILE_VERSION`), or truncated / checksum mismatch (`DQNLM_REPLAY_FILE_CORRUPT`).
 */
export class ReplayFileError extends DqnlmError {
  /** The file that failed to load. */
  readonly path: string;
  constructor(
    code:
      | "DQNLM_REPLAY_FILE_READ"
      | "DQNLM_REPLAY_FILE_FORMAT"
      | "DQNLM_REPLAY_FILE_VERSION"
      | "DQNLM_REPLAY_FILE_CORRUPT",
    message: string,
    path: string,
    cause?: unknown,
  ) {
    super(code, message, { field: "path", cause });
    this.path = path;
  }
}
