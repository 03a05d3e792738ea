import { DqnlmError } from "@dqnlm/core";

/** Bad input or options in the dialogue app (a data row, a CLI flag, a selector option). */
export class DialogueError extends DqnlmError {
  constructor(code: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Builds the error for an option outside its range, naming the field, the expectation and the value. */
export function invalidOption(field: string, expected: string, received: unknown): DialogueError {
  return new DialogueError(
    "DQNLM_DIALOGUE_OPTION_INVALID",
    `Option "${field}" must be ${expected}, received ${JSON.stringify(received)}. Fix the value and run again.`,
    { field },
  );
}
