/**
 * Bad inputs to the `dqnlm` CLI (issue #14): every one gets a typed error naming the flag, key or file:line —
 * never a stack trace, never silently ignored, never a default run — and nothing is written before the error.
 * Also the progress bar: log lines and the bar never overwrite each other; no bar when stdout is not a TTY.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  CliConfigError,
  CliDataError,
  CliUsageError,
  cliVersion,
  exitCodeOf,
  formatError,
  readJsonl,
  runCli,
} from "./cli-lib.js";
import { createProgress, logAboveProgress, progressEnabled, TrainerConfigError } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "dqnlm-bad-"));
const good = join(dir, "train.jsonl");
writeFileSync(
  good,
  '{"prompt": "red cat", "reference": "cat red"}\n{"prompt": "a b", "references": ["b a"]}\n',
);
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** Runs the CLI in-process and returns what it threw (or the exit code), with the lines it printed. */
async function cli(argv: string[]): Promise<{ err: unknown; code?: number; out: string[] }> {
  const out: string[] = [];
  try {
    const code = await runCli(argv, (l) => out.push(l));
    return { err: undefined, code, out };
  } catch (err) {
    return { err, out };
  }
}
let runN = 0;
const freshRun = (): string => join(dir, `run${++runN}`);

describe("flags (node:util parseArgs, strict)", () => {
  test("an unknown flag is an error naming the nearest valid flag, and nothing is written", async () => {
    const run = freshRun();
    const { err } = await cli(["train", "--train", good, "--updtes", "2", "--run", run]);
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as CliUsageError).field).toBe("updtes");
    expect(formatError(err)).toBe(
      "error DQNLM_CLI_USAGE (updtes): unknown flag --updtes for `dqnlm train`; did you mean --updates?\n" +
        "  Run `dqnlm train --help` for its flags.",
    );
    expect(exitCodeOf(err)).toBe(2);
    expect(existsSync(run)).toBe(false);
  });

  test("a flag without its value is an error (no run folder named `true`)", async () => {
    const { err } = await cli(["train", "--train", good, "--run"]);
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as CliUsageError).field).toBe("run");
    expect((err as Error).message).toMatch(/^--run needs a value \(e\.g\. --run runs\/x\)/);
    const { err: e2 } = await cli(["train", "--run", "--train", good]);
    expect((e2 as CliUsageError).field).toBe("run");
    expect(existsSync("true")).toBe(false);
  });

  test("`train --help` prints the train flags; `--version` prints the version", async () => {
    const h = await cli(["train", "--help"]);
    expect(h.code).toBe(0);
    expect(h.out.join("\n")).toMatch(/^dqnlm train — /);
    expect(h.out.join("\n")).toMatch(/--updates <n> +DQN learner updates/);
    const v = await cli(["--version"]);
    expect(v.code).toBe(0);
    const pkg = JSON.parse(
      readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "package.json"), "utf8"),
    ) as { version: string };
    expect(v.out).toEqual([pkg.version]);
    expect(cliVersion()).toBe(pkg.version);
  });

  test("bad values and unknown commands are one-line usage errors with a hint", async () => {
    const { err } = await cli(["train", "--train", good, "--run", freshRun(), "--updates", "many"]);
    expect(formatError(err)).toBe(
      'error DQNLM_CLI_USAGE (updates): --updates must be an integer ≥ 0, received "many".\n' +
        "  Run `dqnlm train --help` for its flags.",
    );
    const { err: e2 } = await cli(["trian"]);
    expect(formatError(e2)).toMatch(/unknown command "trian"; did you mean `dqnlm train`\?/);
    const { err: e3 } = await cli(["train", "extra", "--run", freshRun()]);
    expect((e3 as CliUsageError).message).toMatch(/unexpected argument "extra"/);
  });

  test("an unexpected error is printed without a stack trace", () => {
    const s = formatError(new TypeError("boom"), {});
    expect(s).toBe("error: boom\n  This is unexpected; rerun with DQNLM_DEBUG=1 for details and report it.");
    expect(s).not.toMatch(/\n\s+at /);
  });

  test("the executable prints one error line plus a hint and exits 2 (no stack trace)", () => {
    const src = dirname(fileURLToPath(import.meta.url));
    const r = spawnSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(src, "cli.ts"), "train", "--updtes", "2"],
      { encoding: "utf8", cwd: join(src, ".."), env: { ...process.env, DQNLM_DEBUG: "" } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "error DQNLM_CLI_USAGE (updtes): unknown flag --updtes for `dqnlm train`; did you mean --updates?",
      "  Run `dqnlm train --help` for its flags.",
    ]);
  }, 60_000);
});

