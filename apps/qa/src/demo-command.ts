/**
 * `demo`: appkit's generation demo (tiny GPT-2, MLE warm start, DQN) on the first half of the built-in
 * demonstration training questions, then the selection mode (a few thousand DQN episodes) with that model's
 * beams as a fourth answerer, its selector trained on the other half. Offline, a few minutes on 2 CPU cores.
 */
import type { CliCommand } from "@dqnlm/appkit";
import { demoQaData } from "./demo-data.js";
import { runSelect, SELECT_OPTIONS } from "./select-command.js";

/** Wraps appkit's generation `demo` so that the selection demo (with the generator as an answerer) follows it. */
export function demoCommand(generationDemo: CliCommand): CliCommand {
  const selectDefaults: Record<string, unknown> = {
    seeds: [1],
    steps: 3000,
    k: 3,
    hidden: 32,
    lr: 0.003,
    "cross-features": "yes",
    beams: 4,
    constrain: "spans",
    "generator-features": "yes",
    backend: "cpu",
    "demo-seed": 0,
    "field-context": "context",
    "field-question": "question",
    "field-answers": "answers",
    "field-id": "id",
  };
  const names = new Set(generationDemo.options.map((o) => o.name));
  return {
    summary: "selection + generation on the built-in demonstration data (offline, a few minutes)",
    options: [
      ...generationDemo.options,
      {
        name: "selection-steps",
        kind: "int",
        min: 1,
        default: 3000,
        help: "DQN episodes of the selection demo",
      },
      { name: "skip-generation", kind: "boolean", default: false, help: "run only the selection demo" },
      ...SELECT_OPTIONS.filter((o) => o.name === "k" && !names.has(o.name)),
    ],
    run: async (p, io) => {
      const out = typeof p.values.out === "string" ? p.values.out : "runs/demo";
      const withGenerator = p.values["skip-generation"] !== true;
      if (withGenerator) {
        const seed = typeof p.values["demo-seed"] === "number" ? p.values["demo-seed"] : 0;
        const n =
          typeof p.values["train-limit"] === "number"
            ? p.values["train-limit"]
            : demoQaData(seed).train.length;
        // The generator learns from the first half; the selector trains on the second (train-skip follows).
        await generationDemo.run({ ...p, values: { ...p.values, "train-limit": Math.ceil(n / 2) } }, io);
      }
      await runSelect(
        {
          ...selectDefaults,
          ...(withGenerator ? { generator: out, "generator-backend": p.values.backend ?? "wasm" } : {}),
          steps: p.values["selection-steps"],
          quiet: p.values.quiet,
          out: `${out}-select`,
          ...(typeof p.values["train-limit"] === "number" ? { "train-limit": p.values["train-limit"] } : {}),
          ...(typeof p.values["test-limit"] === "number" ? { "test-limit": p.values["test-limit"] } : {}),
          ...(typeof p.values["validation-limit"] === "number"
            ? { "validation-limit": p.values["validation-limit"] }
            : {}),
          ...(typeof p.values.k === "number" ? { k: p.values.k } : {}),
        },
        io,
        "qa selection demo",
      );
    },
  };
}
