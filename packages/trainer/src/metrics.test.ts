import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { MetricsLogger, readMetrics, writeCurves } from "./index.js";

test("metrics JSONL round trip keeps non-finite values visible", () => {
  const dir = mkdtempSync(join(tmpdir(), "dqnlm-metrics-"));
  const log = new MetricsLogger(join(dir, "m.jsonl"));
  log.log({ phase: "dqn", step: 1, loss: Number.NaN, q: 1.5 });
  log.log({ phase: "dqn", step: 2, loss: Number.POSITIVE_INFINITY, q: 2 });
  const text = readFileSync(log.path, "utf8").trim().split("\n");
  expect(text[0]).toBe('{"phase":"dqn","step":1,"loss":"NaN","q":1.5}');
  const back = readMetrics(log.path);
  expect(back[0]!.loss).toBeNaN();
  expect(back[1]!.loss).toBe(Number.POSITIVE_INFINITY);
});

test("curves are real SVG rendered by vega, one file per curve with data", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dqnlm-curves-"));
  const recs = Array.from({ length: 5 }, (_, i) => ({
    phase: "dqn",
    step: (i + 1) * 10,
    tdLoss: 1 / (i + 1),
    episodeMetric: i / 10,
    q0: i,
    mcReturn: i / 2,
  }));
  const files = await writeCurves([...recs, { phase: "validation", step: 50, metric: 0.3 }], dir);
  expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
    "loss.svg",
    "q-vs-return.svg",
    "reward.svg",
    "validation.svg",
  ]);
  const svg = readFileSync(join(dir, "q-vs-return.svg"), "utf8");
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain("Monte-Carlo return");
  expect(svg).toContain("<path"); // the lines
});
