import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOnnxRuntime, QNetwork } from "@dqnlm/qnet";
import { afterAll, describe, expect, it } from "vitest";
import { taskDocuments } from "./corpus.js";
import { exportBase, fromHalfBits, toHalfBits } from "./export.js";
import { learningRateAt, PRETRAIN_DEFAULTS, pretrain } from "./pretrain.js";

let ortWhy = "";
try {
  loadOnnxRuntime();
} catch (err) {
  ortWhy = (err as Error).message;
}
if (ortWhy)
  console.warn(
    `\n!!! onnxruntime-node cannot be loaded (${ortWhy}):\n!!! the pretrain --engine ort test is SKIPPED\n`,
  );
const itOrt = ortWhy ? it.skip : it;

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "dqnlm-base-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A small corpus with structure a model can learn: counting sentences.
const words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const doc = (k: number): string =>
  `${words.slice(k % 3, (k % 3) + 6).join(" ")} and then ${words[(k % 3) + 6]}`;
const corpus = () => ({
  train: Array.from({ length: 300 }, (_, k) => doc(k)),
  validation: Array.from({ length: 30 }, (_, k) => doc(k + 1)),
});
const config = {
  vocabSize: 300,
  nEmbd: 32,
  nLayer: 1,
  nHead: 2,
  nPositions: 32,
  seqLen: 24,
  batchSize: 8,
  learningRate: 3e-3,
  warmupSteps: 10,
  steps: 60,
  evalEvery: 20,
  evalWindows: 16,
  checkpointEvery: 20,
  seed: 3,
};

describe("corpus documents", () => {
  it("deduplicates QA contexts and keeps the longest history of each dialogue", () => {
    const qa = taskDocuments("qa", [
      { context: "C1", question: "q1", answers: [{ text: "a1" }] },
      { context: "C1", question: "q2", answers: ["a2"] },
    ]);
    expect(qa).toEqual(["C1", "q1\na1", "q2\na2"]);
    const dlg = taskDocuments("dialogue", [
      { id: "sgd-train-1_0-t01", history: ["hi"], response: "hello" },
      { id: "sgd-train-1_0-t03", history: ["hi", "hello", "book"], response: "done" },
      { id: "sgd-train-2_0-t01", history: ["x"], response: "y" },
    ]);
    expect(dlg).toEqual(["hi\nhello\nbook\ndone", "x\ny"]);
    expect(taskDocuments("summarize", [{ source: "abstract", target: "title" }])).toEqual([
      "title\nabstract",
    ]);
  });
});

describe("learning-rate schedule", () => {
  it("warms up linearly and decays by cosine to the floor", () => {
    const c = { ...PRETRAIN_DEFAULTS, learningRate: 1, warmupSteps: 10, steps: 110, minLrRatio: 0.1 };
    expect(learningRateAt(c, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(c, 9)).toBeCloseTo(1, 12);
    expect(learningRateAt(c, 60)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(c, 110)).toBeCloseTo(0.1, 12);
  });
});

describe("float16 export", () => {
  it("rounds to nearest even and round-trips representable values", () => {
    for (const x of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14)])
      expect(fromHalfBits(toHalfBits(x))).toBe(x);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(Math.abs(fromHalfBits(toHalfBits(0.1)) - 0.1)).toBeLessThan(2 ** -14);
  });
});

