/**
 * Declarative command-line options for the task CLIs: each option has a kind, a default and one line of help.
 * Values come from (highest first) the command line, the `--config file.json`, and the defaults (the task's,
 * then the shared ones). Parsing uses `node:util` `parseArgs`; validation raises {@link UsageError} naming the
 * option, what was expected and what was received.
 */

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { nearestName as coreNearestName } from "@dqnlm/core";
import { ConfigFileError, UsageError } from "../errors.js";

/** Value kinds an option can have. */
export type OptionKind = "string" | "int" | "number" | "boolean" | "ints" | "strings";

/** One command-line option. */
export interface OptionSpec {
  /** Long name in kebab case, e.g. `max-new-tokens`. */
  readonly name: string;
  readonly kind: OptionKind;
  /** One line of help. */
  readonly help: string;
  /** The default (already of the option's kind). @default undefined (unset) */
  readonly default?: string | number | boolean | readonly number[] | readonly string[];
  /** Allowed values of a string option. @default any */
  readonly choices?: readonly string[];
  /** Lower bound of a numeric option. @default none */
  readonly min?: number;
  /** Upper bound of a numeric option. @default none */
  readonly max?: number;
  /** The option may be repeated (string kinds collect into a list). @default false */
  readonly multiple?: boolean;
  /** Single-letter alias. @default none */
  readonly short?: string;
}

/** Parsed option values by kebab-case name, plus positionals. */
export interface ParsedOptions {
  readonly values: Readonly<Record<string, unknown>>;
  readonly positionals: readonly string[];
  /** Which options were given explicitly (command line or config file), not defaulted. */
  readonly explicit: ReadonlySet<string>;
  /** The `trainer` object of the config file and the `--set` overrides, merged (command line wins). */
  readonly trainerOverrides: Record<string, unknown>;
}

const camel = (kebab: string): string => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses `argv` against `specs`, merging a `--config` JSON file when the specs include `config`. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[]): ParsedOptions {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const parseSpec: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const s of specs)
    parseSpec[s.name] = {
      type: s.kind === "boolean" ? "boolean" : "string",
      ...(s.multiple ? { multiple: true } : {}),
      ...(s.short ? { short: s.short } : {}),
    };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: parseSpec, allowPositionals: true, strict: true });
  } catch (err) {
    const m = /'(--?[\w-]+)/.exec((err as Error).message);
    const field = m?.[1]?.replace(/^-+/, "") ?? "arguments";
    const unknown = (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    if (unknown) {
      const guess = nearestName(field, [...byName.keys()]);
      throw new UsageError(
        field,
        "a known option",
        m?.[1] ?? argv.join(" "),
        `${guess ? `Did you mean --${guess}? ` : ""}Run with --help for the options.`,
      );
    }
    throw new UsageError(
      field,
      `a value after --${field} (write --${field}=-1 for a value starting with a dash)`,
      argv.join(" "),
      "Run with --help for the options.",
    );
  }
  const values: Record<string, unknown> = {};
  const explicit = new Set<string>();
  let trainerOverrides: Record<string, unknown> = {};

  // 1. Config file (lower precedence than the command line).
  const configPath = parsed.values.config;
  if (typeof configPath === "string") {
    const fileValues = readConfigFile(configPath);
    for (const [key, raw] of Object.entries(fileValues)) {
      if (key === "trainer") {
        if (raw === null || typeof raw !== "object" || Array.isArray(raw))
          throw new ConfigFileError(configPath, `"trainer" must be an object of trainer config overrides`, {
            field: "trainer",
          });
        trainerOverrides = deepMerge(trainerOverrides, raw as Record<string, unknown>);
        continue;
      }
      const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const spec = byName.get(name);
      if (spec === undefined || name === "config") {
        const guess = nearestName(
          key,
          [...byName.keys()]
            .filter((n) => n !== "config" && n !== "help")
            .flatMap((n) => [n, camel(n)])
            .concat("trainer"),
        );
        throw new ConfigFileError(
          configPath,
          `unknown key ${JSON.stringify(key)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} Keys are option names (e.g. "maxNewTokens" or "max-new-tokens") or "trainer"`,
          { field: key },
        );
      }
      values[name] = coerce(spec, raw, `config file ${configPath}`);
      explicit.add(name);
    }
  }
  // 2. Command line.
  for (const [name, raw] of Object.entries(parsed.values)) {
    const spec = byName.get(name);
    if (spec === undefined || raw === undefined) continue;
    values[name] = coerce(spec, raw, "command line");
    explicit.add(name);
  }
  // 3. Defaults.
  for (const s of specs) if (!(s.name in values) && s.default !== undefined) values[s.name] = s.default;
  // 4. --set path=value overrides of the trainer config.
  const sets = values.set;
  if (Array.isArray(sets))
    for (const assignment of sets as string[])
      trainerOverrides = deepMerge(trainerOverrides, parseSet(assignment));
  return { values, positionals: parsed.positionals, explicit, trainerOverrides };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigFileError(path, `cannot read the config file (${(err as Error).message})`, {
      field: "config",
      cause: err,
    });
  }
  if (text.trim() === "")
    throw new ConfigFileError(
      path,
      'the config file is empty; expected a JSON object such as {"seed": 2, "trainer": {"dqn": {"updates": 500}}}',
      { field: "config" },
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(path, `not valid JSON (${(err as Error).message})`, {
      field: "config",
      cause: err,
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ConfigFileError(
      path,
      'expected a JSON object such as {"seed": 2, "trainer": {"dqn": {"updates": 500}}}',
      {
        field: "config",
      },
    );
  return value as Record<string, unknown>;
}

/** Converts a raw string / JSON value to the option's kind, checking choices and bounds. */
function coerce(spec: OptionSpec, raw: unknown, where: string): unknown {
  const bad = (expected: string): never => {
    throw new UsageError(spec.name, expected, raw, where === "command line" ? undefined : `(from ${where})`);
  };
  const num = (v: unknown, integer: boolean): number => {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    const what = `${integer ? "an integer" : "a number"}${spec.min !== undefined ? ` ≥ ${spec.min}` : ""}${spec.max !== undefined ? ` ≤ ${spec.max}` : ""}`;
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) bad(what);
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) bad(what);
    return n;
  };
  switch (spec.kind) {
    case "boolean":
      if (typeof raw === "boolean") return raw;
      return bad("true or false");
    case "int":
      return num(raw, true);
    case "number":
      return num(raw, false);
    case "ints": {
      const parts = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [raw];
      return parts.map((p) => num(typeof p === "string" ? p.trim() : p, true));
    }
    case "strings": {
      const parts = Array.isArray(raw) ? raw.flatMap((p) => String(p).split(",")) : String(raw).split(",");
      const list = parts.map((p) => p.trim()).filter((p) => p !== "");
      if (spec.choices)
        for (const p of list) if (!spec.choices.includes(p)) bad(`a list of ${spec.choices.join("|")}`);
      return list;
    }
    case "string": {
      if (spec.multiple) {
        const list = Array.isArray(raw) ? raw : [raw];
        if (!list.every((x) => typeof x === "string")) bad("strings");
        return list;
      }
      if (typeof raw !== "string") bad("a string");
      if (spec.choices && !spec.choices.includes(raw as string)) bad(`one of ${spec.choices.join(", ")}`);
      return raw;
    }
  }
}

