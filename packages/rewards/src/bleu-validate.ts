/**
 * Argument and option checks for the BLEU and chrF functions. Messages say what was expected, what was received
 * and how to fix it; they are only built when a check fails.
 */
import { preview, RewardsInputError, RewardsOptionError } from "./errors.js";

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `an array ${preview(v)}`;
  return `${typeof v} ${preview(v)}`;
}

/** Throws unless `opts` is undefined or a plain object whose keys are all in `allowed`. */
export function checkOptionKeys(opts: unknown, allowed: readonly string[], fn: string): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new RewardsOptionError("opts", `${fn}: expected an options object, received ${describe(opts)}.`);
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

/** A boolean option (`dflt` when undefined). */
export function boolOpt(v: unknown, field: string, fn: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be true or false, received ${describe(v)}.`,
    );
  }
  return v;
}

/** An integer option in [min, max] (`dflt` when undefined). */
export function intOpt(
  v: unknown,
  field: string,
  fn: string,
  dflt: number,
  min: number,
  max: number,
): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be an integer from ${min} to ${max}, received ${describe(v)}. ` +
        `Example: { ${field}: ${dflt} }.`,
    );
  }
  return v;
}

/** A finite number option ≥ `min` (`dflt` when undefined; `null` allowed when `dflt` is null). */
export function numberOpt<D extends number | null>(
  v: unknown,
  field: string,
  fn: string,
  dflt: D,
  min: number,
): number | D {
  if (v === undefined || (v === null && dflt === null)) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new RewardsOptionError(
      field,
      `${fn}: option \`${field}\` must be a finite number ≥ ${min}${dflt === null ? " or null" : ""}, ` +
        `received ${describe(v)}.`,
    );
  }
  return v;
}

/** A string option that must be one of `choices`. */
export function choiceOpt<T extends string>(
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

/** Throws unless `v` is a string. */
export function checkString(v: unknown, field: string, fn: string): asserts v is string {
  if (typeof v !== "string") {
    throw new RewardsInputError(
      field,
      `${fn}: expected \`${field}\` to be a string, received ${describe(v)}.`,
    );
  }
}

/** Throws unless `v` is a non-empty array of strings (one hypothesis' references). */
export function checkRefList(v: unknown, field: string, fn: string): asserts v is readonly string[] {
  if (!Array.isArray(v)) {
    throw new RewardsInputError(
      field,
      `${fn}: expected \`${field}\` to be an array of reference strings, received ${describe(v)}. ` +
        `Wrap a single reference in an array: ["the reference"].`,
    );
  }
  if (v.length === 0) {
    throw new RewardsInputError(
      field,
      `${fn}: \`${field}\` holds no reference; each hypothesis needs at least one (an empty string "" is a valid one).`,
    );
  }
  for (let i = 0; i < v.length; i++) checkString(v[i], `${field}[${i}]`, fn);
}

/** Checks the corpus-level `hyps` / `refs` pair: strings, per-hypothesis reference lists, equal lengths. */
export function checkCorpus(hyps: unknown, refs: unknown, fn: string): asserts hyps is readonly string[] {
  if (!Array.isArray(hyps)) {
    throw new RewardsInputError(
      "hyps",
      `${fn}: expected \`hyps\` to be an array of strings, received ${describe(hyps)}.`,
    );
  }
  if (hyps.length === 0) {
    throw new RewardsInputError("hyps", `${fn}: \`hyps\` is empty; pass at least one hypothesis.`);
  }
  if (!Array.isArray(refs)) {
    throw new RewardsInputError(
      "refs",
      `${fn}: expected \`refs\` to be an array with one array of references per hypothesis, received ${describe(refs)}.`,
    );
  }
  if (refs.length !== hyps.length) {
    throw new RewardsInputError(
      "refs",
      `${fn}: got ${hyps.length} hypotheses but ${refs.length} reference lists; \`refs[i]\` must list the ` +
        `references of \`hyps[i]\` (per-hypothesis lists, not sacreBLEU's reference streams).`,
    );
  }
  for (let i = 0; i < hyps.length; i++) {
    checkString(hyps[i], `hyps[${i}]`, fn);
    checkRefList(refs[i], `refs[${i}]`, fn);
  }
}

/** The `nrefs:` signature value: the common reference count, or `var` when it differs between hypotheses. */
export function nrefsOf(refs: readonly (readonly string[])[]): number | "var" {
  const first = (refs[0] as readonly string[]).length;
  for (const r of refs) if (r.length !== first) return "var";
  return first;
}

/** sacreBLEU's version, as every signature names it. */
export const SACREBLEU_VERSION = "2.6.0";