describe("pretrain", () => {
  itOrt(
    "engine ort: the same losses and weights as tfjs to ~1e-4, and a run resumes across engines",
    async () => {
      const short = { ...config, steps: 20, evalEvery: 10, checkpointEvery: 10 };
      const read = (dir: string) =>
        readFileSync(join(dir, "metrics.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { kind: string; step: number; loss: number });
      const a = tmp();
      await pretrain({ runDir: a, corpus, config: short, backend: "wasm", engine: "tfjs" });
      const b = tmp();
      await pretrain({ runDir: b, corpus, config: short, backend: "wasm", engine: "ort" });
      const [ra, rb] = [read(a), read(b)];
      expect(rb.map((r) => [r.kind, r.step])).toEqual(ra.map((r) => [r.kind, r.step]));
      for (const [i, r] of ra.entries())
        expect(Math.abs((rb[i] as { loss: number }).loss - r.loss)).toBeLessThan(2e-4);
      const wa = QNetwork.load(join(a, "checkpoint"));
      const wb = QNetwork.load(join(b, "checkpoint"));
      let worst = 0;
      for (const [n, v] of wa.namedVariables) {
        const x = v.dataSync();
        const y = wb.namedVariables.get(n)?.dataSync() as Float32Array;
        for (let i = 0; i < x.length; i++)
          worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
      }
      expect(worst).toBeLessThan(1e-3); // 20 Adam steps at lr 3e-3 from identical starts
      // half on ort, the rest on tfjs: ends where the all-tfjs run ends (to the same tolerance)
      const c = tmp();
      await pretrain({ runDir: c, corpus, config: short, backend: "wasm", engine: "ort", stopAtStep: 10 });
      const rest = await pretrain({ runDir: c, backend: "wasm", engine: "tfjs" });
      expect(rest.resumedFrom).toBe(10);
      const wc = QNetwork.load(join(c, "checkpoint"));
      let worstC = 0;
      for (const [n, v] of wa.namedVariables) {
        const x = v.dataSync();
        const y = wc.namedVariables.get(n)?.dataSync() as Float32Array;
        for (let i = 0; i < x.length; i++)
          worstC = Math.max(worstC, Math.abs((x[i] as number) - (y[i] as number)));
      }
      expect(worstC).toBeLessThan(1e-3);
      for (const n of [wa, wb, wc]) n.dispose();
    },
    120_000,
  );

  it("lowers validation perplexity, and a resumed run ends byte-identical to an uninterrupted one", async () => {
    const a = tmp();
    const full = await pretrain({ runDir: a, corpus, config, backend: "wasm" });
    expect(full.step).toBe(60);
    expect(full.engine).toBe(ortWhy ? "tfjs" : "ort"); // the default "auto"
    const recs = readFileSync(join(a, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; perplexity?: number });
    const ppl = recs.filter((r) => r.kind === "validation").map((r) => r.perplexity as number);
    expect(ppl.length).toBe(3);
    expect(ppl[2]).toBeLessThan(ppl[0] as number);
    expect(ppl[2]).toBeLessThan(6); // 300-id vocabulary; the text is nearly deterministic

    const b = tmp();
    const part = await pretrain({ runDir: b, corpus, config, backend: "wasm", stopAtStep: 40 });
    expect(part.stopped).toBe("stop-at-step");
    const rest = await pretrain({ runDir: b, backend: "wasm" });
    expect(rest.resumedFrom).toBe(40);
    expect(readFileSync(join(b, "checkpoint", "model.safetensors"))).toEqual(
      readFileSync(join(a, "checkpoint", "model.safetensors")),
    );
    expect(
      readFileSync(join(b, "metrics.jsonl"), "utf8").replace(/"(seconds|tokensPerSecond)":[\d.e+-]+/g, ""),
    ).toBe(
      readFileSync(join(a, "metrics.jsonl"), "utf8").replace(/"(seconds|tokensPerSecond)":[\d.e+-]+/g, ""),
    );

    const out = join(tmp(), "model");
    const r = await exportBase({ runDir: a, to: out, dtype: "f16" });
    expect(r.maxAbsError).toBeGreaterThan(0);
    expect(r.maxAbsError).toBeLessThan(1e-2);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json"])
      expect(existsSync(join(out, f))).toBe(true);
    const f32 = QNetwork.load(join(a, "checkpoint"));
    const f16 = QNetwork.load(out);
    expect(f16.config.nEmbd).toBe(32);
    f32.dispose();
    f16.dispose();
  });

  it("refuses to resume with a different model size", async () => {
    const a = tmp();
    await pretrain({
      runDir: a,
      corpus,
      config: { ...config, steps: 2, evalEvery: 2, checkpointEvery: 2 },
      backend: "wasm",
    });
    await expect(pretrain({ runDir: a, config: { nEmbd: 64 }, backend: "wasm" })).rejects.toThrow(/nEmbd/);
  });
});
