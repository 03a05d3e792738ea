/** Typed errors of the base-model app. */
import { DqnlmError } from "@dqnlm/core";

/** Bad input to `dqnlm-base` (data folder, options, run folder). Code `DQNLM_BASE_BAD_INPUT`. */
export class BaseInputError extends DqnlmError {
  static readonly CODE = "DQNLM_BASE_BAD_INPUT";
  constructor(field: string, message: string) {
    super(BaseInputError.CODE, `--${field}: ${message}`, { field });
  }
}
