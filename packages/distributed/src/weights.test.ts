/** Actors read weights from a real Redis and reject a corrupted blob by its SHA-256. */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RedisServer, redisServerBinary, testRedis } from "./__fixtures__/harness.js";
import { connectRedis, DistributedError, encodeWeights, fetchWeights, runKeys } from "./index.js";

const available = redisServerBinary() !== null || !!process.env.DQNLM_TEST_REDIS_URL;
if (!available) console.warn("SKIPPED weights-over-Redis test: no redis-server and no DQNLM_TEST_REDIS_URL");

describe.skipIf(!available)("published weights", () => {
  let url = "";
  let own: RedisServer | null = null;
  beforeAll(async () => {
    const r = await testRedis();
    if (!r) throw new Error("redis became unavailable");
    url = r.url;
    own = r.own;
  });
  afterAll(async () => {
    await own?.stop();
  });

  test("newest version is read once; a corrupted blob is rejected, not loaded", async () => {
    const keys = runKeys(`weights-${Math.random().toString(36).slice(2, 8)}`);
    const redis = connectRedis(url);
    const raw = new Redis(url);
    try {
      const blob = encodeWeights(new Map([["w", { shape: [3], data: Float32Array.of(1, 2, 3) }]]));
      await raw.set(keys.weightsBlob(1), Buffer.from(blob.bytes));
      await raw.set(
        keys.weightsMeta,
        JSON.stringify({ version: 1, update: 10, sha256: blob.sha256, bytes: blob.bytes.length }),
      );
      const got = await fetchWeights(redis, keys, 0);
      expect(got?.meta.version).toBe(1);
      expect(Array.from(got?.weights.get("w") ?? [])).toEqual([1, 2, 3]);
      expect(await fetchWeights(redis, keys, 1)).toBeNull();
      // Corrupt one byte of the stored blob (as a faulty disk or a partial write would).
      await raw.setrange(keys.weightsBlob(1), blob.bytes.length - 2, "X");
      const err = await fetchWeights(redis, keys, 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DistributedError);
      expect((err as DistributedError).code).toBe("DQNLM_DIST_WEIGHTS_CORRUPT");
    } finally {
      await raw.del(keys.weightsBlob(1), keys.weightsMeta);
      raw.disconnect();
      redis.disconnect();
    }
  });
});
