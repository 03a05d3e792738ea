import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  describeReward,
  isReward,
  loadReward,
  parseRewardSpec,
  prefixScores,
  RewardPluginError,
  RewardsError,
  stepRewards,
} from "./index.js";

// A user's project: a loose module file and an installed ESM-only package (exports: source + import only, so
// `createRequire().resolve()` would fail on it).
let project: string;
const LENGTH_MODULE = `
export const lengthReward = {
  name: "length",
  config: { signature: "length:chars|target:10" },
  score(hyp) { return Math.min(hyp.length, 10) / 10; },
};
export function makeLength(options = {}) {
  const target = options.target ?? 10;
  if (typeof target !== "number") throw new Error("target must be a number");
  return { name: "length", config: { target, signature: "length:chars|target:" + target },
    score(hyp) { return Math.min(hyp.length, target) / target; } };
}
export const notAReward = { name: "x", score: 3 };
export function returnsJunk() { return 42; }
export default lengthReward;
`;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "dqnlm-plugin-"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-project", version: "1.0.0" }));
  writeFileSync(join(project, "length.mjs"), LENGTH_MODULE);
  const pkg = join(project, "node_modules", "dqnlm-reward-len");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  mkdirSync(join(pkg, "src"), { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "dqnlm-reward-len",
      version: "2.3.4",
      type: "module",
      exports: {
        ".": { source: "./src/index.mjs", types: "./dist/index.d.ts", import: "./dist/index.mjs" },
        "./package.json": "./package.json",
      },
    }),
  );
  writeFileSync(join(pkg, "dist", "index.mjs"), LENGTH_MODULE);
  // the source entry differs so the test can see which condition was used
  writeFileSync(
    join(pkg, "src", "index.mjs"),
    LENGTH_MODULE.replaceAll('name: "length"', 'name: "length-src"'),
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

async function code(p: Promise<unknown>): Promise<[string, string | undefined, string]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RewardPluginError);
    expect(e).toBeInstanceOf(RewardsError);
    const err = e as RewardPluginError;
    return [err.code, err.field, err.message];
  }
  throw new Error("expected a RewardPluginError");
}

