/**
 * Typed errors of @dqnlm/distributed. Each carries a stable `code` and the offending `field`; messages say what
 * was expected, what was received and how to fix it. Nothing here ever contains a Redis password: URLs are
 * passed through {@link redactRedisUrl} before they reach a message.
 */
import { DqnlmError } from "@dqnlm/core";

/** Stable codes of {@link DistributedError}. */
export type DistributedErrorCode =
  | "DQNLM_DIST_BAD_OPTION"
  | "DQNLM_DIST_BAD_URL"
  | "DQNLM_DIST_NO_MANIFEST"
  | "DQNLM_DIST_BAD_MANIFEST"
  | "DQNLM_DIST_WEIGHTS_CORRUPT"
  | "DQNLM_DIST_EPISODE_CORRUPT"
  | "DQNLM_DIST_LEARNER_LOCKED"
  | "DQNLM_DIST_CHECKPOINT";

/** Any error of the distributed actors / learner. */
export class DistributedError extends DqnlmError {
  constructor(code: DistributedErrorCode, field: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { field, ...options });
  }
}
