/**
 * `demo`: the selection mode on the built-in demonstration data (a few thousand DQN episodes), then appkit's
 * generation demo (tiny GPT-2, MLE warm start, DQN) on the same data. Offline, a few minutes on 2 CPU cores.
 */
import type { CliCommand } from "@dqnlm/appkit";
import { runSelect, SELECT_OPTIONS } from "./select-command.js";

/** Wraps appkit's generation `demo` so that the selection demo runs first. */
export function demoCommand(generationDemo: CliCommand): CliCommand {
  const selectDefaults: Record<string, unknown> = {
    seeds: [1],
    steps: 3000,
    k: 10,
    reward: "exact",
    hidden: 32,
    lr: 0.003,
    "cross-features": "yes",
    backend: "cpu",
    "demo-seed": 0,
    "field-history": "history",
    "field-response": "response",
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
      await runSelect(
        {
          ...selectDefaults,
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
        "dialogue selection demo",
      );
      if (p.values["skip-generation"] !== true) await generationDemo.run(p, io);
    },
  };
}
