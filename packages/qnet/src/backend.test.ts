import { afterAll, describe, expect, it } from "vitest";
import { doctor, selectBackend, tf } from "./index.js";

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

  it("doctor reports every candidate in order", async () => {
    const r = await doctor({ backend: "auto" });
    expect(r.tried.map((t) => t.name)).toEqual(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]);
    expect(r.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(r.tried[3]).toMatchObject({ ok: true });
    expect(r.versions["tfjs-core"]).toBe("4.22.0");
  });
});
