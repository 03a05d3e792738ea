/**
 * Typed errors of `@dqnlm/rewards`. The package is standalone (no dependency on `@dqnlm/core`), so the base class
 * mirrors `DqnlmError`'s shape: a stable `code` and the offending `field`.
 */

/** Base class of every error this package throws. */
export class RewardsError extends Error {
  /** A stable machine-readable code, e.g. `DQNLM_REWARDS_BAD_INPUT`. */
  readonly code: string;
  /** The argument or option at fault (e.g. `hyps[3]`, `tokenize`), when there is one. */
  readonly field: string | undefined;

  constructor(code: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
  }
}

/** Bad input data: a non-string hypothesis/reference, mismatched lengths, a non-array where a list is expected. */
export class RewardsInputError extends RewardsError {
  static readonly CODE = "DQNLM_REWARDS_BAD_INPUT";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(RewardsInputError.CODE, message, { field, ...options });
  }
}

/** Bad option: an unknown option name, an unknown tokenizer/smoothing method, an out-of-range value. */
export class RewardsOptionError extends RewardsError {
  static readonly CODE = "DQNLM_REWARDS_BAD_OPTION";
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(RewardsOptionError.CODE, message, { field, ...options });
  }
}

/** Shortens `value`'s printed form to `max` characters, for error messages. */
export function preview(value: unknown, max = 60): string {
  let s: string;
  try {
    s = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
