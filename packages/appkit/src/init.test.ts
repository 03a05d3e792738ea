import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  findRunFolder,
  loadRunModel,
  resolveInit,
  shippedBaseDir,
  trainerConfigFor,
  UsageError,
} from "./index.js";

const sizes = {
  corpus: () => ["a b c", "a b d"],
  vocabSize: 270,
  nEmbd: 16,
  nLayer: 1,
  nHead: 2,
  nPositions: 40,
};
const catchAsync = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("resolveInit", () => {
  it("eval's --model accepts a shipped model folder and reads the options it was trained with", () => {
    const dir = fileURLToPath(new URL("../../../models/translate-mle", import.meta.url));
    const m = loadRunModel(dir);
    expect(m.checkpoint).toBe(dir);
    expect(m.tokenizer.vocabSize).toBe(8000);
    expect([m.options["mle-epochs"], m.options["dqn-updates"]]).toEqual([1, 0]);
  });

  it("base resolves to the shipped dqnlm-base (8,000-id BPE) and DQNLM_BASE_MODEL overrides it", async () => {
    expect(shippedBaseDir({}).replaceAll("\\", "/")).toMatch(/models\/dqnlm-base$/);
    const r = await resolveInit("base", sizes);
    expect(r.init).toEqual({ type: "pretrained", id: shippedBaseDir({}) });
    expect(r.tokenizer.vocabSize).toBe(8000);
    expect(r.tokenizer.decode(r.tokenizer.encode("Zwei junge Männer."))).toBe("Zwei junge Männer.");
    const empty = mkdtempSync(join(tmpdir(), "appkit-base-"));
    const saved = process.env.DQNLM_BASE_MODEL;
    process.env.DQNLM_BASE_MODEL = empty;
    try {
      const e = (await catchAsync(resolveInit("base", sizes))) as UsageError;
      expect(e).toBeInstanceOf(UsageError);
      expect(e.field).toBe("init");
      expect(e.message).toContain(empty);
      expect(e.message).toContain("--init random");
    } finally {
      if (saved === undefined) delete process.env.DQNLM_BASE_MODEL;
      else process.env.DQNLM_BASE_MODEL = saved;
    }
  });

  it("trains a tokenizer for a random model sized by the options", async () => {
    const r = await resolveInit("random", sizes);
    expect(r.init).toEqual({
      type: "random",
      config: { vocabSize: r.tokenizer.vocabSize, nEmbd: 16, nLayer: 1, nHead: 2, nPositions: 40 },
    });
    expect(r.tokenizer.decode(r.tokenizer.encode("a b c"))).toBe("a b c");
  });

  it("finds the run folder above a checkpoint folder, and rejects folders that are not models", async () => {
    const run = mkdtempSync(join(tmpdir(), "appkit-init-"));
    const ckpt = join(run, "checkpoints", "best");
    mkdirSync(ckpt, { recursive: true });
    mkdirSync(join(run, "tokenizer"));
    writeFileSync(join(run, "app-config.json"), "{}");
    expect(findRunFolder(ckpt)).toBe(run);
    expect(findRunFolder(tmpdir())).toBeUndefined();

    const plain = mkdtempSync(join(tmpdir(), "appkit-init-"));
    const e = (await catchAsync(resolveInit(plain, sizes))) as UsageError;
    expect(e).toBeInstanceOf(UsageError);
    expect(e.field).toBe("init");
    const hf = mkdtempSync(join(tmpdir(), "appkit-hf-"));
    writeFileSync(join(hf, "config.json"), "{}");
    writeFileSync(join(hf, "model.safetensors"), "");
    expect(((await catchAsync(resolveInit(hf, sizes))) as Error).message).toContain("with tokenizer.json");
    expect(await catchAsync(resolveInit("not a valid id!", sizes))).toBeInstanceOf(UsageError);
  });
});

describe("trainerConfigFor", () => {
  it("maps the CLI budgets onto the trainer config and lets overrides win", () => {
    const cfg = trainerConfigFor(
      { preset: "seed", seed: 3, "mle-epochs": 0, "dqn-updates": 50, "max-new-tokens": 12, "val-every": 10 },
      { dqn: { klWeight: 0.2 }, validation: { every: 5 } },
    );
    expect(cfg).toMatchObject({
      preset: "seed",
      seed: 3,
      mle: { enabled: false },
      dqn: { updates: 50, klWeight: 0.2 },
      data: { maxNewTokens: 12, truncationSide: "left" },
      validation: { every: 5 },
    });
  });

  it("passes --truncation-side to data.truncationSide (summarize keeps an abstract's beginning)", () => {
    expect(trainerConfigFor({ "truncation-side": "right" }, {})).toMatchObject({
      data: { truncationSide: "right" },
    });
    expect(trainerConfigFor({}, {})).toMatchObject({ data: { truncationSide: "left" } });
  });
});
