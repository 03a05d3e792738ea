/**
 * Typed errors of @dqnlm/mdp. Each carries a stable `code` and the offending `field`; messages say what was
 * expected, what was received and how to fix it.
 */
import { DqnlmError } from "@dqnlm/core";

/** Stable codes of {@link MdpError}. */
export type MdpErrorCode =
  | "DQNLM_MDP_BAD_OPTION"
  | "DQNLM_MDP_BAD_ARGUMENT"
  | "DQNLM_MDP_TOKEN_OUT_OF_RANGE"
  | "DQNLM_MDP_EPISODE_STATE"
  | "DQNLM_MDP_TOKENIZER_LOAD"
  | "DQNLM_MDP_TOKENIZER_SPECIAL"
  | "DQNLM_MDP_TOKENIZER_TRAIN";

/** Every error @dqnlm/mdp throws. */
export class MdpError extends DqnlmError {
  constructor(code: MdpErrorCode, message: string, field: string, cause?: unknown) {
    super(code, message, { field, cause });
  }
}

/** Builds the message only when the check fails (cheap inside step loops). */
export function check(cond: boolean, code: MdpErrorCode, field: string, msg: () => string): asserts cond {
  if (!cond) throw new MdpError(code, msg(), field);
}
