/**
 * Bad inputs to qnet's loaders (issue #14): a config.json that disagrees with its tensors, non-finite weights,
 * truncated or incomplete checkpoints, a crash at every step of the checkpoint swap, and the Hugging Face hub
 * cache / offline mode / mistyped local paths. Every case gets a typed error that names what is wrong.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SwapStep, swapCrash } from "./checkpoint.js";
import {
  type GPT2Config,
  loadCheckpoint,
  QNetwork,
  readSafetensors,
  resolvePretrained,
  saveCheckpoint,
  selectBackend,
  tf,
  writeSafetensors,
} from "./index.js";

const CFG: GPT2Config = {
  vocabSize: 11,
  nPositions: 8,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  layerNormEpsilon: 1e-5,
};
let root = "";
let model = "";

beforeAll(async () => {
  await selectBackend({ backend: "cpu" });
  root = mkdtempSync(join(tmpdir(), "qnet-bad-"));
  model = join(root, "model");
  const net = QNetwork.random(CFG, 3);
  await net.save(model);
  net.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the tiny model with its config.json edited and/or one tensor changed. */
function variant(
  name: string,
  edit: { config?: Record<string, unknown>; tensor?: (n: string, d: Float32Array) => void },
): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(model, "config.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, ...edit.config }));
  const f = readSafetensors(readFileSync(join(model, "model.safetensors")));
  for (const [n, t] of f.tensors) edit.tensor?.(n, t.data);
  writeFileSync(join(dir, "model.safetensors"), writeSafetensors(f.tensors, f.metadata));
  return dir;
}

describe("config.json against model.safetensors", () => {
  it("a layer count that disagrees with the tensors names both (was: silently loaded 1 of 2 layers)", () => {
    const dir = variant("layers", { config: { n_layer: 1 } });
    expect(() => QNetwork.load(dir)).toThrow(/n_layer = 1 .* holds 2 layers/);
  });
  it("a vocabulary size that disagrees with the token embedding names both", () => {
    const dir = variant("vocab", { config: { vocab_size: 12 } });
    expect(() => QNetwork.load(dir)).toThrow(/vocab_size = 12 .*\[11,8\], i\.e\. 11 tokens/);
  });
  it("non-finite weights are an error at load naming the tensor (was: loaded, NaN Q-values later)", () => {
    const dir = variant("nan", {
      tensor: (n, d) => {
        if (n.endsWith("h.1.mlp.c_fc.bias")) d.set([Number.NaN, Number.POSITIVE_INFINITY], 3);
      },
    });
    let err: unknown;
    try {
      QNetwork.load(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      field: "transformer.h.1.mlp.c_fc.bias",
    });
    expect(String(err)).toMatch(/2 non-finite values \(first: NaN at index 3\)/);
  });
});

describe("training checkpoints", () => {
  async function checkpoint(dir: string, step: number): Promise<void> {
    const online = QNetwork.random(CFG, step);
    const opt = tf.train.adam(0.01);
    const x = tf.tensor2d([[1, 2, 3]], [1, 3], "int32");
    online.trainStep(opt, () => tf.mean(tf.square(online.forward(x))) as tf.Scalar);
    await saveCheckpoint(dir, { online, optimizer: opt, extra: { step } });
    x.dispose();
    opt.dispose();
    online.dispose();
  }

  it("a truncated checkpoint.json is a typed error (was: SyntaxError)", async () => {
    const ck = join(root, "ck-trunc");
    await checkpoint(ck, 1);
    const p = join(ck, "checkpoint.json");
    writeFileSync(p, readFileSync(p, "utf8").slice(0, 20));
    await expect(loadCheckpoint(ck)).rejects.toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      field: "checkpoint.json",
      message: expect.stringMatching(/not valid JSON \(truncated\?\)/),
    });
  });

  it("a missing optimizer tensor is a typed error naming the count (was: silently partial Adam state)", async () => {
    const ck = join(root, "ck-opt");
    await checkpoint(ck, 1);
    const p = join(ck, "optimizer.safetensors");
    const f = readSafetensors(readFileSync(p));
    const last = [...f.tensors.keys()].at(-1) as string;
    f.tensors.delete(last);
    writeFileSync(p, writeSafetensors(f.tensors, f.metadata));
    await expect(loadCheckpoint(ck, { verify: false })).rejects.toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      field: "optimizer",
      message: expect.stringMatching(/holds \d+ optimizer tensors, its metadata names \d+/),
    });
  });

  const steps: SwapStep[] = ["before-swap", "after-move-old", "after-move-new"];
  for (const step of steps) {
    it(`a crash ${step} leaves a loadable checkpoint (old or new), and the leftovers are cleaned up`, async () => {
      const ck = join(root, `ck-${step}`);
      await checkpoint(ck, 1);
      swapCrash.at = step;
      try {
        await expect(checkpoint(ck, 2)).rejects.toThrow(/simulated crash/);
      } finally {
        swapCrash.at = null;
      }
      // Before this change, "after-move-old" left no ck folder: "checkpoint.json not found".
      const r = await loadCheckpoint(ck);
      expect(r.extra).toEqual({ step: step === "after-move-new" ? 2 : 1 });
      r.online.dispose();
      r.optimizer?.dispose();
      // The load put the complete folder in place and removed the crashed save's .tmp / .old leftovers.
      expect(readdirSync(root).filter((n) => n.startsWith(`.ck-${step}.`))).toEqual([]);
      await checkpoint(ck, 3);
      expect(readdirSync(root).filter((n) => n.startsWith(`.ck-${step}.`))).toEqual([]);
      const again = await loadCheckpoint(ck);
      expect(again.extra).toEqual({ step: 3 });
      again.online.dispose();
      again.optimizer?.dispose();
    });
  }
});

