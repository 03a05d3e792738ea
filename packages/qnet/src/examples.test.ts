import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** The README's examples run as they are shown (same output lines), so the README cannot drift. */
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
function runExample(name: string): string {
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", join("examples", name)], {
    cwd: root,
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, DQNLM_BACKEND: "wasm", DQNLM_WASM_THREADS: "1" },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("README examples", () => {
  it("q-values.ts prints the documented values", () => {
    const out = runExample("q-values.ts");
    expect(out).toContain("Q shape: [ 2, 4, 100 ]");
    expect(out).toContain("[ 0.8141, 0.7453, 0.7194, 0.7105 ]");
    expect(out).toContain("argmax_a: [ [ 5, 17, 42, 8 ], [ 9, 9, 3, 71 ] ]");
    const diff = Number(/max \|diff\|: (\S+)/.exec(out)?.[1]);
    expect(diff).toBeLessThan(1e-5);
    expect(out).toContain("tensors left: 0");
  });

  it("dqn-step.ts lowers the TD loss and leaks nothing", () => {
    const out = runExample("dqn-step.ts");
    const losses = [...out.matchAll(/TD loss (\S+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0] as number);
    expect(out).toContain("tensors left: 0");
  });
});
