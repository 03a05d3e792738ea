import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Episode, Rng } from "@dqnlm/core";
import { describe, expect, test } from "vitest";
import {
  nStepReturn,
  ReplayBuffer,
  ReplayFileError,
  ReplayInputError,
  ReplayUnderfilledError,
  type TransitionBatch,
} from "./index.js";

/** An episode with prompt [P tokens] and T actions; token values encode (tag, position) for checking. */
function ep(tag: number, P: number, T: number, terminated = true, refIndex?: number): Episode {
  const tokens = new Int32Array(P + T);
  for (let i = 0; i < P + T; i++) tokens[i] = tag * 100 + i;
  const rewards = new Float32Array(T);
  for (let t = 0; t < T; t++) rewards[t] = tag + t / 10;
  return { tokens, promptLength: P, rewards, terminated, ...(refIndex === undefined ? {} : { refIndex }) };
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

function batchKey(b: TransitionBatch): string {
  return Array.from(b.rows, (r, i) => `${b.episodeIds[r]}:${b.steps[i]}:${b.weights[i]?.toFixed(6)}`).join(
    ",",
  );
}

describe("storage and eviction", () => {
  test("stores each episode once and returns views or copies", () => {
    const buf = new ReplayBuffer({ capacity: 100 });
    const id = buf.add(ep(3, 2, 4, false, 7));
    expect(buf.size).toBe(4);
    expect(buf.episodeCount).toBe(1);
    const e = buf.getEpisode(id);
    expect(Array.from(e.tokens)).toEqual([300, 301, 302, 303, 304, 305]);
    expect(Array.from(e.rewards)).toEqual([3, 3.1, 3.2, 3.3].map((x) => Math.fround(x)));
    expect(e.promptLength).toBe(2);
    expect(e.terminated).toBe(false);
    expect(e.refIndex).toBe(7);
    expect(e.demo).toBe(false);
    const c = buf.getEpisode(id, { copy: true });
    expect(c.tokens.buffer).not.toBe(e.tokens.buffer);
    expect(Array.from(c.tokens)).toEqual(Array.from(e.tokens));
  });

  test("evicts whole oldest episodes by transition capacity; compaction keeps contents intact", () => {
    const rng = new Rng(11);
    const buf = new ReplayBuffer({ capacity: 50 });
    const model: { id: number; e: Episode }[] = [];
    for (let k = 0; k < 400; k++) {
      const e = ep(k, 1 + rng.nextInt(6), 1 + rng.nextInt(12), rng.next() < 0.5);
      const id = buf.add(e);
      model.push({ id, e });
      let total = 0;
      const kept: typeof model = [];
      for (let j = model.length - 1; j >= 0; j--) {
        const m = model[j]!;
        const T = m.e.rewards.length;
        if (total + T > 50) break;
        total += T;
        kept.unshift(m);
      }
      expect(buf.size).toBe(total);
      expect(buf.episodeCount).toBe(kept.length);
      if (k % 37 === 0 || k === 399) {
        for (const m of kept) {
          const got = buf.getEpisode(m.id);
          expect(Array.from(got.tokens)).toEqual(Array.from(m.e.tokens));
          expect(Array.from(got.rewards)).toEqual(Array.from(m.e.rewards));
          expect(got.terminated).toBe(m.e.terminated);
        }
        const first = model[model.length - kept.length - 1];
        if (first) expect(buf.has(first.id)).toBe(false);
      }
    }
    // 12 bytes/token-ish: the arena never grows far beyond twice the live data.
    expect(buf.memoryBytes()).toBeLessThan(20_000);
  });

  test("demonstrations are never evicted and are flagged in samples", () => {
    const buf = new ReplayBuffer({ capacity: 10, demoCapacity: 6 });
    const d = buf.add(ep(1, 2, 3), { demo: true });
    for (let k = 0; k < 20; k++) buf.add(ep(10 + k, 1, 4));
    expect(buf.has(d)).toBe(true);
    expect(buf.demoSize).toBe(3);
    expect(buf.regularSize).toBe(8);
    const b = buf.sample(11, new Rng(1));
    let demos = 0;
    for (let i = 0; i < b.size; i++) {
      const isDemo = b.episodeIds[b.rows[i]!] === d;
      expect(b.demo[i]).toBe(isDemo ? 1 : 0);
      demos += b.demo[i]!;
    }
    expect(demos).toBeGreaterThan(0); // 3 of 11 transitions
    expect(buf.getEpisode(d).demo).toBe(true);
    const err = errorOf(() => buf.add(ep(2, 1, 4), { demo: true }));
    expect(err).toBeInstanceOf(ReplayInputError);
    expect((err as ReplayInputError).code).toBe("DQNLM_REPLAY_DEMO_FULL");
  });
});

describe("uniform sampling", () => {
  test("every transition equally likely (chi-square, 54 dof, p=0.001 critical value 91.87)", () => {
    // 10 episodes of lengths 1..10 = 55 transitions; a per-episode sampler would over-sample short ones.
    const buf = new ReplayBuffer({ capacity: 1000 });
    const ids: number[] = [];
    for (let T = 1; T <= 10; T++) ids.push(buf.add(ep(T, 2, T)));
    const counts = new Map<string, number>();
    const rng = new Rng(2024);
    const draws = 55 * 2000;
    for (let k = 0; k < draws / 50; k++) {
      const b = buf.sample(50, rng);
      for (let i = 0; i < b.size; i++) {
        const key = `${b.episodeIds[b.rows[i]!]}:${b.steps[i]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(Array.from(b.weights).every((w) => w === 1)).toBe(true);
    }
    expect(counts.size).toBe(55);
    const e = draws / 55;
    let chi2 = 0;
    for (const o of counts.values()) chi2 += ((o - e) * (o - e)) / e;
    expect(chi2).toBeLessThan(91.87);
    // Longest episode (10 steps) gets ≈ 10/55 of draws, shortest ≈ 1/55.
    const perEp = ids.map((id) => {
      let s = 0;
      for (const [k, v] of counts) if (k.startsWith(`${id}:`)) s += v;
      return s / draws;
    });
    expect(perEp[9]).toBeCloseTo(10 / 55, 2);
    expect(perEp[0]).toBeCloseTo(1 / 55, 2);
  });

  test("groups transitions by episode: rows index distinct episode ids", () => {
    const buf = new ReplayBuffer({ capacity: 1000 });
    for (let k = 0; k < 5; k++) buf.add(ep(k, 3, 8));
    const b = buf.sample(32, new Rng(5));
    expect(new Set(b.episodeIds).size).toBe(b.episodeIds.length);
    expect(b.episodeIds.length).toBeLessThanOrEqual(5);
    for (let i = 0; i < b.size; i++) {
      const e = buf.getEpisode(b.episodeIds[b.rows[i]!]!);
      // The sampled action is the token at P + t; tokens encode tag*100 + position.
      expect(e.tokens[e.promptLength + b.steps[i]!]! % 100).toBe(3 + b.steps[i]!);
    }
  });

  test("same seed, same batch; underfilled and bad arguments throw typed errors", () => {
    const buf = new ReplayBuffer({ capacity: 100 });
    for (let k = 0; k < 4; k++) buf.add(ep(k, 1, 5));
    expect(batchKey(buf.sample(16, new Rng(9)))).toBe(batchKey(buf.sample(16, new Rng(9))));
    const err = errorOf(() => buf.sample(21, new Rng(1)));
    expect(err).toBeInstanceOf(ReplayUnderfilledError);
    expect((err as ReplayUnderfilledError).code).toBe("DQNLM_REPLAY_UNDERFILLED");
    expect((err as ReplayUnderfilledError).available).toBe(20);
    expect((errorOf(() => buf.sample(0, new Rng(1))) as ReplayInputError).field).toBe("batchSize");
  });
});

describe("prioritized sampling", () => {
  test("follows p^α (chi-square, 3 dof, critical 16.27) and weights are (p_i/p_min)^−β", () => {
    const alpha = 0.5;
    const buf = new ReplayBuffer({ capacity: 100, prioritized: { alpha, beta: 0.5, epsilon: 1e-9 } });
    const ids = [0, 1, 2, 3].map((k) => buf.add(ep(k, 1, 25)));
    // Give every transition of episode k the priority |δ| = (k+1)² → p^α = k+1 → P(episode k) = (k+1)/10.
    const all = buf.sample(100, new Rng(0));
    const delta = Array.from(all.rows, (r) => (ids.indexOf(all.episodeIds[r]!) + 1) ** 2);
    buf.updatePriorities(all, delta);
    const rng = new Rng(77);
    const counts = [0, 0, 0, 0];
    const n = 40_000;
    let updatedAll = true;
    for (let k = 0; k < n / 100; k++) {
      const b = buf.sample(100, rng);
      for (let i = 0; i < b.size; i++) {
        const e = ids.indexOf(b.episodeIds[b.rows[i]!]!);
        counts[e]! += 1;
        // w = (leaf/minLeaf)^−β = (k+1)^−0.5 — unless a transition was never hit by the first update.
        if (Math.abs(b.weights[i]! - (e + 1) ** -0.5) > 1e-5) updatedAll = false;
      }
    }
    expect(updatedAll).toBe(true);
    const expected = [0.1, 0.2, 0.3, 0.4].map((p) => p * n);
    const chi2 = counts.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
    expect(chi2).toBeLessThan(16.27);
    expect(buf.maxPriority).toBeCloseTo(16, 6);
  });

  test("new transitions get the max priority; stale updates after eviction are skipped", () => {
    const buf = new ReplayBuffer({ capacity: 6, prioritized: { alpha: 1 } });
    buf.add(ep(0, 1, 3));
    const b = buf.sample(3, new Rng(3));
    buf.updatePriorities(b, [5, 5, 5]);
    buf.add(ep(1, 1, 3)); // gets priority 5 + ε
    const b2 = buf.sample(6, new Rng(4));
    for (let i = 0; i < b2.size; i++) expect(b2.weights[i]).toBeCloseTo(1, 5);
    buf.add(ep(2, 1, 3)); // evicts episode 0
    expect(buf.updatePriorities(b, [1, 1, 1])).toBe(0);
    const err = errorOf(() => buf.updatePriorities(b2, [1, 2]));
    expect((err as ReplayInputError).field).toBe("tdErrors");
    expect(
      (errorOf(() => buf.updatePriorities(b2, [1, 2, 3, 4, 5, Number.NaN])) as ReplayInputError).code,
    ).toBe("DQNLM_REPLAY_BAD_ARGUMENT");
  });

  test("after many evictions around the ring only live transitions are sampled, weighted by priority", () => {
    const rng = new Rng(21);
    const buf = new ReplayBuffer({ capacity: 50, prioritized: { alpha: 1, epsilon: 1e-9 } });
    for (let k = 0; k < 300; k++) {
      buf.add(ep(k, 1, 1 + rng.nextInt(9)), { priority: 1 + (k % 3) });
      const b = buf.sample(Math.min(16, buf.size), rng);
      for (let i = 0; i < b.size; i++) {
        const id = b.episodeIds[b.rows[i]!]!;
        expect(buf.has(id)).toBe(true);
        const e = buf.getEpisode(id);
        expect(b.steps[i]).toBeLessThan(e.rewards.length);
        // Leaves hold priority^α = 1 + (id % 3); weights are (q_i / q_min,batch)^−β ≤ 1.
        expect(b.weights[i]).toBeLessThanOrEqual(1);
      }
    }
    // Frequencies follow the priorities 1 : 2 : 3 of the id classes, per stored transition.
    const mass = [0, 0, 0];
    for (const e of buf.episodes()) mass[e.id % 3]! += e.rewards.length * (1 + (e.id % 3));
    const total = mass[0]! + mass[1]! + mass[2]!;
    const counts = [0, 0, 0];
    for (let r = 0; r < 400; r++) {
      const b = buf.sample(40, rng);
      for (let i = 0; i < b.size; i++) counts[b.episodeIds[b.rows[i]!]! % 3]! += 1;
    }
    for (let k = 0; k < 3; k++) expect(counts[k]! / 16_000).toBeCloseTo(mass[k]! / total, 1);
  });

  test("demoBonus raises demonstration priorities", () => {
    const buf = new ReplayBuffer({
      capacity: 10,
      demoCapacity: 10,
      prioritized: { alpha: 1, demoBonus: 3, epsilon: 1e-9 },
    });
    buf.add(ep(0, 1, 1));
    buf.add(ep(1, 1, 1), { demo: true });
    const b = buf.sample(2, new Rng(1));
    expect(Array.from(b.demo)).toEqual([0, 1]); // stratified: one draw per half of the mass
    buf.updatePriorities(b, [1, 1]); // regular → 1, demo → 1 + 3 = 4
    const rng = new Rng(8);
    let demo = 0;
    for (let k = 0; k < 5000; k++) demo += buf.sample(2, rng).demo.reduce((s, x) => s + x, 0);
    expect(demo / 10_000).toBeCloseTo(0.8, 1);
  });
});

describe("n-step returns", () => {
  // Rewards r = [1, 2, 3, 4], γ = 0.5.
  const e: Episode = {
    tokens: Int32Array.of(0, 9, 5, 6, 7, 8),
    promptLength: 2,
    rewards: Float32Array.of(1, 2, 3, 4),
    terminated: true,
  };

  test("hand-computed example", () => {
    // t=0, n=2: R = 1 + 0.5·2 = 2, bootstrap s_2, discount 0.25.
    expect(nStepReturn(e, 0, 2, 0.5)).toEqual({ ret: 2, bootstrapStep: 2, discount: 0.25 });
    // t=1, n=3: R = 2 + 0.5·3 + 0.25·4 = 4.5, reaches T=4 and the episode terminated: no bootstrap.
    expect(nStepReturn(e, 1, 3, 0.5)).toEqual({ ret: 4.5, bootstrapStep: -1, discount: 0 });
    // t=2, n=5: window cut at T: R = 3 + 0.5·4 = 5, terminated → no bootstrap.
    expect(nStepReturn(e, 2, 5, 0.5)).toEqual({ ret: 5, bootstrapStep: -1, discount: 0 });
    // Same, but truncated at max length: bootstrap from s_T = s_4 with γ^2.
    expect(nStepReturn({ ...e, terminated: false }, 2, 5, 0.5)).toEqual({
      ret: 5,
      bootstrapStep: 4,
      discount: 0.25,
    });
    // n=1 is one-step TD: R = r_t, bootstrap s_{t+1} with γ.
    expect(nStepReturn(e, 0, 1, 0.5)).toEqual({ ret: 1, bootstrapStep: 1, discount: 0.5 });
    expect(nStepReturn(e, 3, 1, 0.5)).toEqual({ ret: 4, bootstrapStep: -1, discount: 0 });
  });

  test("buffer targets match the episode-level function for every sampled transition", () => {
    const buf = new ReplayBuffer({ capacity: 100 });
    buf.add(e);
    buf.add({ ...ep(2, 1, 7, false) });
    const b = buf.sample(11, new Rng(6));
    const tg = buf.nStepTargets(b, 3, 0.9);
    for (let i = 0; i < b.size; i++) {
      const x = nStepReturn(buf.getEpisode(b.episodeIds[b.rows[i]!]!), b.steps[i]!, 3, 0.9);
      expect(tg.returns[i]).toBeCloseTo(x.ret, 5);
      expect(tg.bootstrapSteps[i]).toBe(x.bootstrapStep);
      expect(tg.discounts[i]).toBeCloseTo(x.discount, 6);
    }
    expect((errorOf(() => buf.nStepTargets(b, 0, 0.9)) as ReplayInputError).field).toBe("n");
    expect((errorOf(() => buf.nStepTargets(b, 1, 1.5)) as ReplayInputError).field).toBe("gamma");
  });
});

describe("whole-episode sampling", () => {
  test("distinct episodes, uniform over episodes, underfilled error", () => {
    const buf = new ReplayBuffer({ capacity: 1000, demoCapacity: 10 });
    buf.add(ep(0, 1, 3), { demo: true });
    for (let k = 1; k < 10; k++) buf.add(ep(k, 2, k));
    const rng = new Rng(12);
    const counts = new Map<number, number>();
    for (let r = 0; r < 2000; r++) {
      const { ids, episodes } = buf.sampleEpisodes(3, rng);
      expect(new Set(ids).size).toBe(3);
      expect(episodes.map((e) => e.id)).toEqual(ids);
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // Each of 10 episodes appears in 3/10 of batches: 600 ± a few tens (chi-square, 9 dof, critical 27.88).
    const chi2 = [...counts.values()].reduce((s, o) => s + (o - 600) ** 2 / 600, 0);
    expect(counts.size).toBe(10);
    expect(chi2).toBeLessThan(27.88);
    expect(errorOf(() => buf.sampleEpisodes(11, rng))).toBeInstanceOf(ReplayUnderfilledError);
  });

  test('by: "transition" favours long episodes in proportion to length', () => {
    const buf = new ReplayBuffer({ capacity: 1000 });
    const short = buf.add(ep(0, 1, 1));
    const long = buf.add(ep(1, 1, 9));
    const rng = new Rng(4);
    let firstLong = 0;
    for (let r = 0; r < 5000; r++)
      if (buf.sampleEpisodes(1, rng, { by: "transition" }).ids[0] === long) firstLong++;
    expect(firstLong / 5000).toBeCloseTo(0.9, 1);
    expect(buf.sampleEpisodes(2, rng, { by: "transition" }).ids.slice().sort()).toEqual([short, long]);
  });
});

describe("bad input", () => {
  const buf = new ReplayBuffer({ capacity: 8, vocabSize: 50 });
  const cases: [string, () => unknown, string, string][] = [
    [
      "tokens dtype",
      () => buf.add({ ...ep(0, 1, 2), tokens: [1, 2, 3] as unknown as Int32Array }),
      "DQNLM_REPLAY_BAD_DTYPE",
      "tokens",
    ],
    [
      "rewards dtype",
      () => buf.add({ ...ep(0, 1, 2), rewards: new Float64Array(2) as unknown as Float32Array }),
      "DQNLM_REPLAY_BAD_DTYPE",
      "rewards",
    ],
    [
      "token outside vocab",
      () => buf.add({ ...ep(0, 1, 2), tokens: Int32Array.of(1, 2, 50) }),
      "DQNLM_REPLAY_TOKEN_OUT_OF_RANGE",
      "tokens",
    ],
    [
      "negative token",
      () => buf.add({ ...ep(0, 1, 2), tokens: Int32Array.of(1, -1, 3) }),
      "DQNLM_REPLAY_TOKEN_OUT_OF_RANGE",
      "tokens",
    ],
    [
      "rewards length",
      () => buf.add({ ...ep(0, 1, 2), rewards: new Float32Array(3) }),
      "DQNLM_REPLAY_BAD_EPISODE",
      "rewards",
    ],
    [
      "no actions",
      () =>
        buf.add({
          tokens: Int32Array.of(1),
          promptLength: 1,
          rewards: new Float32Array(0),
          terminated: true,
        }),
      "DQNLM_REPLAY_BAD_EPISODE",
      "promptLength",
    ],
    [
      "NaN reward",
      () => buf.add({ ...ep(0, 1, 2), rewards: Float32Array.of(0, Number.NaN) }),
      "DQNLM_REPLAY_BAD_EPISODE",
      "rewards",
    ],
    ["too long", () => buf.add({ ...ep(0, 1, 9) }), "DQNLM_REPLAY_EPISODE_TOO_LONG", "capacity"],
    [
      "demo without room",
      () => buf.add(ep(0, 1, 1), { demo: true }),
      "DQNLM_REPLAY_DEMO_FULL",
      "demoCapacity",
    ],
    ["unknown id", () => buf.getEpisode(123), "DQNLM_REPLAY_UNKNOWN_EPISODE", "id"],
    ["capacity", () => new ReplayBuffer({ capacity: 0 }), "DQNLM_REPLAY_BAD_OPTION", "capacity"],
    [
      "alpha",
      () => new ReplayBuffer({ capacity: 4, prioritized: { alpha: -1 } }),
      "DQNLM_REPLAY_BAD_OPTION",
      "prioritized.alpha",
    ],
  ];
  test.each(cases)("%s", (_name, fn, code, field) => {
    const err = errorOf(fn) as ReplayInputError;
    expect(err).toBeInstanceOf(ReplayInputError);
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message.length).toBeGreaterThan(30);
  });
  test("a rejected episode leaves the buffer unchanged", () => {
    expect(buf.size).toBe(0);
  });
});

describe("save and load", () => {
  const dir = mkdtempSync(join(tmpdir(), "dqnlm-replay-"));

  function filled(prioritized: boolean): ReplayBuffer {
    const buf = new ReplayBuffer({ capacity: 40, demoCapacity: 8, vocabSize: 10_000, prioritized });
    const rng = new Rng(99);
    buf.add(ep(1, 2, 5, true, 3), { demo: true });
    for (let k = 0; k < 30; k++)
      buf.add(ep(10 + k, 1 + rng.nextInt(4), 1 + rng.nextInt(7), rng.next() < 0.5, k));
    if (prioritized) {
      const b = buf.sample(32, rng);
      buf.updatePriorities(
        b,
        Array.from({ length: 32 }, () => rng.next() * 3),
      );
    }
    return buf;
  }

  test.each([false, true])(
    "same batches after save → load with the same RNG state (prioritized: %s)",
    (prio) => {
      const a = filled(prio);
      const path = join(dir, `buf-${prio}.bin`);
      a.save(path);
      const b = ReplayBuffer.load(path);
      expect(b.size).toBe(a.size);
      expect(b.episodeCount).toBe(a.episodeCount);
      expect(b.maxPriority).toBe(a.maxPriority);
      const ra = new Rng(5);
      // Rng.state() in @dqnlm/core can return signed words (b ^ b>>>9 is an int32), which fromState rejects;
      // normalise them to unsigned until core fixes it.
      const rb = Rng.fromState(
        ra.state().map((w) => w >>> 0) as unknown as readonly [number, number, number, number],
      );
      for (let k = 0; k < 5; k++) {
        const ba = a.sample(32, ra);
        const bb = b.sample(32, rb);
        expect(batchKey(bb)).toBe(batchKey(ba));
        expect(Array.from(bb.indices)).toEqual(Array.from(ba.indices));
        expect(b.sampleEpisodes(4, rb).ids).toEqual(a.sampleEpisodes(4, ra).ids);
      }
      for (const e of a.episodes()) {
        const f = b.getEpisode(e.id);
        expect(Array.from(f.tokens)).toEqual(Array.from(e.tokens));
        expect(Array.from(f.rewards)).toEqual(Array.from(e.rewards));
        expect([f.terminated, f.demo, f.refIndex]).toEqual([e.terminated, e.demo, e.refIndex]);
      }
      // Both continue identically after more adds (ids and eviction order restored).
      expect(b.add(ep(99, 1, 6))).toBe(a.add(ep(99, 1, 6)));
      expect(batchKey(b.sample(16, rb))).toBe(batchKey(a.sample(16, ra)));
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    },
  );

  test("corrupt, truncated, foreign and future files give typed errors and are left untouched", () => {
    const path = join(dir, "good.bin");
    filled(true).save(path);
    const good = readFileSync(path);
    const variants: [string, Uint8Array, string][] = [
      ["flipped byte", Uint8Array.from(good, (x, i) => (i === good.length - 40 ? x ^ 0xff : x)), "CORRUPT"],
      ["truncated", good.subarray(0, good.length - 13), "CORRUPT"],
      ["header only", good.subarray(0, 30), "CORRUPT"],
      ["foreign", new TextEncoder().encode("hello world, not a buffer"), "FORMAT"],
      ["future version", Uint8Array.from(good, (x, i) => (i === 8 ? 2 : x)), "VERSION"],
    ];
    for (const [name, bytes, code] of variants) {
      const p = join(dir, `${name}.bin`);
      writeFileSync(p, bytes);
      const err = errorOf(() => ReplayBuffer.load(p)) as ReplayFileError;
      expect(err, name).toBeInstanceOf(ReplayFileError);
      expect(err.code, name).toBe(`DQNLM_REPLAY_FILE_${code}`);
      expect(err.path).toBe(p);
      expect(Buffer.compare(readFileSync(p), Buffer.from(bytes))).toBe(0);
    }
    expect((errorOf(() => ReplayBuffer.load(join(dir, "missing.bin"))) as ReplayFileError).code).toBe(
      "DQNLM_REPLAY_FILE_READ",
    );
    // The good file still loads.
    expect(ReplayBuffer.load(path).size).toBeGreaterThan(0);
  });

  test("a failed save leaves the previous file intact", () => {
    const path = join(dir, "keep.bin");
    const a = filled(false);
    a.save(path);
    const before = readFileSync(path);
    // Saving into a path whose parent is a file fails before anything is renamed.
    expect(() => a.save(join(path, "child.bin"))).toThrow();
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
  });
});
