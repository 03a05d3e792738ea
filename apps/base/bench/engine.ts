/**
 * Pretraining step speed on the tfjs (wasm) engine vs the onnxruntime-node engine (`--engine ort`), interleaved,
 * on copies of an existing pretraining run (its model, tokens, optimizer state), with the machine load.
 *
 *   node --conditions=source --import tsx apps/base/bench/engine.ts <run folder with a checkpoint> [rounds=2] [steps=8]
 *
 * Each round and engine: copy the run to a temporary folder, 2 warm-up steps (a resume), then `steps` timed steps
 * (a second resume, ending with one checkpoint write, as every run does); the copy is removed afterwards.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pretrain } from "../src/pretrain.js";

const src = process.argv[2];
if (!src || !existsSync(join(src, "checkpoint", "state.json"))) {
  console.error("usage: engine.ts <pretraining run folder with checkpoint/state.json> [rounds] [steps]");
  process.exit(2);
}
const rounds = Number(process.argv[3] ?? 2);
const steps = Number(process.argv[4] ?? 8);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const rate: Record<string, number[]> = { tfjs: [], ort: [] };
for (let round = 0; round < rounds; round++) {
  for (const engine of ["tfjs", "ort"] as const) {
    const dir = join(mkdtempSync(join(tmpdir(), "dqnlm-pt-bench-")), "run");
    cpSync(src, dir, { recursive: true });
    const st = JSON.parse(readFileSync(join(dir, "checkpoint", "state.json"), "utf8")).step as number;
    const steps0 = JSON.parse(readFileSync(join(dir, "pretrain.json"), "utf8")).config?.steps as
      | number
      | undefined;
    const config = { steps: Math.max(steps0 ?? 0, st + 2 + steps) };
    await pretrain({ runDir: dir, backend: "wasm", engine, stopAtStep: st + 2, config });
    const t1 = performance.now();
    await pretrain({ runDir: dir, backend: "wasm", engine, stopAtStep: st + 2 + steps, config });
    const s = (performance.now() - t1) / 1000;
    rate[engine]?.push(steps / s);
    console.log(
      `round ${round + 1} ${engine.padEnd(4)}: ${steps} steps in ${s.toFixed(1)} s = ${(steps / s).toFixed(3)} steps/s (load ${load()})`,
    );
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `median steps/s: tfjs ${med(rate.tfjs as number[]).toFixed(3)}, ort ${med(rate.ort as number[]).toFixed(3)}; ` +
    `ort / tfjs ${(med(rate.ort as number[]) / med(rate.tfjs as number[])).toFixed(2)}×`,
);
