import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { crc32, DqnlmError, Rng, writeFileAtomic } from "./index.js";

describe("Rng", () => {
  test("same seed, same stream; different seed, different stream", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xa);
  });

  test("state round trip continues the stream exactly", () => {
    const a = new Rng(7);
    for (let i = 0; i < 10; i++) a.next();
    const s = a.state();
    const expected = Array.from({ length: 8 }, () => a.next());
    const b = Rng.fromState(s);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(expected);
  });

  test("nextInt is uniform (chi-square, 10 bins, 100k draws, p ≈ 0.001 critical value 27.88)", () => {
    const r = new Rng(1);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) bins[r.nextInt(10)]! += 1;
    const e = n / 10;
    const chi2 = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chi2).toBeLessThan(27.88);
  });

  test("nextNormal has mean ≈ 0 and variance ≈ 1", () => {
    const r = new Rng(3);
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.nextNormal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  test("state() always round-trips through fromState (every word is an unsigned 32-bit integer)", () => {
    for (let seed = 0; seed < 200; seed++) {
      const r = new Rng(seed);
      for (let i = 0; i < 37; i++) r.nextUint32();
      const s = r.state();
      for (const w of s) expect(w >>> 0).toBe(w);
      const next = r.nextUint32();
      expect(Rng.fromState(s).nextUint32()).toBe(next);
    }
  });

  test("tfSeed is never 0", () => {
    const r = new Rng(5);
    for (let i = 0; i < 1000; i++) expect(r.tfSeed()).toBeGreaterThan(0);
  });
});

describe("fs", () => {
  test("writeFileAtomic leaves only the target file", () => {
    const dir = mkdtempSync(join(tmpdir(), "dqnlm-core-"));
    const p = join(dir, "a.json");
    writeFileAtomic(p, "one");
    writeFileAtomic(p, "two");
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });

  test("crc32 matches zlib's value for '123456789'", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});

test("DqnlmError carries code and field", () => {
  const e = new DqnlmError("DQNLM_X", "bad", { field: "capacity" });
  expect(e.code).toBe("DQNLM_X");
  expect(e.field).toBe("capacity");
  expect(e.name).toBe("DqnlmError");
  expect(e).toBeInstanceOf(Error);
});

describe("nearestName", () => {
  test("suggests the nearest name within max(2, |name|/3) edits, case-insensitively", async () => {
    const { editDistance, nearestName } = await import("./index.js");
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(nearestName("max-new-tokns", ["max-new-tokens", "max-prompt-tokens"])).toBe("max-new-tokens");
    expect(nearestName("LR", ["lr", "seed"])).toBe("lr");
    expect(nearestName("zzzzzz", ["lr", "seed"])).toBeUndefined();
  });
});
