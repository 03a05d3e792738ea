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

/**
 * Bad input data read from a file (the `dqnlm-score` CLI): invalid UTF-8, a JSON Lines record that is not an
 * object, has no usable text or is empty, misaligned files, a file without any record. `field` is `FILE:LINE`
 * (or `FILE` when the whole file is at fault).
 */
export class RewardsDataError extends RewardsError {
  static readonly CODE = "DQNLM_REWARDS_BAD_DATA";
  /** The file at fault (`"<stdin>"` for standard input). */
  readonly file: string;
  /** 1-based line number, when one line is at fault. */
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string, options: { cause?: unknown } = {}) {
    super(RewardsDataError.CODE, message, {
      field: line === undefined ? file : `${file}:${line}`,
      ...options,
    });
    this.file = file;
    this.line = line;
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
