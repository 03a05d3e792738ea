/**
 * `compare`: a results table from prediction files written by `eval --out`, `baseline --out` or `train` (run
 * folders). Every system is scored with the task's own metrics (so the numbers equal `eval`'s), systems given
 * as several folders are seeds (mean ± sample std), and each system is tested against a reference system with
 * sacreBLEU's paired bootstrap from @dqnlm/rewards, seed by seed.
 *
 * A multi-seed system's p-value is the largest of its per-seed p-values: the intersection–union test of "every
 * seed differs from the reference", valid at that level without assuming anything about how seeds relate.
 * Pooling the seeds' outputs into one long system instead would resample the 3 outputs of each test example
 * as if they were 3 independent examples, which understates the variance when seeds agree (they share the
 * test examples and the reference), so its p-values would be too small.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "@dqnlm/core";
import { type PairedTestResult, pairedBootstrap, pairedBootstrapScores } from "@dqnlm/rewards";
import type { CliIo } from "./cli/run.js";
import { DataRecordError, UsageError } from "./errors.js";
import { checkOutputFolder, outputError, type PredictionRow, RUN_FILES } from "./run/folder.js";
import { formatMeanStd, type MeanStd, meanStd } from "./run/stats.js";
import type { GenerationTask, MetricScore, MetricTest, OptionValues } from "./task.js";

/** A system as given on the command line: `NAME=DIR[,DIR…]`. */
export interface SystemSpec {
  readonly name: string;
  /** One path per seed (folders or `.jsonl` files). */
  readonly paths: readonly string[];
}

/**
 * Parses `NAME=PATH[,PATH…]` (without `=`, the text is both the name and the only path).
 * @throws UsageError naming `field` for an empty name or path.
 */
export function parseSystemSpec(text: string, field = "system"): SystemSpec {
  const eq = text.indexOf("=");
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  const paths = (eq < 0 ? text : text.slice(eq + 1)).split(",").map((p) => p.trim());
  if (name === "" || paths.some((p) => p === ""))
    throw new UsageError(
      field,
      '"NAME=DIR" or "NAME=DIR1,DIR2,DIR3" (folders of one system\'s seeds), no empty name or path',
      text,
      `e.g. --${field} "RL (soft)=runs/rl-s1,runs/rl-s2,runs/rl-s3".`,
    );
  return { name, paths };
}

/**
 * The predictions file of `path` for `split`: the path itself when it is a `.jsonl` file, else the one
 * `predictions/<split>.*.jsonl` inside the folder.
 * @throws UsageError naming `field` when the path is missing or holds no / several such files.
 */
export function predictionsFile(path: string, split: string, field = "system"): string {
  const abs = resolve(path);
  if (!existsSync(abs))
    throw new UsageError(
      field,
      "an existing folder written by eval --out / baseline --out / train, or a predictions .jsonl file",
      path,
      "No such file or folder.",
    );
  if (statSync(abs).isFile()) return abs;
  const dir = join(abs, RUN_FILES.predictions);
  const found = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(`${split}.`) && f.endsWith(".jsonl"))
        .sort()
    : [];
  if (found.length === 1) return join(dir, found[0] as string);
  if (found.length === 0)
    throw new UsageError(
      field,
      `a folder with predictions/${split}.*.jsonl (written by eval --out, baseline --out or train)`,
      path,
      existsSync(dir)
        ? `It has predictions for: ${readdirSync(dir).join(", ") || "nothing"}. Check --split.`
        : "It has no predictions/ folder.",
    );
  throw new UsageError(
    field,
    `one predictions/${split}.*.jsonl in the folder`,
    path,
    `It holds ${found.length} (${found.join(", ")}); name the file, e.g. ${join(path, RUN_FILES.predictions, found[found.length - 1] as string)}.`,
  );
}