/** `dqn.klWeight=0.1` → `{ dqn: { klWeight: 0.1 } }` (values parsed as JSON when they can be). */
export function parseSet(assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UsageError("set", "path=value, e.g. dqn.klWeight=0.1", assignment);
  const path = assignment.slice(0, eq).trim().split(".");
  const rawValue = assignment.slice(eq + 1).trim();
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    // a bare string such as mse
  }
  const out: Record<string, unknown> = {};
  let node = out;
  path.forEach((key, k) => {
    const name = camel(key);
    if (k === path.length - 1) node[name] = value;
    else {
      const child: Record<string, unknown> = {};
      node[name] = child;
      node = child;
    }
  });
  return out;
}

/** Deep-merges plain objects (`b` wins); arrays and other values are replaced. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      isPlainObject(prev) && isPlainObject(v)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const isPlainObject = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);

/** Renders the options as help lines: `--name <kind>  help (default: x)`. */
export function formatOptionsHelp(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const arg =
      s.kind === "boolean"
        ? ""
        : ` <${s.choices ? s.choices.join("|") : s.kind === "ints" ? "n,n,…" : s.kind}>`;
    const left = `  ${s.short ? `-${s.short}, ` : ""}--${s.name}${arg}`;
    const def =
      s.default === undefined || (Array.isArray(s.default) && s.default.length === 0)
        ? ""
        : ` (default: ${Array.isArray(s.default) ? s.default.join(",") : String(s.default)})`;
    return [left, `${s.help}${def}`] as const;
  });
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)) + 2);
  return rows
    .map(([l, r]) => (l.length >= width ? `${l}\n${" ".repeat(width)}${r}` : l.padEnd(width) + r))
    .join("\n");
}

/** The nearest of `options` to `name` by edit distance (case-insensitive), or undefined when none is close. */
export const nearestName: (name: string, options: readonly string[]) => string | undefined = coreNearestName;
