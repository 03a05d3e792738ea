/**
 * SVG training curves rendered headless with vega-lite + vega (`renderer: "none"`, no canvas): reward,
 * validation metric, TD loss, and Q(s_0) against the Monte-Carlo return actually obtained (over-estimation).
 */
import { join } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { TrainerMissingDependencyError } from "./errors.js";
import type { LogRecord } from "./metrics.js";

type Vega = typeof import("vega");
type VegaLite = typeof import("vega-lite");

/** vega and vega-lite are optional dependencies, loaded on first use (a typed error names the missing one). */
async function loadVega(): Promise<{ vega: Vega; vl: VegaLite }> {
  const load = async <T>(pkg: string): Promise<T> => {
    try {
      // A variable specifier keeps bundlers from resolving the optional package at build time.
      return (await import(pkg)) as T;
    } catch (cause) {
      throw new TrainerMissingDependencyError(pkg, "Rendering the SVG training curves (log.curves)", {
        cause,
      });
    }
  };
  return { vega: await load<Vega>("vega"), vl: await load<VegaLite>("vega-lite") };
}

/** One curve: which records and fields become lines. */
interface CurveSpec {
  readonly file: string;
  readonly title: string;
  readonly yTitle: string;
  readonly series: readonly { readonly phase: string; readonly field: string; readonly label: string }[];
}

/** The curves written at the end of a run. */
export const CURVES: readonly CurveSpec[] = [
  {
    file: "reward.svg",
    title: "Rollout reward (sequence metric of actor episodes)",
    yTitle: "reward",
    series: [{ phase: "dqn", field: "episodeMetric", label: "actor episodes" }],
  },
  {
    file: "validation.svg",
    title: "Validation metric (greedy argmax-Q decoding)",
    yTitle: "metric",
    series: [{ phase: "validation", field: "metric", label: "validation" }],
  },
  {
    file: "loss.svg",
    title: "Loss",
    yTitle: "loss",
    series: [
      { phase: "dqn", field: "tdLoss", label: "TD loss" },
      { phase: "mle", field: "trainLoss", label: "MLE train (cross-entropy)" },
      { phase: "mle", field: "validLoss", label: "MLE validation (cross-entropy)" },
    ],
  },
  {
    file: "q-vs-return.svg",
    title: "Q(s_0, a_0) against the return obtained",
    yTitle: "value",
    series: [
      { phase: "dqn", field: "q0", label: "Q(s0,a0)" },
      { phase: "dqn", field: "mcReturn", label: "Monte-Carlo return" },
    ],
  },
];

/** Renders one vega-lite line chart of `points` to an SVG string. */
export async function renderLineChart(
  points: readonly { x: number; y: number; series: string }[],
  opts: { title: string; xTitle: string; yTitle: string },
): Promise<string> {
  const { vega, vl } = await loadVega();
  const spec = vl.compile({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: opts.title,
    width: 420,
    height: 220,
    data: { values: points as { x: number; y: number; series: string }[] },
    mark: { type: "line", point: points.length < 40 },
    encoding: {
      x: { field: "x", type: "quantitative", title: opts.xTitle },
      y: { field: "y", type: "quantitative", title: opts.yTitle, scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null },
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes the SVG curves for a run's records into `dir` (one file per curve that has data). x is the DQN update
 * for DQN/validation records and the MLE step for MLE records. Returns the written paths.
 */
export async function writeCurves(records: readonly LogRecord[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const c of CURVES) {
    const points: { x: number; y: number; series: string }[] = [];
    for (const s of c.series) {
      for (const r of records) {
        if (r.phase !== s.phase) continue;
        const y = r[s.field];
        if (typeof y === "number" && Number.isFinite(y)) points.push({ x: r.step, y, series: s.label });
      }
    }
    if (points.length === 0) continue;
    const xTitle = c.series.every((s) => s.phase === "mle") ? "MLE step" : "step (DQN update / MLE step)";
    const svg = await renderLineChart(points, { title: c.title, xTitle, yTitle: c.yTitle });
    const path = join(dir, c.file);
    writeFileAtomic(path, svg);
    written.push(path);
  }
  return written;
}
