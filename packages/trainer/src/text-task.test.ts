import { bleuReward } from "@dqnlm/rewards";
import { describe, expect, it } from "vitest";
import { WordTokenizer } from "./__fixtures__/word-tokenizer.js";
import { resolveConfig } from "./config.js";
import { TrainerConfigError } from "./errors.js";
import { buildTextTask, encodePrompt } from "./text-task.js";

const tok = new WordTokenizer(["a", "b", "c", "d", "e", "x", "y"]);
const ids = (s: string): number[] => [...tok.encode(s), tok.sepId];

describe("prompt truncation (data.truncationSide)", () => {
  it("left drops the first tokens, right drops the last; short prompts are untouched", () => {
    expect([...encodePrompt(tok, "a b c d e", 3)]).toEqual(ids("c d e"));
    expect([...encodePrompt(tok, "a b c d e", 3, "left")]).toEqual(ids("c d e"));
    expect([...encodePrompt(tok, "a b c d e", 3, "right")]).toEqual(ids("a b c"));
    expect([...encodePrompt(tok, "a b", 3, "right")]).toEqual(ids("a b"));
    expect([...encodePrompt(tok, "a b c", 3, "left")]).toEqual(ids("a b c"));
  });

  it("the task's states follow the config; left is the default; a bad value is a typed error naming the field", () => {
    const data = {
      train: [{ prompt: "a b c d e", references: ["x y"] }],
      validation: [{ prompt: "e d c b a", references: ["y"] }],
      test: [],
    };
    const left = buildTextTask(tok, bleuReward(), data, resolveConfig({ data: { maxPromptTokens: 2 } }));
    const right = buildTextTask(
      tok,
      bleuReward(),
      data,
      resolveConfig({ data: { maxPromptTokens: 2, truncationSide: "right" } }),
    );
    expect(resolveConfig({}).data.truncationSide).toBe("left");
    expect([...(left.prompts.train[0] as Int32Array)]).toEqual(ids("d e"));
    expect([...(right.prompts.train[0] as Int32Array)]).toEqual(ids("a b"));
    expect([...(right.prompts.validation[0] as Int32Array)]).toEqual(ids("e d"));
    const bad = (): unknown => resolveConfig({ data: { truncationSide: "start" } } as never);
    expect(bad).toThrow(TrainerConfigError);
    expect(bad).toThrow(/data\.truncationSide.*"left", "right"/);
  });
});
