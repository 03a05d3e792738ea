/**
 * Reward plug-ins: loads a reward from a package or a file named on a command line,
 * `<package or path>[#export]`, resolved from the user's project (not from this package), and records what was
 * loaded (package, version, export, options, signature) so that a run folder says exactly what it optimised.
 *
 * Why a resolver of our own: `createRequire(from).resolve()` applies the `require` export condition, which
 * ESM-only packages (ours among them) do not offer, and `import.meta.resolve(spec, parent)` needs a Node flag.
 * Package lookup is Node's: `node_modules/<name>` in `from` and each folder above it, then the `exports` map
 * (conditions tried in the map's own key order) or `main`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { preview, RewardsError } from "./errors.js";
import type { Reward } from "./reward.js";

/** A JSON value (what `--reward-options` parses to). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/** What a reward package may export instead of a ready `Reward`: a function of JSON options. */
export type RewardFactory = (options?: JsonValue) => Reward;

/** What was loaded, as written to a run's config.json and shown in its report. */
export interface RewardRecord {
  /** The spec as given, e.g. `@dqnlm/reward-meteor#meteorReward`. */
  readonly spec: string;
  /** Name of the package that holds the module (nearest package.json), or null for a loose file. */
  readonly package: string | null;
  /** That package's version, or null. */
  readonly version: string | null;
  /** The export used (`default` when the spec names none). */
  readonly export: string;
  /** Whether the export was a factory (called with `options`) or a ready reward. */
  readonly kind: "factory" | "reward";
  /** The options passed to the factory (null when none). */
  readonly options: JsonValue | null;
  /** The reward's `name`. */
  readonly name: string;
  /** The reward's `config.signature` when it has one (metric signatures, sacreBLEU style), else null. */
  readonly signature: string | null;
  /** The resolved module file. */
  readonly resolved: string;
}

/** A loaded reward and its record. */
export interface LoadedReward {
  readonly reward: Reward;
  readonly record: RewardRecord;
}

/** Options of {@link loadReward}. */
export interface LoadRewardOptions {
  /** Folder (or a file in it) that packages and relative paths are resolved from. @default process.cwd() */
  readonly from?: string;
  /**
   * Export conditions, tried in the order of each `exports` map. @default `["source", "import", "node",
   * "default"]` when the process runs with `--conditions=source` (or under vitest), else without `source`
   */
  readonly conditions?: readonly string[];
}

/** Error of the plug-in loader; `code` says which step failed, `field` is `reward` or `reward-options`. */
export class RewardPluginError extends RewardsError {
  /** The package or file cannot be found. */
  static readonly NOT_FOUND = "DQNLM_REWARDS_PLUGIN_NOT_FOUND";
  /** The module has no export of the requested name. */
  static readonly NO_EXPORT = "DQNLM_REWARDS_PLUGIN_NO_EXPORT";
  /** The export (or what its factory returned) is not a `Reward`. */
  static readonly NOT_A_REWARD = "DQNLM_REWARDS_PLUGIN_NOT_A_REWARD";
  /** Options given to a ready reward, options that are not JSON, or a factory that rejected them. */
  static readonly BAD_OPTIONS = "DQNLM_REWARDS_PLUGIN_BAD_OPTIONS";
  /** The module was found but importing it threw. */
  static readonly IMPORT_FAILED = "DQNLM_REWARDS_PLUGIN_IMPORT_FAILED";
}

function fail(code: string, field: string, message: string, cause?: unknown): never {
  throw new RewardPluginError(code, message, { field, ...(cause === undefined ? {} : { cause }) });
}

/** Splits `<package or path>[#export]` at its last `#`. */
export function parseRewardSpec(spec: string): { readonly target: string; readonly exportName: string } {
  if (typeof spec !== "string" || spec.trim() === "")
    fail(
      RewardPluginError.NOT_FOUND,
      "reward",
      `expected a reward spec like "@dqnlm/reward-meteor" or "./my-reward#lengthReward", received ${preview(spec)}.`,
    );
  const hash = spec.lastIndexOf("#");
  if (hash < 0) return { target: spec, exportName: "default" };
  const target = spec.slice(0, hash);
  const exportName = spec.slice(hash + 1);
  if (target === "" || !/^[A-Za-z_$][\w$]*$/.test(exportName))
    fail(
      RewardPluginError.NO_EXPORT,
      "reward",
      `expected "<package or path>#<export name>" (an identifier after #), received ${preview(spec)}.`,
    );
  return { target, exportName };
}

/** True when `x` has a `Reward`'s shape (a string `name`, an object `config` and a `score` function). */
export function isReward(x: unknown): x is Reward {
  if (x === null || typeof x !== "object") return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.name === "string" &&
    typeof r.score === "function" &&
    r.config !== null &&
    typeof r.config === "object" &&
    (r.incremental === undefined || typeof r.incremental === "function")
  );
}

