import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createReward, generate, tool } from "./fixture.js";

const g = generate("len-ratio");
afterAll(() => rmSync(g.root, { recursive: true, force: true }));

describe("pnpm create-reward len-ratio", () => {
  test("writes the package: manifest, source, reference vectors and their script, bench, README", () => {
    for (const f of [
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src/index.ts",
      "src/len-ratio.ts",
      "src/reward.ts",
      "src/errors.ts",
      "src/len-ratio.test.ts",
      "test/vectors.json",
      "scripts/make-vectors.py",
      "bench/len-ratio.bench.ts",
      "README.md",
    ])
      expect(existsSync(join(g.dir, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(g.dir, "package.json"), "utf8"));
    expect(pkg.name).toBe("@dqnlm/reward-len-ratio");
    expect(pkg.exports["."]).toEqual({
      source: "./src/index.ts",
      types: "./dist/index.d.ts",
      import: "./dist/index.js",
    });
    expect(pkg.peerDependencies).toEqual({ "@dqnlm/rewards": "^0.1.0" });
    expect(g.stdout).toContain("--reward @dqnlm/reward-len-ratio");
  });

  test("passes lint (biome), typecheck (tsc) and its tests (vitest) as generated", () => {
    const lint = tool(g.root, "biome", ["check", "packages/reward-len-ratio"]);
    expect(lint.status, lint.output).toBe(0);
    const tsc = tool(g.root, "tsc", ["-p", "packages/reward-len-ratio/tsconfig.json", "--noEmit"]);
    expect(tsc.status, tsc.output).toBe(0);
    const vitest = tool(g.root, "vitest", ["run", "--root", g.root, "packages/reward-len-ratio"]);
    expect(vitest.status, vitest.output).toBe(0);
    expect(vitest.output).toMatch(/Tests\s+9 passed/);
  });

  test("refuses a bad name and an existing folder", () => {
    const bad = createReward(["Bad_Name", "--root", g.root]);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('expected a lowercase name like "length-ratio"');
    const again = createReward(["len-ratio", "--root", g.root]);
    expect(again.status).toBe(1);
    expect(again.output).toContain("already exists");
  });
});