describe("the --config file", () => {
  const train = async (cfg: string) => cli(["train", "--config", cfg, "--train", good, "--run", freshRun()]);
  test.each([
    ["not JSON", "{trainer: 1", /not valid JSON/],
    ["empty", "", /the config file is empty/],
    ["an array", "[]", /the config must be a JSON object, found \[\]/],
    ["a number", "3", /the config must be a JSON object, found 3/],
  ])("%s → DQNLM_CLI_CONFIG_INVALID", async (_, text, re) => {
    const p = file(`cfg-${runN}.json`, text);
    const { err } = await train(p);
    expect(err).toBeInstanceOf(CliConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message.startsWith(`${p}: `)).toBe(true);
    expect(exitCodeOf(err)).toBe(2);
  });

  test("a missing config file", async () => {
    const { err } = await train(join(dir, "nope.json"));
    expect(err).toBeInstanceOf(CliConfigError);
    expect((err as Error).message).toMatch(/nope\.json: config file not found/);
  });

  test.each([
    [{ trainr: { seed: 2 } }, "trainr", /unknown key "trainr" at the top level; did you mean "trainer"\?/],
    [{ data: { trian: "x.jsonl" } }, "data.trian", /unknown key "trian" in "data"; did you mean "train"\?/],
    [{ tokenizer: { vocabsize: 50 } }, "tokenizer.vocabsize", /did you mean "vocabSize"\?/],
    [{ reward: { name: "chrf", option: {} } }, "reward.option", /did you mean "options"\?/],
    [
      { init: { type: "random", config: { nEmbed: 8 } } },
      "init.config.nEmbed",
      /unknown key "nEmbed" in "init\.config"; did you mean "nEmbd"\?/,
    ],
    [{ init: { type: "randon" } }, "init.type", /did you mean "random"\?/],
    [{ init: { type: "random", config: { nEmbd: 10, nHead: 3 } } }, "init.config.nHead", /must divide nEmbd/],
    [{ init: { type: "checkpoint", id: "x" } }, "init.id", /unknown key "id" in "init"/],
    [{ tokenizer: { vocabSize: -3 } }, "tokenizer.vocabSize", /must be a positive integer, found -3/],
  ])("%j → names %s and the nearest valid key", async (cfg, field, re) => {
    const run = freshRun();
    const { err } = await cli([
      "train",
      "--config",
      file(`cfg-${runN}.json`, JSON.stringify(cfg)),
      "--train",
      good,
      "--run",
      run,
    ]);
    expect(err).toBeInstanceOf(CliConfigError);
    expect((err as CliConfigError).field).toBe(field);
    expect((err as Error).message).toMatch(re);
    expect(existsSync(run)).toBe(false);
  });

  test("a misspelled trainer key names the nearest one and the file; nothing is written", async () => {
    const run = freshRun();
    const p = file("cfg-trainer.json", JSON.stringify({ trainer: { dqn: { updtes: 5 } } }));
    const { err } = await cli(["train", "--config", p, "--train", good, "--run", run]);
    expect(err).toBeInstanceOf(TrainerConfigError);
    expect((err as TrainerConfigError).field).toBe("dqn.updtes");
    expect((err as Error).message).toMatch(/Did you mean "updates"\?/);
    expect((err as Error).message).toContain(`(in ${p}, under "trainer")`);
    expect(existsSync(run)).toBe(false);
  });
});