function defaultConditions(): string[] {
  const argv = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  let source = process.env.VITEST !== undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--conditions=source" || a === "-Csource") source = true;
    if ((a === "--conditions" || a === "-C") && argv[i + 1] === "source") source = true;
  }
  return source ? ["source", "import", "node", "default"] : ["import", "node", "default"];
}

type PackageJson = { name?: unknown; version?: unknown; exports?: unknown; main?: unknown };

function readPackageJson(dir: string): PackageJson | null {
  const p = join(dir, "package.json");
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as PackageJson;
  } catch {
    return null;
  }
}

/** Node's conditional-exports pick: the first key (in map order) that is an active condition or `default`. */
function pickTarget(entry: unknown, conditions: readonly string[]): string | null {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = pickTarget(e, conditions);
      if (t !== null) return t;
    }
    return null;
  }
  if (entry === null || typeof entry !== "object") return null;
  for (const [key, value] of Object.entries(entry)) {
    if (key !== "default" && !conditions.includes(key)) continue;
    const t = pickTarget(value, conditions);
    if (t !== null) return t;
  }
  return null;
}

function packageEntry(dir: string, pkg: PackageJson, conditions: readonly string[], spec: string): string {
  let entry = pkg.exports;
  if (entry !== undefined) {
    if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
      const keys = Object.keys(entry);
      if (keys.some((k) => k.startsWith("."))) entry = (entry as Record<string, unknown>)["."];
    }
    const target = pickTarget(entry, conditions);
    if (target === null)
      fail(
        RewardPluginError.NOT_FOUND,
        "reward",
        `${spec}: the "exports" of ${join(dir, "package.json")} have no "." entry for the conditions ` +
          `${conditions.join(", ")}. A reward package exports "." with "import" (and "source" in a workspace).`,
      );
    return resolve(dir, target);
  }
  return resolve(dir, typeof pkg.main === "string" ? pkg.main : "index.js");
}

