import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { transposeInto } from "./backend.js";
import { doctor, selectBackend, tf } from "./index.js";

describe("transposeInto (the blocked transpose registered on wasm)", () => {
  it("matches a naive transpose for every permutation of rank 2–4 shapes", () => {
    const perms = (n: number): number[][] =>
      n === 1
        ? [[0]]
        : perms(n - 1).flatMap((p) =>
            Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
          );
    for (const shape of [
      [37, 70],
      [3, 33, 5],
      [2, 3, 40, 35],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: n }, (_, i) => i);
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      for (const perm of perms(shape.length)) {
        const out = new Float32Array(n);
        transposeInto(x, shape, perm, out);
        const outShape = perm.map((p) => shape[p] as number);
        // out[j] at output coordinates c must equal x at input coordinates c' with c'[perm[k]] = c[k]
        let bad = 0;
        for (let j = 0; j < n; j++) {
          let rem = j;
          let src = 0;
          for (let k = outShape.length - 1; k >= 0; k--) {
            const c = rem % (outShape[k] as number);
            rem = Math.floor(rem / (outShape[k] as number));
            src += c * (strides[perm[k] as number] as number);
          }
          if (out[j] !== x[src]) bad++;
        }
        expect(bad, `shape [${shape}] perm [${perm}]`).toBe(0);
      }
    }
  });
});

describe("selectBackend", () => {
  afterAll(async () => {
    await selectBackend({ backend: "cpu" });
  });

  it("falls back when the requested native backend is not installed, and says why", async () => {
    const r = await selectBackend({ backend: "tensorflow" });
    expect(r.tried[0]).toMatchObject({ name: "tensorflow", ok: false });
    expect(r.tried[0]?.reason).toMatch(/@tensorflow\/tfjs-node/);
    expect(r.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(r.reason).toMatch(/fell back to wasm because tensorflow failed/);
  });

  it("throws a typed error in strict mode, and for unknown names", async () => {
    await expect(selectBackend({ backend: "tensorflow-gpu", strict: true })).rejects.toMatchObject({
      code: "DQNLM_QNET_BACKEND_UNAVAILABLE",
      field: "backend",
    });
    await expect(selectBackend({ backend: "tpu" as "cpu" })).rejects.toThrow(/Unknown backend "tpu"/);
  });

  it("reads DQNLM_BACKEND", async () => {
    const old = process.env.DQNLM_BACKEND;
    process.env.DQNLM_BACKEND = "cpu";
    try {
      const r = await selectBackend();
      expect(r.name).toBe("cpu");
      expect(r.reason).toMatch(/^requested cpu/);
    } finally {
      if (old === undefined) delete process.env.DQNLM_BACKEND;
      else process.env.DQNLM_BACKEND = old;
    }
  });

  it("runs wasm on 2 threads with the same results as 1 thread, and the process exits on its own", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const run = (threads: number): { reason: string; q: number[]; g: number[] } => {
      const r = spawnSync(
        process.execPath,
        ["--conditions=source", "--import", "tsx", join(here, "../test/threads-child.ts"), String(threads)],
        { encoding: "utf8", timeout: 60_000 },
      );
      // A child kept alive by its worker threads would hit the timeout: status null, signal SIGTERM.
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").pop() as string);
    };
    const one = run(1);
    const two = run(2);
    expect(one.reason).toMatch(/1 thread\b/);
    expect(two.reason).toMatch(/2 threads/);
    expect(two.q).toEqual(one.q);
    expect(two.g).toEqual(one.g);
  });

  it("doctor reports every candidate in order", async () => {
    const r = await doctor({ backend: "auto" });
    expect(r.tried.map((t) => t.name)).toEqual(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]);
    expect(r.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(r.tried[3]).toMatchObject({ ok: true });
    expect(r.versions["tfjs-core"]).toBe("4.22.0");
    // Which engine runs each part: wasm on the default thread count for the learner and every
    // gradient-free pass, qnet's JavaScript kernels on the main thread, onnxruntime-node probed.
    const parts = r.engines.map((e) => e.part.split(" ")[0]);
    expect(parts).toEqual(["learner", "gradient-free", "qnet's", "onnxruntime-node"]);
    expect(r.engines[0]).toMatchObject({ engine: "wasm (XNNPACK, SIMD)", threads: 1 });
    expect(r.engines[1]?.threads).toBe(1);
    expect(r.engines[2]).toMatchObject({ engine: "JavaScript", threads: 1 });
  });
});
