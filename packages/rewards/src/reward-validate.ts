/**
 * Argument checks shared by the TER, ROUGE, SQuAD, dialogue and reward modules. Messages are only built when a
 * check fails, so the checks are cheap enough for per-step reward loops.
 */
import { preview, RewardsInputError, RewardsOptionError } from "./errors.js";

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array ${preview(v)}`;
  return `${typeof v} ${preview(v)}`;
}

/** Throws {@link RewardsInputError} unless `v` is a string. */
export function checkString(v: unknown, field: string, fn: string): asserts v is string {
  if (typeof v !== "string") {
    throw new RewardsInputError(
      field,
      `${fn}: expected \`${field}\` to be a string, received ${describe(v)}. Pass plain text, e.g. "a cat sat".`,
    );
  }
}

/** Throws {@link RewardsInputError} unless `v` is an array of strings (non-empty when `nonEmpty`). */
export function checkStringList(
  v: unknown,
  field: string,
  fn: string,
  nonEmpty: boolean,
): asserts v is readonly string[] {
  if (!Array.isArray(v)) {
    throw new RewardsInputError(
      field,
      `${fn}: expected \`${field}\` to be an array of strings, received ${describe(v)}. Example: ["a cat sat"].`,
    );
  }
  if (nonEmpty && v.length === 0) {
    throw new RewardsInputError(
      field,
      `${fn}: expected \`${field}\` to hold at least one string, received an empty array. Example: ["a cat sat"].`,
    );
  }
  for (let i = 0; i < v.length; i++) checkString(v[i], `${field}[${i}]`, fn);
}

/** `string | string[]` → `string[]` (checked). */
export function toStringList(v: unknown, field: string, fn: string): readonly string[] {
  if (typeof v === "string") return [v];
  checkStringList(v, field, fn, true);
  return v;
}

/** Throws {@link RewardsOptionError} for an options value that is not a plain object or has an unknown key. */
export function checkOptions(opts: unknown, allowed: readonly string[], fn: string): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new RewardsOptionError(
      "opts",
      `${fn}: expected an options object, received ${describe(opts)}. Example: { ${allowed[0] ?? "key"}: … }.`,
    );
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new RewardsOptionError(
        key,
        `${fn}: unknown option \`${key}\`; expected one of ${allowed.map((k) => `\`${k}\``).join(", ")}.`,
      );
    }
  }
}

/** Reads a boolean option (default when `undefined`), throwing {@link RewardsOptionError} otherwise. */
export function boolOption(v: unknown, field: string, fn: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be true or false, received ${describe(v)}.`,
    );
  }
  return v;
}

/** Reads an option that must be one of `choices`. */
export function choiceOption<T extends string>(
  v: unknown,
  field: string,
  fn: string,
  choices: readonly T[],
  dflt: T,
): T {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be one of ${choices.map((c) => `"${c}"`).join(", ")}, received ${describe(v)}.`,
    );
  }
  return v as T;
}

/** Reads a finite-number option. */
export function numberOption(v: unknown, field: string, fn: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be a finite number, received ${describe(v)}.`,
    );
  }
  return v;
}
