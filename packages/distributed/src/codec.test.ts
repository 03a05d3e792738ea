import { describe, expect, test } from "vitest";
import {
  actorSeed,
  actorTemperature,
  apexEpsilon,
  DistributedError,
  decodeEpisode,
  decodeWeights,
  encodeEpisode,
  encodeWeights,
  initialTdErrors,
  parseEpisodeId,
  redactRedisUrl,
  resolveDistributed,
  runKeys,
} from "./index.js";

const wire = {
  id: "a1-3:17",
  episode: {
    tokens: Int32Array.of(5, 6, 1, 9, 2),
    promptLength: 3,
    rewards: Float32Array.of(0.25, -0.5),
    terminated: true,
    refIndex: 4,
  },
  priority: 0.75,
  weightsVersion: 12,
  metric: 0.5,
};

describe("episode wire format", () => {
  test("round trip keeps every field", () => {
    const bytes = encodeEpisode(wire);
    // header 32 + 5 tokens·4 + 2 rewards·4 + CRC 4
    expect(bytes.length).toBe(64);
    const back = decodeEpisode(wire.id, bytes, 10);
    expect(Array.from(back.episode.tokens)).toEqual([5, 6, 1, 9, 2]);
    expect(Array.from(back.episode.rewards)).toEqual([0.25, -0.5]);
    expect(back.episode.promptLength).toBe(3);
    expect(back.episode.terminated).toBe(true);
    expect(back.episode.refIndex).toBe(4);
    expect(back.priority).toBe(0.75);
    expect(back.weightsVersion).toBe(12);
  });

  test("a flipped bit, a truncation or a token outside the vocabulary is rejected", () => {
    const bytes = encodeEpisode(wire);
    const flipped = bytes.slice();
    flipped[40] = (flipped[40] as number) ^ 1;
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as DistributedError).code;
      }
      return undefined;
    };
    expect(code(() => decodeEpisode("x:1", flipped, 10))).toBe("DQNLM_DIST_EPISODE_CORRUPT");
    expect(code(() => decodeEpisode("x:1", bytes.subarray(0, 60), 10))).toBe("DQNLM_DIST_EPISODE_CORRUPT");
    expect(code(() => decodeEpisode("x:1", bytes, 9))).toBe("DQNLM_DIST_EPISODE_CORRUPT"); // token 9 ∉ [0, 9)
  });

  test("episode ids are actorId:seq", () => {
    expect(parseEpisodeId("a0-12:345")).toEqual({ actor: "a0-12", seq: 345 });
    expect(parseEpisodeId("nocolon")).toBeNull();
    expect(parseEpisodeId("a:-1")).toBeNull();
  });
});

describe("weights blob", () => {
  const w = new Map([["wte.weight", { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }]]);
  test("verified by SHA-256 and parsed", () => {
    const b = encodeWeights(w);
    expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Array.from(decodeWeights(b.bytes, b.sha256, "v1").get("wte.weight") ?? [])).toEqual([1, 2, 3, 4]);
  });
  test("one changed byte is rejected before parsing", () => {
    const b = encodeWeights(w);
    const bad = b.bytes.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x40;
    expect(() => decodeWeights(bad, b.sha256, "v1")).toThrow(/does not match the published/);
  });
});

describe("Ape-X exploration", () => {
  test("ε_i = 0.4^(1+7i/(N−1))", () => {
    // N = 4: 0.4, 0.4^(10/3) = 0.0471556, 0.4^(17/3) = 0.0055591, 0.4^8 = 0.00065536
    const e = [0, 1, 2, 3].map((i) => apexEpsilon(i, 4));
    expect(e[0]).toBeCloseTo(0.4, 10);
    expect(e[1]).toBeCloseTo(0.0471556, 6);
    expect(e[2]).toBeCloseTo(0.0055591, 6);
    expect(e[3]).toBeCloseTo(0.00065536, 9);
    expect(apexEpsilon(0, 1)).toBe(0.4);
  });
  test("temperatures spread from 2T to T/2; seeds differ per slot", () => {
    expect(actorTemperature(0, 3, 0.1)).toBeCloseTo(0.2, 12);
    expect(actorTemperature(1, 3, 0.1)).toBeCloseTo(0.1, 12);
    expect(actorTemperature(2, 3, 0.1)).toBeCloseTo(0.05, 12);
    const seeds = new Set(Array.from({ length: 1000 }, (_, s) => actorSeed(7, s)));
    expect(seeds.size).toBe(1000);
  });
  test("initial TD errors: n-step return plus γ^k max Q, no bootstrap at the end", () => {
    // r = [0, 0, 1], Q(s_t,a_t) = [0.2, 0.5, 0.9], max Q = [0.3, 0.6, 0.9], n = 2, γ = 0.5
    // t=0: y = 0 + 0.5·0 + 0.25·maxQ[2]=0.225 → |0.225−0.2| = 0.025
    // t=1: y = 0 + 0.5·1 = 0.5 (window reaches the end) → |0.5−0.5| = 0
    // t=2: y = 1 → |1−0.9| = 0.1
    const d = initialTdErrors(
      Float32Array.of(0, 0, 1),
      Float32Array.of(0.2, 0.5, 0.9),
      Float32Array.of(0.3, 0.6, 0.9),
      2,
      0.5,
    );
    expect(d[0]).toBeCloseTo(0.025, 6);
    expect(d[1]).toBeCloseTo(0, 6);
    expect(d[2]).toBeCloseTo(0.1, 6);
  });
});

describe("options and URLs", () => {
  test("passwords never appear in a redacted URL", () => {
    expect(redactRedisUrl("rediss://app:s3cret@cache.example:6380/0")).toBe(
      "rediss://***@cache.example:6380/0",
    );
    expect(redactRedisUrl("redis://:pw@127.0.0.1:6379")).toBe("redis://***@127.0.0.1:6379");
    expect(redactRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(redactRedisUrl("not a url :pw@")).toBe("<unparseable redis url>");
  });
  test("bad options name the field", () => {
    expect(() => resolveDistributed({ streamMaxLen: 0 })).toThrow(
      /distributed.streamMaxLen must be an integer ≥ 1, received 0/,
    );
    expect(() => resolveDistributed({ streamMaxlen: 5 } as never)).toThrow(
      /unknown option distributed.streamMaxlen/,
    );
    expect(resolveDistributed({}).streamMaxLen).toBe(256);
    expect(() => resolveDistributed({ streamMaxLen: 64, ackEvery: 64 })).toThrow(/must be smaller than/);
    expect(() => runKeys("bad name")).toThrow(DistributedError);
    expect(runKeys("r1").stream).toBe("dqnlm:{r1}:episodes");
  });
});