function nearestPackage(file: string): { dir: string; pkg: PackageJson } | null {
  let dir = dirname(file);
  for (;;) {
    const pkg = readPackageJson(dir);
    if (pkg !== null) return { dir, pkg };
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function resolveTarget(target: string, fromDir: string, conditions: readonly string[], spec: string): string {
  const isPath = target.startsWith(".") || isAbsolute(target) || target.startsWith("file:");
  if (isPath) {
    const p = target.startsWith("file:") ? new URL(target).pathname : resolve(fromDir, target);
    if (!existsSync(p))
      fail(
        RewardPluginError.NOT_FOUND,
        "reward",
        `${spec}: no file or folder ${p} (relative paths are resolved from ${fromDir}).`,
      );
    if (statSync(p).isDirectory()) {
      const pkg = readPackageJson(p);
      if (pkg === null)
        fail(
          RewardPluginError.NOT_FOUND,
          "reward",
          `${spec}: ${p} is a folder without a package.json; name the module file (e.g. ${target}/index.js) or a package folder.`,
        );
      return packageEntry(p, pkg, conditions, spec);
    }
    return p;
  }
  const m = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(target);
  if (m === null || m[2] !== undefined)
    fail(
      RewardPluginError.NOT_FOUND,
      "reward",
      `${spec}: expected a package name (e.g. "dqnlm-reward-x" or "@scope/reward-x"; no subpath) or a path starting with ./ or /.`,
    );
  const name = m[1] as string;
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    const pkg = readPackageJson(candidate);
    if (pkg !== null) return packageEntry(candidate, pkg, conditions, spec);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return fail(
    RewardPluginError.NOT_FOUND,
    "reward",
    `${spec}: package ${JSON.stringify(name)} is not installed in ${fromDir} or any folder above it. ` +
      `Install it in your project (e.g. \`pnpm add ${name}\`) or give a path (./path/to/module.js#export).`,
  );
}

function checkJson(value: unknown, path: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      fail(RewardPluginError.BAD_OPTIONS, "reward-options", `${path} must be a finite number.`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkJson(v, `${path}[${i}]`);
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`);
    return;
  }
  fail(
    RewardPluginError.BAD_OPTIONS,
    "reward-options",
    `reward options must be JSON (objects, arrays, strings, numbers, booleans, null); ${path} is ${preview(value)}.`,
  );
}

function signatureOf(reward: Reward): string | null {
  const s = reward.config.signature;
  return typeof s === "string" ? s : null;
}

/**
 * Loads a reward from `<package or path>[#export]` (the `default` export when no `#export` is given).
 * The export is either a `Reward` or a factory `(options) => Reward`; `options` (JSON) go to the factory.
 *
 * @example
 *   const { reward, record } = await loadReward("@dqnlm/reward-meteor", { alpha: 0.85 });
 *   record; // { spec: "@dqnlm/reward-meteor", package: "@dqnlm/reward-meteor", version: "0.1.0", export: "default", … }
 * @throws RewardPluginError with code NOT_FOUND, NO_EXPORT, NOT_A_REWARD, BAD_OPTIONS or IMPORT_FAILED.
 */
export async function loadReward(
  spec: string,
  options?: unknown,
  opts: LoadRewardOptions = {},
): Promise<LoadedReward> {
  const { target, exportName } = parseRewardSpec(spec);
  if (options !== undefined) checkJson(options, "options");
  let fromDir = resolve(opts.from ?? process.cwd());
  if (existsSync(fromDir) && !statSync(fromDir).isDirectory()) fromDir = dirname(fromDir);
  const conditions = opts.conditions ?? defaultConditions();
  const file = resolveTarget(target, fromDir, conditions, spec);
  if (!existsSync(file))
    fail(
      RewardPluginError.NOT_FOUND,
      "reward",
      `${spec}: resolved to ${file}, which does not exist${file.includes("/dist/") ? " (build the package first, or run with --conditions=source)" : ""}.`,
    );
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    return fail(
      RewardPluginError.IMPORT_FAILED,
      "reward",
      `${spec}: importing ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
  }
  if (!(exportName in mod) || mod[exportName] === undefined) {
    const candidates = Object.keys(mod).filter(
      (k) => k !== "__esModule" && (isReward(mod[k]) || typeof mod[k] === "function"),
    );
    fail(
      RewardPluginError.NO_EXPORT,
      "reward",
      `${spec}: ${file} has no export ${JSON.stringify(exportName)}. ` +
        (candidates.length > 0
          ? `Its reward-like exports: ${candidates.map((c) => `${target}#${c}`).join(", ")}.`
          : "It exports no reward or factory."),
    );
  }
  const value = mod[exportName];
  let reward: unknown;
  let kind: "factory" | "reward";
  if (isReward(value)) {
    kind = "reward";
    if (options !== undefined && !isPlainEmpty(options))
      fail(
        RewardPluginError.BAD_OPTIONS,
        "reward-options",
        `${spec}: the export ${JSON.stringify(exportName)} is a ready reward, not a factory, so it takes no options; received ${preview(options)}.`,
      );
    reward = value;
  } else if (typeof value === "function") {
    kind = "factory";
    try {
      reward = (value as RewardFactory)(options as JsonValue | undefined);
    } catch (cause) {
      return fail(
        RewardPluginError.BAD_OPTIONS,
        "reward-options",
        `${spec}: the factory ${JSON.stringify(exportName)} rejected the options ${preview(options ?? null)}: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      );
    }
    if (!isReward(reward))
      fail(
        RewardPluginError.NOT_A_REWARD,
        "reward",
        `${spec}: the function ${JSON.stringify(exportName)} returned ${preview(reward)}, not a Reward ` +
          `({ name: string, config: object, score(hyp, refs): number }).`,
      );
  } else {
    return fail(
      RewardPluginError.NOT_A_REWARD,
      "reward",
      `${spec}: the export ${JSON.stringify(exportName)} is ${preview(value)}, neither a Reward ` +
        `({ name: string, config: object, score(hyp, refs): number }) nor a factory (options) => Reward.`,
    );
  }
  const r = reward as Reward;
  const owner = nearestPackage(file);
  const record: RewardRecord = {
    spec,
    package: owner && typeof owner.pkg.name === "string" ? owner.pkg.name : null,
    version: owner && typeof owner.pkg.version === "string" ? owner.pkg.version : null,
    export: exportName,
    kind,
    options: options === undefined ? null : (options as JsonValue),
    name: r.name,
    signature: signatureOf(r),
    resolved: file,
  };
  return { reward: r, record };
}

function isPlainEmpty(o: unknown): boolean {
  return o === null || (typeof o === "object" && !Array.isArray(o) && Object.keys(o as object).length === 0);
}

/**
 * One line that says what a run optimised, for reports:
 * `name (package@version#export, options {...}, signature …)`.
 */
export function describeReward(record: RewardRecord): string {
  const where = record.package === null ? record.resolved : `${record.package}@${record.version ?? "?"}`;
  const parts = [`${where}#${record.export}`];
  if (record.options !== null) parts.push(`options ${JSON.stringify(record.options)}`);
  if (record.signature !== null) parts.push(`signature ${record.signature}`);
  return `${record.name} (${parts.join(", ")})`;
}
