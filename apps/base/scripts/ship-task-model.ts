/**
 * Ships a task run's checkpoint as a Hugging Face model folder (float16 model.safetensors, config.json,
 * tokenizer.json, tokenizer_config.json) plus the run's app-config.json, so that `dqnlm-<task> eval --model
 * <folder>` decodes with the options it was trained with. The model card (README.md) is written by hand.
 *   node --conditions=source --import tsx apps/base/scripts/ship-task-model.ts <run folder> <checkpoint name> <to>
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";
import { readSafetensors } from "@dqnlm/qnet";
import { fromHalfBits, toHalfBits, writeSafetensorsF16 } from "../src/export.js";

const [run, name, to] = process.argv.slice(2);
if (run === undefined || name === undefined || to === undefined) {
  process.stderr.write("usage: ship-task-model.ts <run folder> <checkpoint name, e.g. best | mle> <to>\n");
  process.exit(2);
}
const ckpt = join(run, "checkpoints", name);
if (!existsSync(join(ckpt, "model.safetensors"))) {
  process.stderr.write(
    `${ckpt} has no model.safetensors: pass a checkpoint of the run (ls ${run}/checkpoints)\n`,
  );
  process.exit(2);
}
mkdirSync(to, { recursive: true });
const weights = readSafetensors(new Uint8Array(readFileSync(join(ckpt, "model.safetensors"))), ckpt).tensors;
let maxAbsError = 0;
for (const t of weights.values())
  for (const x of t.data) maxAbsError = Math.max(maxAbsError, Math.abs(fromHalfBits(toHalfBits(x)) - x));
writeFileAtomic(join(to, "model.safetensors"), writeSafetensorsF16(weights, { format: "pt" }));
copyFileSync(join(ckpt, "config.json"), join(to, "config.json"));
for (const f of ["tokenizer.json", "tokenizer_config.json"])
  copyFileSync(join(run, "tokenizer", f), join(to, f));
copyFileSync(join(run, "app-config.json"), join(to, "app-config.json"));
process.stdout.write(
  `wrote ${to} (${statSync(join(to, "model.safetensors")).size} bytes, f16; max |f16 − f32| ${maxAbsError})\n`,
);
