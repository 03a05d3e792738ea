/**
 * App runs resume (issue #14): an app run killed with SIGKILL after its first checkpoint and continued with
 * `resume --out` ends with the same predictions, results and metrics as an uninterrupted run. And `eval` /
 * `generate` start the selected backend and take the prompt/generation limits of the run they load.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import { toyArgs, toyTask } from "./__fixtures__/toy-task.js";
import { EXIT_CODES, generationCli, runTaskCli } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "appkit-resume-"));
const here = dirname(fileURLToPath(import.meta.url));
const cli = generationCli(toyTask, "dqnlm-toy");
// 24 DQN updates with a resumable checkpoint every 4: the kill lands after the first one, mid-run
const EXTRA = ["--dqn-updates", "24", "--set", "checkpoint.every=4"];
const io = (log: string[]) => ({ stdout: (t: string) => log.push(t), stderr: (t: string) => log.push(t) });

/** Timing fields of metrics.jsonl (differ between any two runs). */
const TIMING = new Set([
  "updatesPerSec",
  "learnerTokensPerSec",
  "actorTokensPerSec",
  "shareReward",
  "shareReplay",
  "shareNetwork",
  "shareActor",
  "shareLearner",
  "seconds",
  "backend",
]);
const metrics = (dir: string): unknown[] =>
  readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.has(k))));

/** Runs the toy CLI in a child process and SIGKILLs it once `checkpoints/last/state.json` exists. */
function runAndKill(out: string): Promise<{ signal: NodeJS.Signals | null; killedAt: number }> {
  const state = join(out, "checkpoints", "last", "state.json");
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        join(here, "__fixtures__", "toy-cli.ts"),
        ...toyArgs(out, EXTRA),
      ],
      { cwd: join(here, ".."), stdio: ["ignore", "ignore", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    let killedAt = -1;
    const poll = setInterval(() => {
      if (killedAt < 0 && existsSync(state)) {
        killedAt = (JSON.parse(readFileSync(state, "utf8")) as { loop: { update: number } }).loop.update;
        child.kill("SIGKILL");
      }
    }, 5);
    child.on("error", rej);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      if (signal === null) rej(new Error(`the run ended (exit ${code}) before it was killed:\n${err}`));
      else res({ signal, killedAt });
    });
  });
}

describe("app runs resume exactly", () => {
  const full = join(root, "full");
  const killed = join(root, "killed");

  test("kill -9 after the first checkpoint, then `resume --out`: same bytes as an uninterrupted run", async () => {
    const log: string[] = [];
    // first the child (the event loop must stay free to see its checkpoint), then the uninterrupted run
    const k = await runAndKill(killed);
    expect(await runTaskCli(cli, toyArgs(full, EXTRA), io(log)), log.join("")).toBe(EXIT_CODES.ok);
    expect(k.signal).toBe("SIGKILL");
    expect(k.killedAt).toBeGreaterThan(0);
    expect(k.killedAt).toBeLessThan(24);
    expect(existsSync(join(killed, "results.json"))).toBe(false);

    log.length = 0;
    expect(await runTaskCli(cli, ["resume", "--out", killed, "--quiet"], io(log)), log.join("")).toBe(
      EXIT_CODES.ok,
    );
    for (const f of ["predictions/test.mle.jsonl", "predictions/test.dqn-soft.jsonl"])
      expect(readFileSync(join(killed, f), "utf8"), f).toBe(readFileSync(join(full, f), "utf8"));
    const results = (d: string) =>
      JSON.parse(readFileSync(join(d, "results.json"), "utf8")) as { systems: unknown; stopped: string };
    expect(results(killed).systems).toEqual(results(full).systems);
    expect(results(killed).stopped).toBe("done");
    expect(metrics(killed)).toEqual(metrics(full));
    expect(readFileSync(join(killed, "report.md"), "utf8")).toContain("| system | chrF |");
  }, 120_000);

  test("resume of a folder that is not an app run is a usage error", async () => {
    const log: string[] = [];
    expect(await runTaskCli(cli, ["resume", "--out", join(root, "nothing")], io(log))).toBe(EXIT_CODES.usage);
    expect(log.join("")).toMatch(/Invalid --out: expected a run folder written by `dqnlm-toy train`/);
  });

  test("eval and generate start the selected backend and use the run's limits", async () => {
    await tf.setBackend("cpu");
    const log: string[] = [];
    const evalOut = join(root, "eval");
    const code = await runTaskCli(
      cli,
      ["eval", "--model", full, "--backend", "wasm", "--out", evalOut],
      io(log),
    );
    expect(code, log.join("")).toBe(EXIT_CODES.ok);
    expect(tf.getBackend()).toBe("wasm");
    const ev = JSON.parse(readFileSync(join(evalOut, "eval-test.json"), "utf8")) as Record<string, unknown>;
    // the run was trained with --max-prompt-tokens 6 --max-new-tokens 4 (not the defaults 64 / 24)
    expect([ev.backend, ev.maxPromptTokens, ev.maxNewTokens]).toEqual(["wasm", 6, 4]);
    // the same predictions as with the run's limits given explicitly
    const explicitOut = join(root, "eval-explicit");
    const args = [
      "eval",
      "--model",
      full,
      "--out",
      explicitOut,
      "--max-prompt-tokens",
      "6",
      "--max-new-tokens",
      "4",
    ];
    expect(await runTaskCli(cli, args, io(log))).toBe(EXIT_CODES.ok);
    const preds = (d: string) => readFileSync(join(d, "predictions", "test.eval.jsonl"), "utf8");
    expect(preds(evalOut)).toBe(preds(explicitOut));

    await tf.setBackend("cpu");
    log.length = 0;
    expect(
      await runTaskCli(
        cli,
        ["generate", "--model", full, "--backend", "wasm", "--prompt", "red cat sun"],
        io(log),
      ),
    ).toBe(EXIT_CODES.ok);
    expect(tf.getBackend()).toBe("wasm");
    expect(JSON.parse(log.join("").trim()).prompt).toBe("red cat sun");
  }, 60_000);
});