/** Reads a predictions JSONL file (one {@link PredictionRow} a line). @throws DataRecordError on a bad line. */
export function readPredictions(file: string): PredictionRow[] {
  const rows: PredictionRow[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (err) {
      throw new DataRecordError(file, i + 1, "not valid JSON", { cause: err, skippable: false });
    }
    const o = r as Partial<PredictionRow> | null;
    if (
      o === null ||
      typeof o !== "object" ||
      typeof o.id !== "string" ||
      typeof o.prediction !== "string" ||
      !Array.isArray(o.references) ||
      !o.references.every((x) => typeof x === "string")
    )
      throw new DataRecordError(
        file,
        i + 1,
        'expected a prediction row {"id": string, "references": string[], "prediction": string}',
        { skippable: false },
      );
    rows.push({
      id: o.id,
      source: typeof o.source === "string" ? o.source : "",
      references: o.references,
      prediction: o.prediction,
    });
  });
  return rows;
}

/** One seed of a system: its file, scores and p-values against its reference seed. */
export interface ComparedSeed {
  /** The path as given. */
  readonly path: string;
  /** The predictions file read. */
  readonly file: string;
  /** The task's metrics of this seed, by name. */
  readonly scores: Readonly<Record<string, number>>;
  /** Paired bootstrap p-value against the reference seed, by tested metric (null for the reference itself). */
  readonly p: Readonly<Record<string, number | null>>;
  /** The reference file this seed was tested against. */
  readonly pairedWith: string;
  /**
   * True when every prediction equals the reference seed's: no test is run and p is 1 (sacreBLEU's rule would
   * give the smallest p, 1/(resamples + 1), since no resample's |Δ| exceeds the observed 0).
   */
  readonly identical: boolean;
}

/** One row of the results table. */
export interface ComparedSystem {
  readonly name: string;
  readonly reference: boolean;
  readonly seeds: readonly ComparedSeed[];
  /** Mean and sample std over seeds, by metric. */
  readonly mean: Readonly<Record<string, MeanStd>>;
  /** The largest per-seed p-value, by tested metric (null for the reference). */
  readonly p: Readonly<Record<string, number | null>>;
}

/** What {@link compareSystems} returns (also written as JSON). */
export interface CompareResult {
  readonly task: string;
  readonly split: string;
  /** Examples per system. */
  readonly n: number;
  /** Every metric of the task, in its order, with display digits and signatures. */
  readonly metrics: readonly { name: string; digits: number; signature?: string }[];
  /** The task's main metric (first of `tested`), or null when the task declares no tests. */
  readonly main: string | null;
  /** The metrics tested, main first. */
  readonly tested: readonly string[];
  /** The signature of each test (sacreBLEU style, with bs:N and seed:S). */
  readonly testSignatures: Readonly<Record<string, string>>;
  readonly resamples: number;
  readonly seed: number;
  readonly reference: string;
  readonly systems: readonly ComparedSystem[];
}

/** Options of {@link compareSystems}. */
export interface CompareOptions {
  readonly reference: SystemSpec;
  readonly systems: readonly SystemSpec[];
  /** @default "test" */
  readonly split?: string;
  /** Metrics to test. @default every metric the task can test, main first */
  readonly metrics?: readonly string[];
  /** @default 1000 */
  readonly resamples?: number;
  /** @default 12345 */
  readonly seed?: number;
  /** The task's option values (its metrics may depend on them, e.g. `rouge-stemmer`). @default {} */
  readonly options?: OptionValues;
}

interface Loaded {
  readonly path: string;
  readonly file: string;
  readonly rows: PredictionRow[];
}

function load(spec: SystemSpec, split: string, field: string): Loaded[] {
  return spec.paths.map((path) => {
    const file = predictionsFile(path, split, field);
    return { path, file, rows: readPredictions(file) };
  });
}

