/**
 * Typed errors of @dqnlm/appkit. Every class carries a stable `code` and, where it applies, the offending
 * `field`; data errors also carry the `file` and 1-based `line` (or Parquet row) they came from. Only the task
 * CLI ({@link runTaskCli}) turns these into exit codes.
 */
import { DqnlmError, preview } from "@dqnlm/core";

/** A record in a data file could not be parsed or lacks a required field. */
export class DataRecordError extends DqnlmError {
  /** The data file. */
  readonly file: string;
  /** 1-based line of the record's start (text formats) or 1-based row (Parquet). */
  readonly line: number;
  /** The reason, without the location prefix. */
  readonly reason: string;

  constructor(
    file: string,
    line: number,
    reason: string,
    options: { field?: string; cause?: unknown; unit?: "line" | "row"; skippable?: boolean } = {},
  ) {
    const { unit = "line", skippable = true, ...rest } = options;
    super(
      "DQNLM_APPKIT_BAD_RECORD",
      `${file}:${line}: ${reason} (${unit} ${line}).` +
        (skippable
          ? " Fix the record, or pass skipBadLines: true (CLI: --skip-bad-lines) to skip malformed records and count them."
          : ""),
      rest,
    );
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** A data file's format could not be recognised from its name, or the file is not readable as that format. */
export class DataFormatError extends DqnlmError {
  /** The data file. */
  readonly file: string;
  constructor(file: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super("DQNLM_APPKIT_BAD_FORMAT", `${file}: ${message}`, options);
    this.file = file;
  }
}

/** A dataset folder or Hugging Face dataset lacks a split (train/validation/test) that was asked for. */
export class DatasetNotFoundError extends DqnlmError {
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super("DQNLM_APPKIT_DATASET_NOT_FOUND", message, options);
  }
}

/** A split has no usable record (an empty file, only blank lines, or every record skipped as malformed). */
export class EmptySplitError extends DqnlmError {
  /** The split without records. */
  readonly split: string;
  constructor(split: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super("DQNLM_APPKIT_EMPTY_SPLIT", message, options);
    this.split = split;
  }
}

/**
 * An output folder (`--out`) cannot be used: it is a file, lies under a file, is not writable, or writing into
 * it failed. `field` names the option.
 */
export class OutputPathError extends DqnlmError {
  /** The folder as given. */
  readonly path: string;
  constructor(path: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super("DQNLM_APPKIT_BAD_OUTPUT", message, { field: options.field ?? "out", ...options });
    this.path = path;
  }
}

/** A command-line argument or config-file value is invalid. `field` names the option. */
export class UsageError extends DqnlmError {
  constructor(field: string, expected: string, received: unknown, hint?: string) {
    super(
      "DQNLM_APPKIT_BAD_OPTION",
      `Invalid --${field}: expected ${expected}, received ${preview(received)}.${hint ? ` ${hint}` : ""}`,
      { field },
    );
  }
}

/** A config file (`--config file.json`) could not be read or parsed. */
export class ConfigFileError extends DqnlmError {
  constructor(file: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super("DQNLM_APPKIT_BAD_CONFIG_FILE", `${file}: ${message}`, options);
  }
}

/** An option of the selection DQN ({@link trainSelector}) is invalid. `field` names the option. */
export class SelectorOptionError extends DqnlmError {
  constructor(field: string, expected: string, received: unknown) {
    super(
      "DQNLM_SELECTOR_OPTION_INVALID",
      `Option "${field}" must be ${expected}, received ${preview(received)}. Fix the value and run again.`,
      { field },
    );
  }
}
