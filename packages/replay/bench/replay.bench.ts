/**
 * Replay benchmarks, each against a baseline measured in the same run (vitest prints the ratios in its summary;
 * the derived figures are printed after the run):
 *
 * 1. Uniform sampling of 256 transitions from a full buffer of 1e6 transitions (64-token episodes: prompt 16,
 *    48 actions): `ReplayBuffer.sample(256, rng)` vs a plain JS array of per-transition objects indexed at
 *    random (the textbook ring buffer of snake-dqn, seeded). transitions/s = 256 × ops/s.
 * 2. Prioritized sample(256) + updatePriorities(256) at capacity 1e6 vs capacity 1e4: the sum tree makes the
 *    cost logarithmic, so the ratio should stay ≤ 2.
 * 3. Memory per stored transition for 64-token episodes vs storing every (s_t, s_{t+1}) prefix pair.
 *
 * Run: npx -y pnpm@10 --filter @dqnlm/replay bench
 */
import { type Episode, Rng } from "@dqnlm/core";
import { afterAll, bench, describe } from "vitest";
import { ReplayBuffer } from "../src/index.js";

const P = 16;
const T = 48;
const V = 50_000;

function episode(rng: Rng): Episode {
  const tokens = new Int32Array(P + T);
  for (let i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(V);
  const rewards = new Float32Array(T);
  for (let t = 0; t < T; t++) rewards[t] = rng.next();
  return { tokens, promptLength: P, rewards, terminated: rng.next() < 0.5 };
}

function fill(buf: ReplayBuffer, transitions: number, seed: number): void {
  const rng = new Rng(seed);
  while (buf.size + T <= transitions) buf.add(episode(rng));
}

// ——— 1. uniform sampling ———
const uniform = new ReplayBuffer({ capacity: 1_000_000, vocabSize: V });
fill(uniform, 1_000_000, 1);
const uRng = new Rng(2);

// Baseline: one object per transition referencing its episode (no prefix copies, so it is a fair speed
// baseline; the memory comparison below uses prefix copies). Built before and dropped after its own bench:
// a million live JS objects make every major GC slow and would distort the other benchmarks.
interface NaiveTransition {
  ep: Episode;
  t: number;
}
let naive: NaiveTransition[] = [];
const nRng = new Rng(2);

function buildNaive(): void {
  if (naive.length > 0) return;
  const rng = new Rng(1);
  while (naive.length + T <= 1_000_000) {
    const ep = episode(rng);
    for (let t = 0; t < T; t++) naive.push({ ep, t });
  }
}

describe("uniform sampling, 256 transitions from 1e6", () => {
  bench("ReplayBuffer.sample(256) (typed arrays, grouped by episode)", () => {
    uniform.sample(256, uRng);
  });
  bench(
    "baseline: array of transition objects",
    () => {
      const out: NaiveTransition[] = new Array(256);
      for (let i = 0; i < 256; i++) out[i] = naive[nRng.nextInt(naive.length)] as NaiveTransition;
    },
    {
      setup: buildNaive,
      teardown: () => {
        naive = [];
      },
    },
  );
});

// ——— 2. prioritized sample + update at two capacities ———
function prioritized(capacity: number): { buf: ReplayBuffer; rng: Rng; td: Float32Array } {
  const buf = new ReplayBuffer({ capacity, vocabSize: V, prioritized: true });
  fill(buf, capacity, 3);
  return { buf, rng: new Rng(4), td: new Float32Array(256) };
}
const big = prioritized(1_000_000);
const small = prioritized(10_000);

function sampleUpdate(p: { buf: ReplayBuffer; rng: Rng; td: Float32Array }): void {
  const b = p.buf.sample(256, p.rng);
  for (let i = 0; i < 256; i++) p.td[i] = p.rng.next() * 2;
  p.buf.updatePriorities(b, p.td);
}

describe("prioritized sample(256) + updatePriorities(256)", () => {
  bench("capacity 1e4", () => sampleUpdate(small));
  bench("capacity 1e6", () => sampleUpdate(big));
});

// ——— 3. memory ———
afterAll(() => {
  const n = uniform.size;
  const bytes = uniform.memoryBytes();
  // Every transition stored with its own s_t and s_{t+1} copies (int32), plus a_t, r_t and done: typed-array
  // payload only, no object headers, so this favours the baseline.
  let prefixBytes = 0;
  for (let t = 0; t < T; t++) prefixBytes += 4 * (P + t) + 4 * (P + t + 1) + 4 + 4 + 1;
  const naivePerTransition = prefixBytes / T;
  const prio = big.buf.memoryBytes() / big.buf.size;
  console.log(
    [
      "",
      `[replay bench] memory, 64-token episodes (P=${P}, T=${T}), ${n.toLocaleString("en")} transitions:`,
      `  ReplayBuffer (uniform):     ${(bytes / n).toFixed(1)} bytes/transition (${(bytes / 2 ** 20).toFixed(1)} MiB)`,
      `  ReplayBuffer (prioritized): ${prio.toFixed(1)} bytes/transition (sum tree included)`,
      `  every prefix stored:        ${naivePerTransition.toFixed(1)} bytes/transition ` +
        `(${((naivePerTransition * n) / 2 ** 20).toFixed(1)} MiB) → ${(naivePerTransition / (bytes / n)).toFixed(1)}× more`,
    ].join("\n"),
  );
});
