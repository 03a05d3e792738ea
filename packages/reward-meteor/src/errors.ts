/** Typed errors of @dqnlm/reward-meteor: a stable `code` and the offending `field`. */
import { RewardsError } from "@dqnlm/rewards";

/** An unknown option or a bad option value. */
export class MeteorOptionError extends RewardsError {
  static readonly CODE = "DQNLM_REWARD_METEOR_BAD_OPTION";
  constructor(field: string, message: string) {
    super(MeteorOptionError.CODE, message, { field });
  }
}