/** Checks that `got` predicts the same examples, in the same order, with the same references as `want`. */
function checkAligned(want: Loaded, got: Loaded, field: string): void {
  const a = want.rows;
  const b = got.rows;
  const hint =
    "Every system must be evaluated on the same split with the same data options (--data-dir, --test-limit, --demo-seed, …).";
  if (a.length !== b.length)
    throw new UsageError(
      field,
      `predictions for the same ${a.length} examples as the reference (${want.file})`,
      `${got.file} with ${b.length} examples`,
      hint,
    );
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as PredictionRow;
    const y = b[i] as PredictionRow;
    if (x.id !== y.id)
      throw new UsageError(
        field,
        `the reference's example ids in the same order (line ${i + 1} of ${want.file} has id ${JSON.stringify(x.id)})`,
        `id ${JSON.stringify(y.id)} on line ${i + 1} of ${got.file}`,
        hint,
      );
    if (x.references.length !== y.references.length || x.references.some((r, k) => r !== y.references[k]))
      throw new UsageError(
        field,
        `the reference's references for example ${JSON.stringify(x.id)} (line ${i + 1} of ${want.file})`,
        `other references on line ${i + 1} of ${got.file}`,
        hint,
      );
  }
}

/** Runs one paired bootstrap of `hyps` against `base` for a metric test. */
export function runMetricTest(
  test: MetricTest,
  base: readonly string[],
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  resamples: number,
  seed: number,
): PairedTestResult {
  if ("metric" in test)
    return pairedBootstrap({
      metric: test.metric,
      baseline: base,
      systems: { system: hyps },
      refs,
      resamples,
      seed,
    });
  const per = (xs: readonly string[]): Float64Array =>
    Float64Array.from(xs, (h, i) => test.sentence(h, refs[i] as readonly string[]));
  return pairedBootstrapScores({
    baseline: per(base),
    systems: { system: per(hyps) },
    resamples,
    seed,
  });
}

/**
 * Scores every system with `task.metrics` and tests it against the reference (see the module comment).
 * @throws UsageError for a missing folder, predictions of other examples, an unknown or untestable metric.
 */
