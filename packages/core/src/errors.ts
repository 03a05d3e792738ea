/**
 * The base class of every error dqnlm throws. Each package subclasses it in its own `errors.ts` with a stable
 * `code` (e.g. `DQNLM_REPLAY_UNDERFILLED`) and, for bad input, the offending `field`.
 */
export class DqnlmError extends Error {
  /** A stable machine-readable code, e.g. `DQNLM_CONFIG_INVALID`. */
  readonly code: string;
  /** The option, argument or file field at fault, when there is one. */
  readonly field: string | undefined;

  constructor(code: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
  }
}

/** Shortens `value`'s printed form to `max` characters, for error messages. */
export function preview(value: unknown, max = 80): string {
  let s: string;
  try {
    s = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
