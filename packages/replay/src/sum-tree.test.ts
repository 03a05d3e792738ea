import { Rng } from "@dqnlm/core";
import { expect, test } from "vitest";
import { SumTree } from "./sum-tree.js";

/** The leaf a linear scan of prefix sums picks for `mass` (the definition find must match). */
function linear(leaves: Float64Array, mass: number): number {
  let acc = 0;
  for (let i = 0; i < leaves.length; i++) {
    acc += leaves[i]!;
    if (mass < acc && leaves[i]! > 0) return i;
  }
  return leaves.length - 1;
}

test.each([1, 5, 16, 17, 300, 4097])("find/findBatch agree with a linear scan over %i leaves", (n) => {
  const rng = new Rng(n);
  const tree = new SumTree(n);
  const leaves = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A third of the leaves empty, the others integers, so prefix sums are exact.
    const v = rng.next() < 0.33 && i > 0 ? 0 : 1 + rng.nextInt(9);
    leaves[i] = v;
    tree.set(i, v);
  }
  const total = leaves.reduce((s, x) => s + x, 0);
  expect(tree.total()).toBe(total);
  const masses = Array.from({ length: 200 }, () => rng.next() * total);
  const out = new Int32Array(200);
  tree.findBatch(masses, out);
  masses.forEach((m, i) => {
    expect(tree.find(m)).toBe(linear(leaves, m));
    expect(out[i]).toBe(linear(leaves, m));
  });
});

test("set, setRange and setBatch build bit-identical trees from the same leaves", () => {
  const rng = new Rng(3);
  const n = 1000;
  const vals = Array.from({ length: n }, () => rng.next() ** 3 * 7);
  const a = new SumTree(n);
  const b = new SumTree(n);
  const c = new SumTree(n);
  for (let i = 0; i < n; i++) a.set(i, vals[i]!);
  b.setRange(0, vals);
  // c: fill in a different order, with overwrites, ending with the same leaves.
  c.setBatch(
    Array.from({ length: n }, (_, i) => n - 1 - i),
    Array.from({ length: n }, () => 1),
  );
  c.setBatch(
    Array.from({ length: n }, (_, i) => i),
    vals,
  );
  expect(b.total()).toBe(a.total());
  expect(c.total()).toBe(a.total());
  const m = Array.from({ length: 50 }, () => rng.next() * a.total());
  expect(m.map((x) => b.find(x))).toEqual(m.map((x) => a.find(x)));
  expect(m.map((x) => c.find(x))).toEqual(m.map((x) => a.find(x)));
});