describe("the run folder", () => {
  test("train --run EXISTING refuses before writing anything", async () => {
    const run = freshRun();
    mkdirSync(join(run, "tokenizer"), { recursive: true });
    writeFileSync(join(run, "cli.json"), '{"marker": 1}');
    writeFileSync(join(run, "config.json"), '{"marker": 2}');
    const before = readdirSync(run, { recursive: true }).sort();
    const mtime = statSync(join(run, "cli.json")).mtimeMs;
    const { err } = await cli(["train", "--train", good, "--run", run]);
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as Error).message).toMatch(/already exists and is not empty \(it holds a dqnlm run\)/);
    expect((err as CliUsageError).hint).toBe(
      `Continue that run with \`dqnlm resume --run ${run}\`, or pass another --run.`,
    );
    expect(readdirSync(run, { recursive: true }).sort()).toEqual(before);
    expect(readFileSync(join(run, "cli.json"), "utf8")).toBe('{"marker": 1}');
    expect(statSync(join(run, "cli.json")).mtimeMs).toBe(mtime);
  });

  test("--run that is a file, or under a file → usage error, exit code 2", async () => {
    const f = file("a-file", "x");
    const r1 = await cli(["train", "--train", good, "--run", f]);
    expect(formatError(r1.err)).toMatch(
      /^error DQNLM_CLI_USAGE \(run\): --run .*a-file is a file, not a folder\./,
    );
    const r2 = await cli(["train", "--train", good, "--run", join(f, "sub", "run")]);
    expect(formatError(r2.err)).toMatch(
      /is under .*a-file, which is a file, so the folder cannot be created/,
    );
    expect(exitCodeOf(r2.err)).toBe(2);
  });

  test("--run in a read-only place → usage error", async () => {
    let place: string | undefined;
    if (process.getuid?.() !== 0) {
      place = join(dir, "ro");
      mkdirSync(place);
      chmodSync(place, 0o555);
    } else if (existsSync("/sys") && !canMkdir("/sys/dqnlm-probe")) place = "/sys"; // root ignores modes
    if (place === undefined) {
      console.warn("bad-inputs: no read-only folder available on this machine; read-only --run case skipped");
      return;
    }
    const { err } = await cli(["train", "--train", good, "--run", join(place, "run")]);
    expect(err).toBeInstanceOf(CliUsageError);
    expect(formatError(err)).toMatch(/^error DQNLM_CLI_USAGE \(run\): /);
    expect(formatError(err)).toMatch(/is not writable|cannot write the run folder/);
  });
});

function canMkdir(p: string): boolean {
  try {
    mkdirSync(p);
    return true;
  } catch {
    return false;
  }
}

describe("JSONL data", () => {
  test.each([
    ["null", "null", 2, /expected a JSON object, found null/],
    ["a number", "3", 2, /expected a JSON object, found 3/],
    ["a string", '"text"', 2, /expected a JSON object, found "text"/],
    ["an array", '["a", "b"]', 2, /expected a JSON object, found \["a","b"\]/],
    ["empty prompt and reference", '{"prompt": "", "reference": ""}', 2, /empty reference and empty prompt/],
    ["a blank reference", '{"prompt": "x", "references": [" "]}', 2, /empty reference: a record needs/],
  ])("a line that is %s → file:line error", (_, line, at, re) => {
    const p = file(`d-${_.replace(/\W/g, "")}.jsonl`, `{"prompt": "a", "reference": "b"}\n${line}\n`);
    expect(() => readJsonl(p)).toThrow(CliDataError);
    try {
      readJsonl(p);
    } catch (e) {
      expect((e as Error).message.startsWith(`${p}:${at}: `)).toBe(true);
      expect((e as Error).message).toMatch(re);
      expect(exitCodeOf(e)).toBe(3);
    }
  });

  test("invalid UTF-8 is reported with file:line (not replaced by U+FFFD)", () => {
    const enc = new TextEncoder();
    const bytes = new Uint8Array([
      ...enc.encode('{"prompt": "a", "reference": "b"}\n{"prompt": "caf'),
      0xe9, // latin-1 é
      ...enc.encode('", "reference": "b"}\n'),
    ]);
    const p = file("latin1.jsonl", bytes);
    expect(() => readJsonl(p)).toThrow(`${p}:2: not valid UTF-8`);
  });

  test("a file with no record is an error, not an empty split", () => {
    expect(() => readJsonl(file("empty.jsonl", ""))).toThrow(/holds no record \(the file is empty\)/);
    expect(() => readJsonl(file("blank.jsonl", "\n  \n"))).toThrow(/holds no record \(only blank lines\)/);
    expect(() => readJsonl(join(dir, "missing.jsonl"))).toThrow(/missing\.jsonl: no such file/);
  });

  test("train with an empty validation file fails before writing the run folder", async () => {
    const run = freshRun();
    const { err } = await cli([
      "train",
      "--train",
      good,
      "--validation",
      file("v.jsonl", "\n"),
      "--run",
      run,
    ]);
    expect(err).toBeInstanceOf(CliDataError);
    expect(existsSync(run)).toBe(false);
  });
});