describe("parseRewardSpec", () => {
  test("splits at the last #, default export otherwise", () => {
    expect(parseRewardSpec("@dqnlm/reward-meteor")).toEqual({
      target: "@dqnlm/reward-meteor",
      exportName: "default",
    });
    expect(parseRewardSpec("./a#b/c.js#meteorReward")).toEqual({
      target: "./a#b/c.js",
      exportName: "meteorReward",
    });
    expect(() => parseRewardSpec("pkg#1bad")).toThrow(/identifier after #/);
  });
});

describe("loadReward", () => {
  test("a file path with a named ready reward, resolved from `from`", async () => {
    const { reward, record } = await loadReward("./length.mjs#lengthReward", undefined, { from: project });
    expect(reward.score("abcde", ["x"])).toBe(0.5);
    expect(record).toMatchObject({
      spec: "./length.mjs#lengthReward",
      package: "my-project",
      version: "1.0.0",
      export: "lengthReward",
      kind: "reward",
      options: null,
      name: "length",
      signature: "length:chars|target:10",
      resolved: join(project, "length.mjs"),
    });
  });

  test("a factory gets the JSON options; the default export is used without #", async () => {
    const { reward, record } = await loadReward("./length.mjs#makeLength", { target: 4 }, { from: project });
    expect(reward.score("abc", [])).toBe(0.75);
    expect(record.kind).toBe("factory");
    expect(record.options).toEqual({ target: 4 });
    expect(record.signature).toBe("length:chars|target:4");
    expect(describeReward(record)).toBe(
      'length (my-project@1.0.0#makeLength, options {"target":4}, signature length:chars|target:4)',
    );
    const d = await loadReward("./length.mjs", undefined, { from: project });
    expect(d.record.export).toBe("default");
    expect(d.reward.score("ab", [])).toBe(0.2);
  });

  test("an installed ESM-only package: exports map honoured in key order, version recorded", async () => {
    const built = await loadReward(
      "dqnlm-reward-len#makeLength",
      {},
      {
        from: join(project, "length.mjs"),
        conditions: ["import", "node", "default"],
      },
    );
    expect(built.reward.name).toBe("length");
    expect(built.record.package).toBe("dqnlm-reward-len");
    expect(built.record.version).toBe("2.3.4");
    expect(built.record.resolved).toBe(
      join(project, "node_modules", "dqnlm-reward-len", "dist", "index.mjs"),
    );
    const src = await loadReward("dqnlm-reward-len#makeLength", undefined, {
      from: project,
      conditions: ["source", "import", "node", "default"],
    });
    expect(src.reward.name).toBe("length-src");
  });

  test("per-step forms come for free through prefixScores/stepRewards", async () => {
    const { reward } = await loadReward("./length.mjs#makeLength", { target: 4 }, { from: project });
    const m = prefixScores(reward, ["", "ab", "abcd", "abcdef"], ["ref"]);
    expect([...m]).toEqual([0, 0.5, 1, 1]);
    expect([...stepRewards(m, "delta")]).toEqual([0.5, 0.5, 0]);
  });

  test("clear typed errors", async () => {
    const missing = await code(loadReward("dqnlm-reward-nope", undefined, { from: project }));
    expect(missing[0]).toBe("DQNLM_REWARDS_PLUGIN_NOT_FOUND");
    expect(missing[1]).toBe("reward");
    expect(missing[2]).toMatch(
      /package "dqnlm-reward-nope" is not installed in .*pnpm add dqnlm-reward-nope/,
    );

    const noFile = await code(loadReward("./nope.mjs", undefined, { from: project }));
    expect(noFile[0]).toBe("DQNLM_REWARDS_PLUGIN_NOT_FOUND");

    const noExport = await code(loadReward("./length.mjs#meteor", undefined, { from: project }));
    expect(noExport[0]).toBe("DQNLM_REWARDS_PLUGIN_NO_EXPORT");
    expect(noExport[2]).toContain('has no export "meteor"');
    expect(noExport[2]).toContain("./length.mjs#lengthReward, ./length.mjs#makeLength");

    const notReward = await code(loadReward("./length.mjs#notAReward", undefined, { from: project }));
    expect(notReward[0]).toBe("DQNLM_REWARDS_PLUGIN_NOT_A_REWARD");
    expect(notReward[2]).toContain("neither a Reward");

    const junk = await code(loadReward("./length.mjs#returnsJunk", undefined, { from: project }));
    expect(junk[0]).toBe("DQNLM_REWARDS_PLUGIN_NOT_A_REWARD");
    expect(junk[2]).toContain("returned 42");

    const optsToReward = await code(loadReward("./length.mjs#lengthReward", { a: 1 }, { from: project }));
    expect(optsToReward[0]).toBe("DQNLM_REWARDS_PLUGIN_BAD_OPTIONS");
    expect(optsToReward[1]).toBe("reward-options");

    const rejected = await code(loadReward("./length.mjs#makeLength", { target: "x" }, { from: project }));
    expect(rejected[0]).toBe("DQNLM_REWARDS_PLUGIN_BAD_OPTIONS");
    expect(rejected[2]).toContain("target must be a number");

    const notJson = await code(loadReward("./length.mjs#makeLength", { f: () => 1 }, { from: project }));
    expect(notJson[0]).toBe("DQNLM_REWARDS_PLUGIN_BAD_OPTIONS");
  });

  test("isReward checks the shape", () => {
    expect(isReward({ name: "a", config: {}, score: () => 0 })).toBe(true);
    expect(isReward({ name: "a", score: () => 0 })).toBe(false);
    expect(isReward({ name: "a", config: {}, score: () => 0, incremental: 1 })).toBe(false);
  });
});