export function compareSystems(task: GenerationTask, o: CompareOptions): CompareResult {
  const split = o.split ?? "test";
  const resamples = o.resamples ?? 1000;
  const seed = o.seed ?? 12345;
  const options = o.options ?? {};
  const ref = load(o.reference, split, "reference");
  const systems = o.systems.map((s) => load(s, split, "system"));
  const first = ref[0] as Loaded;
  for (const l of ref.slice(1)) checkAligned(first, l, "reference");
  for (const s of systems) for (const l of s) checkAligned(first, l, "system");
  if (first.rows.length === 0)
    throw new UsageError("reference", "a predictions file with at least one example", first.file);
  const refs = first.rows.map((r) => r.references);
  const scoreOf = (l: Loaded): MetricScore[] =>
    task.metrics(
      l.rows.map((r) => r.prediction),
      refs,
      options,
    );
  const refScores = ref.map(scoreOf);
  const sysScores = systems.map((s) => s.map(scoreOf));
  const metricList = (refScores[0] ?? []).map((m) => ({
    name: m.name,
    digits: m.digits ?? 2,
    ...(m.signature ? { signature: m.signature } : {}),
  }));
  const names = metricList.map((m) => m.name);

  const tests = task.significance?.tests(options) ?? {};
  const testable = Object.keys(tests).filter((k) => names.includes(k));
  const main = task.significance?.main ?? null;
  const defaultTested = [
    ...(main !== null && testable.includes(main) ? [main] : []),
    ...testable.filter((k) => k !== main),
  ];
  const tested = o.metrics && o.metrics.length > 0 ? [...new Set(o.metrics)] : defaultTested;
  for (const m of tested) {
    if (!names.includes(m))
      throw new UsageError(
        "metric",
        `a metric of the ${task.name} task (${names.join(", ")})`,
        m,
        testable.length > 0 ? `Testable: ${testable.join(", ")}.` : "",
      );
    if (!testable.includes(m))
      throw new UsageError(
        "metric",
        `a metric with a paired test (${testable.join(", ") || "none for this task"})`,
        m,
        `${m} is reported but not tested (it is not a corpus metric the bootstrap can recompute).`,
      );
  }

  const testSignatures: Record<string, string> = {};
  const metricValue = (scores: readonly MetricScore[], name: string): number =>
    scores.find((s) => s.name === name)?.value ?? Number.NaN;
  /** The test, after checking that it recomputes the task's own metric value. */
  const test = (
    m: string,
    base: Loaded,
    baseScores: readonly MetricScore[],
    sys: Loaded,
    scores: readonly MetricScore[],
  ) => {
    const t = tests[m] as MetricTest;
    const r = runMetricTest(
      t,
      base.rows.map((x) => x.prediction),
      sys.rows.map((x) => x.prediction),
      refs,
      resamples,
      seed,
    );
    const scale = t.scale ?? 1;
    for (const [got, want, file] of [
      [r.baseline.score * scale, metricValue(baseScores, m), base.file],
      [(r.systems[0]?.score ?? Number.NaN) * scale, metricValue(scores, m), sys.file],
    ] as const)
      if (!(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want))))
        throw new UsageError(
          "metric",
          `a paired test that recomputes the ${task.name} task's ${m} (${want} on ${file})`,
          got,
          `The task's significance test for ${m} does not match its metric; report it, and pass --metric to test the others.`,
        );
    testSignatures[m] = r.signature;
    // Δ = 0: no evidence of a difference. sacreBLEU's rule counts resamples whose |Δ*| strictly exceeds the
    // observed |Δ|, so when no resample moves Δ off 0 (equal per-example scores) it would report 1/(B + 1).
    if (r.systems[0]?.score === r.baseline.score) return 1;
    return r.systems[0]?.pValue ?? null;
  };

  const summarize = (
    name: string,
    loaded: readonly Loaded[],
    scores: readonly (readonly MetricScore[])[],
    isRef: boolean,
  ): ComparedSystem => {
    const seeds: ComparedSeed[] = loaded.map((l, k) => {
      const r = isRef ? k : ref.length === loaded.length ? k : 0;
      const base = ref[r] as Loaded;
      const identical = !isRef && l.rows.every((x, i) => x.prediction === base.rows[i]?.prediction);
      const p: Record<string, number | null> = {};
      for (const m of tested)
        p[m] = isRef
          ? null
          : identical
            ? 1
            : test(m, base, refScores[r] as MetricScore[], l, scores[k] as MetricScore[]);
      return {
        path: l.path,
        file: l.file,
        scores: Object.fromEntries((scores[k] ?? []).map((s) => [s.name, s.value])),
        p,
        pairedWith: base.file,
        identical,
      };
    });
    const mean: Record<string, MeanStd> = {};
    for (const n of names) mean[n] = meanStd(seeds.map((s) => s.scores[n] as number));
    const p: Record<string, number | null> = {};
    for (const m of tested) p[m] = isRef ? null : Math.max(...seeds.map((s) => s.p[m] as number));
    return { name, reference: isRef, seeds, mean, p };
  };

  return {
    task: task.name,
    split,
    n: first.rows.length,
    metrics: metricList,
    main: tested[0] ?? null,
    tested,
    testSignatures,
    resamples,
    seed,
    reference: o.reference.name,
    systems: [
      summarize(o.reference.name, ref, refScores, true),
      ...o.systems.map((s, i) =>
        summarize(s.name, systems[i] as Loaded[], sysScores[i] as MetricScore[][], false),
      ),
    ],
  };
}