/** A tiny terminal: applies \r, \n, ESC[2K (clear line), ESC7/ESC8 (save/restore cursor) to a screen. */
function screen(chunks: readonly string[]): string[] {
  const lines: string[] = [""];
  let row = 0;
  let col = 0;
  let saved: [number, number] = [0, 0];
  const text = chunks.join("");
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\x1b") {
      const rest = text.slice(i + 1);
      const m = /^\[(\d*)([A-Za-z])/.exec(rest);
      if (m) {
        const [all, n, cmd] = m as unknown as [string, string, string];
        if (cmd === "K" && n === "2") lines[row] = "";
        else if (cmd === "G") col = Number(n || 1) - 1;
        else if (cmd === "A") row = Math.max(0, row - Number(n || 1));
        i += all.length;
      } else if (rest[0] === "7") {
        saved = [row, col];
        i += 1;
      } else if (rest[0] === "8") {
        [row, col] = saved;
        i += 1;
      } else if (rest[0] === "[") i += /^\[[?\d;]*[A-Za-z]/.exec(rest)?.[0].length ?? 0;
      continue;
    }
    if (c === "\r") col = 0;
    else if (c === "\n") {
      row++;
      col = 0;
      if (lines[row] === undefined) lines[row] = "";
    } else {
      const l = (lines[row] ?? "").padEnd(col);
      lines[row] = l.slice(0, col) + c + l.slice(col + 1);
      col++;
    }
  }
  return lines.filter((l, k) => l !== "" || k < lines.length - 1);
}

describe("terminal output", () => {
  test("log lines go above the bar and the table after it stays intact (fake TTY)", () => {
    const chunks: string[] = [];
    const tty = { isTTY: true, columns: 100, write: (s: string) => chunks.push(s) };
    let t = 0;
    const bar = createProgress(true, tty, () => t);
    bar.start(10, "dqn");
    for (let u = 1; u <= 10; u++) {
      t += 1000;
      bar.update(u, { loss: 0.5 });
      if (u === 5) logAboveProgress("[app] validation @5: 0.1234\n", tty);
    }
    bar.stop();
    logAboveProgress("system      BLEU\nMLE         1.00\n", tty);
    const lines = screen(chunks);
    expect(lines[0]).toBe("[app] validation @5: 0.1234");
    expect(lines[1]).toMatch(/^dqn \[█{30}\] 10\/10 \| ETA 0s \| loss 0\.500$/);
    expect(lines.slice(2)).toEqual(["system      BLEU", "MLE         1.00"]);
  });

  test("no bar when stdout is not a TTY (auto); a non-TTY stream never gets control sequences", () => {
    expect(progressEnabled("auto", {}, { stdout: { isTTY: false }, stderr: { isTTY: true } })).toBe(false);
    expect(progressEnabled("auto", {}, { stdout: { isTTY: true }, stderr: { isTTY: true } })).toBe(true);
    expect(progressEnabled("auto", { CI: "1" }, { stdout: { isTTY: true }, stderr: { isTTY: true } })).toBe(
      false,
    );
    const chunks: string[] = [];
    const pipe = { isTTY: false, write: (s: string) => chunks.push(s) };
    const bar = createProgress(true, pipe, () => 0);
    bar.start(4, "mle");
    bar.update(4, {});
    logAboveProgress("hello\n", pipe);
    bar.stop();
    expect(chunks.join("").includes("\x1b") || chunks.join("").includes("\r")).toBe(false);
    expect(chunks.join("").split("\n")).toContain("hello");
  });
});
