/** Typed errors of @dqnlm/reward-cider: a stable `code` and the offending `field`. */
import { RewardsError } from "@dqnlm/rewards";

/** An unknown option, a bad option value, or an unreadable corpus file. */
export class CiderOptionError extends RewardsError {
  static readonly CODE = "DQNLM_REWARD_CIDER_BAD_OPTION";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(CiderOptionError.CODE, message, { field, ...options });
  }
}