/** Formats a p-value: 4 decimals (the smallest possible is 1/(resamples + 1)). */
export function formatP(p: number | null): string {
  return p === null ? "—" : p.toFixed(4);
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

/** The markdown results table (and per-seed table, legend and signatures) of a comparison. */
export function renderComparison(r: CompareResult, cwd: string = process.cwd()): string {
  const cols = r.metrics;
  const head = ["system", "seeds", ...cols.map((c) => c.name), ...r.tested.map((m) => `p ${m}`)];
  const row = (s: ComparedSystem): string[] => [
    s.reference ? `${s.name} (reference)` : s.name,
    String(s.seeds.length),
    ...cols.map((c) => formatMeanStd(s.mean[c.name] as MeanStd, c.digits)),
    ...r.tested.map((m) => formatP(s.p[m] ?? null)),
  ];
  // the first `text` columns are left-aligned text, the rest right-aligned numbers
  const table = (h: string[], rows: string[][], text: number): string[] => [
    `| ${h.map(cell).join(" | ")} |`,
    `| ${h.map((_, i) => (i < text ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((x) => `| ${x.map(cell).join(" | ")} |`),
  ];
  const multi = r.systems.some((s) => !s.reference && s.seeds.length > 1);
  const legend =
    r.tested.length === 0
      ? "No p-values: this task declares no paired tests."
      : `p: paired bootstrap test (sacreBLEU --paired-bs, @dqnlm/rewards \`pairedBootstrap\`; ${r.resamples} resamples, seed ${r.seed}) ` +
        `of each system against ${r.reference} on the same ${r.n} ${r.split} examples: the share of resamples whose mean-centred |Δ| exceeds the observed |Δ|, (c + 1)/(${r.resamples} + 1), so the smallest possible p is ${formatP(1 / (r.resamples + 1))}; read the direction from the means. A score equal to the reference's (Δ = 0, e.g. identical outputs) gets p = 1: sacreBLEU's rule would give ${formatP(1 / (r.resamples + 1))} when no resample moves Δ off 0.` +
        (multi
          ? " A system with several seeds is tested seed by seed (paired with the reference's seed of the same position when the reference has as many seeds, else with its first); its p is the largest per-seed p (every seed differs from the reference at that level); per-seed p-values below."
          : "");
  const perSeed: string[][] = [];
  for (const s of r.systems)
    s.seeds.forEach((x, k) => {
      perSeed.push([
        s.name,
        String(k + 1),
        relative(cwd, x.file) || x.file,
        ...cols.map((c) => (x.scores[c.name] as number).toFixed(c.digits)),
        ...r.tested.map((m) => formatP(x.p[m] ?? null)),
      ]);
    });
  return [
    `Mean ± sample std over seeds, ${r.task}, ${r.split} split (${r.n} examples).`,
    "",
    ...table(head, r.systems.map(row), 1),
    "",
    legend,
    "",
    "Per seed:",
    "",
    ...table(
      ["system", "seed", "predictions", ...cols.map((c) => c.name), ...r.tested.map((m) => `p ${m}`)],
      perSeed,
      3,
    ),
    "",
    "Signatures:",
    "",
    ...cols.filter((c) => c.signature).map((c) => `- ${c.name}: \`${c.signature}\``),
    ...Object.entries(r.testSignatures).map(([m, s]) => `- test of ${m}: \`${s}\``),
    "",
  ].join("\n");
}

/** The comparison options from the `compare` command's option values. */
export function compareOptionsFrom(o: OptionValues): CompareOptions {
  if (typeof o.reference !== "string")
    throw new UsageError(
      "reference",
      '"NAME=DIR[,DIR…]", the system the others are tested against',
      o.reference,
      'e.g. --reference "MLE=runs/eval-mle".',
    );
  const systems = Array.isArray(o.system) ? (o.system as string[]) : [];
  return {
    reference: parseSystemSpec(o.reference, "reference"),
    systems: systems.map((s) => parseSystemSpec(s, "system")),
    split: typeof o.split === "string" ? o.split : "test",
    ...(Array.isArray(o.metric) ? { metrics: o.metric as string[] } : {}),
    resamples: typeof o.resamples === "number" ? o.resamples : 1000,
    seed: typeof o["bootstrap-seed"] === "number" ? o["bootstrap-seed"] : 12345,
    options: o,
  };
}

/** `compare`: prints the markdown table; with `--out file.md` also writes it and `file.json` next to it. */
export function runCompare(task: GenerationTask, o: OptionValues, io: CliIo): CompareResult {
  const out = typeof o.out === "string" ? o.out : undefined;
  if (out !== undefined) checkOutputFolder(dirname(resolve(out)), out);
  const r = compareSystems(task, compareOptionsFrom(o));
  const md = renderComparison(r);
  if (out !== undefined) {
    const mdPath = resolve(out);
    const jsonPath = mdPath.endsWith(".md") ? `${mdPath.slice(0, -3)}.json` : `${mdPath}.json`;
    try {
      writeFileAtomic(mdPath, md);
      writeJsonAtomic(jsonPath, r);
    } catch (err) {
      throw outputError(err, dirname(mdPath)) ?? err;
    }
  }
  io.stdout(md);
  return r;
}