describe("fromPretrained: Hugging Face cache, offline mode, local paths", () => {
  const COMMIT = "0123456789abcdef0123456789abcdef01234567";
  let cache = "";
  beforeAll(() => {
    // The layout huggingface_hub writes: models--org--name/{refs/main, snapshots/<commit>/<files>}
    cache = join(root, "hf-cache");
    const repo = join(cache, "models--tiny-org--tiny-gpt2");
    mkdirSync(join(repo, "refs"), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), COMMIT);
    const snap = join(repo, "snapshots", COMMIT);
    mkdirSync(snap, { recursive: true });
    for (const f of ["config.json", "model.safetensors"])
      writeFileSync(join(snap, f), readFileSync(join(model, f)));
  });

  function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    return f().finally(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
  }

  it("HF_HUB_OFFLINE=1 + HF_HUB_CACHE: loads the cached snapshot with no network", async () => {
    const net = await withEnv({ HF_HUB_OFFLINE: "1", HF_HUB_CACHE: cache, HF_HOME: undefined }, () =>
      QNetwork.fromPretrained("tiny-org/tiny-gpt2"),
    );
    const ref = QNetwork.load(model);
    const a = await net.getWeights();
    const b = await ref.getWeights();
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [n, t] of a) expect(t.data).toEqual(b.get(n)?.data);
    net.dispose();
    ref.dispose();
  });

  it("HF_HOME/hub is the cache when HF_HUB_CACHE is unset; a commit revision reads its snapshot", async () => {
    const home = join(root, "hf-home");
    mkdirSync(home, { recursive: true });
    cpSync(cache, join(home, "hub"), { recursive: true });
    const dir = await withEnv({ HF_HUB_OFFLINE: "true", HF_HUB_CACHE: undefined, HF_HOME: home }, () =>
      resolvePretrained("tiny-org/tiny-gpt2", { revision: COMMIT }),
    );
    expect(dir).toBe(join(home, "hub", "models--tiny-org--tiny-gpt2", "snapshots", COMMIT));
  });

  it("offline and not cached: a typed error naming the cache and HF_HUB_OFFLINE (was: a failed download)", async () => {
    await expect(
      withEnv({ HF_HUB_OFFLINE: "1", HF_HUB_CACHE: cache }, () => resolvePretrained("tiny-org/other")),
    ).rejects.toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      message: expect.stringMatching(/not in the Hugging Face cache .*hf-cache.*HF_HUB_OFFLINE/),
    });
  });

  it.each([
    ["./checkpoints/bets"],
    ["../nope/model"],
    [join(tmpdir(), "no-such-model-folder")],
    ["packages/nope"], // parent exists (run from the repository root)
    ["runs/x/checkpoints/best"],
  ])("a mistyped local path %s is a missing folder, not a failed download", async (p) => {
    await expect(withEnv({ HF_HUB_OFFLINE: undefined }, () => resolvePretrained(p))).rejects.toMatchObject({
      code: "DQNLM_QNET_CHECKPOINT_INVALID",
      message: expect.stringMatching(/^Folder .* not found/),
    });
  });

  it("a file where a folder is expected says so", async () => {
    await expect(resolvePretrained(join(model, "config.json"))).rejects.toThrow(
      /is a file; expected a folder/,
    );
  });
});
