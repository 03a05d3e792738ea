/**
 * Bad inputs to the task CLIs and data readers (issue #14): each gets a typed error naming the option, key or
 * file:line, exit code ≠ 0 and no stack trace, and nothing is written first. No training happens here.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { toyArgs, toyTask } from "./__fixtures__/toy-task.js";
import {
  type CliCommand,
  DataRecordError,
  EmptySplitError,
  EXIT_CODES,
  generationCli,
  loadSplits,
  OutputPathError,
  pairMapper,
  parseOptions,
  RunFolder,
  readPairs,
  runTaskCli,
  TRAIN_OPTIONS,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "appkit-bad-"));
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cli = generationCli(toyTask, "dqnlm-toy");
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runTaskCli(cli, argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe("options and config files", () => {
  test("an unknown option names the nearest valid one", () => {
    expect(() => parseOptions(["--dqn-updtes", "3"], TRAIN_OPTIONS)).toThrow(
      'Invalid --dqn-updtes: expected a known option, received "--dqn-updtes". Did you mean --dqn-updates? Run with --help for the options.',
    );
  });

  test("an option without its value says so", () => {
    expect(() => parseOptions(["--out"], TRAIN_OPTIONS)).toThrow(
      /^Invalid --out: expected a value after --out/,
    );
  });

  test("an empty config file, and an unknown key with the nearest one", () => {
    expect(() => parseOptions(["--config", file("empty.json", " \n")], TRAIN_OPTIONS)).toThrow(
      /empty\.json: the config file is empty; expected a JSON object/,
    );
    expect(() => parseOptions(["--config", file("typo.json", '{"dqnUpdtes": 3}')], TRAIN_OPTIONS)).toThrow(
      /unknown key "dqnUpdtes"; did you mean "dqnUpdates"\?/,
    );
  });

  test("a misspelled trainer key fails before anything is written (exit 2)", async () => {
    const out = join(dir, "typo-run");
    const cfg = file("trainer-typo.json", JSON.stringify({ trainer: { dqn: { updtes: 5 } } }));
    const r = await run([...toyArgs(out), "--config", cfg]);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.err).toMatch(
      /^error\[DQNLM_CONFIG_INVALID\]: config\.dqn\.updtes: unknown option "updtes" in dqn\. Did you mean "updates"\?/,
    );
    expect(existsSync(out)).toBe(false);
  });

  test("an unknown command names the nearest one", async () => {
    const r = await run(["trian"]);
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.err).toMatch(/unknown command "trian"; did you mean "train"\?/);
  });

  test("an unexpected error is one line and a hint, never a stack trace", async () => {
    const boom: CliCommand = {
      summary: "throws",
      options: [],
      run: async () => {
        throw new TypeError("boom");
      },
    };
    let err = "";
    const code = await runTaskCli({ bin: "x", description: "", commands: { boom } }, ["boom"], {
      stdout: () => {},
      stderr: (t) => (err += t),
    });
    expect(code).toBe(EXIT_CODES.failure);
    expect(err).toBe(
      "error[DQNLM_UNEXPECTED]: boom\n  This is unexpected; rerun with DQNLM_DEBUG=1 for the stack trace and report it.\n",
    );
  });
});

describe("data files", () => {
  const enc = new TextEncoder();
  const latin1 = (prefix: string, suffix: string) =>
    new Uint8Array([...enc.encode(prefix), 0xe9, ...enc.encode(suffix)]);

  test("invalid UTF-8 in JSONL and CSV is a file:line error, even with skipBadLines", async () => {
    const j = file(
      "latin1.jsonl",
      latin1('{"source": "a", "target": "b"}\n{"source": "caf', '", "target": "b"}\n'),
    );
    await expect(readPairs(j)).rejects.toThrow(`${j}:2: not valid UTF-8`);
    await expect(readPairs(j, { skipBadLines: true })).rejects.toBeInstanceOf(DataRecordError);
    const c = file("latin1.csv", latin1("source,target\na,b\nx,y\ncaf", ",b\n"));
    await expect(readPairs(c)).rejects.toThrow(`${c}:4: not valid UTF-8`);
  });

  test("records with an empty target (and source) are rejected, or skipped and counted", async () => {
    const p = file(
      "empty-rec.jsonl",
      '{"source": "a", "target": "b"}\n{"source": "", "target": ""}\n{"source": "x", "target": ["  "]}\n',
    );
    await expect(readPairs(p)).rejects.toThrow(
      /empty-rec\.jsonl:2: field "target" should be at least one non-empty string, found \[""\]/,
    );
    const r = await readPairs(p, { skipBadLines: true });
    expect(r.items.map((e) => e.source)).toEqual(["a"]);
    expect(r.skipped).toBe(2);
    expect(r.skippedExamples[1]?.reason).toMatch(/field "target" should be at least one non-empty string/);
  });

  test("a JSONL line that is null or not an object is a file:line error", async () => {
    const p = file("null.jsonl", '{"source": "a", "target": "b"}\nnull\n3\n');
    await expect(readPairs(p)).rejects.toThrow(
      /null\.jsonl:2: expected a JSON object per line, found "null"/,
    );
  });

  test("a split with no usable record is an error naming the split", async () => {
    const d = join(dir, "ds");
    mkdirSync(d);
    writeFileSync(join(d, "train.jsonl"), '{"source": "a", "target": "b"}\n');
    writeFileSync(join(d, "validation.jsonl"), '{"source": "a", "target": "b"}\n');
    writeFileSync(join(d, "test.jsonl"), '{"source": "a"}\n\n{"text": 1}\n');
    const e = await loadSplits(d, pairMapper(), { skipBadLines: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EmptySplitError);
    expect((e as Error).message).toMatch(
      /the test split has no usable record \(.*test\.jsonl: all 2 records were malformed and skipped\)/,
    );
    writeFileSync(join(d, "test.jsonl"), "\n");
    const r = await run([...toyArgs(join(dir, "empty-split-run")), "--data-dir", d]);
    expect(r.code).toBe(EXIT_CODES.data);
    expect(r.err).toMatch(
      /^error\[DQNLM_APPKIT_EMPTY_SPLIT\]: dataset .*ds: the test split has no usable record/,
    );
    expect(existsSync(join(dir, "empty-split-run"))).toBe(false);
  });
});

describe("output folders", () => {
  test("--out that is a file or under a file: typed error, exit 2, no stack trace, nothing written", async () => {
    const f = file("a-file", "x");
    for (const out of [f, join(f, "sub")]) {
      const r = await run(toyArgs(out));
      expect(r.code).toBe(EXIT_CODES.usage);
      expect(r.err).toMatch(/^error\[DQNLM_APPKIT_BAD_OUTPUT\]: --out /);
      expect(r.err).toMatch(/is a file, not a folder|which is a file, so the folder cannot be created/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(() => new RunFolder(join(f, "x"))).toThrow(OutputPathError);
  });

  test("--out in a read-only place: typed error", async () => {
    let place: string | undefined;
    if (process.getuid?.() !== 0) {
      place = join(dir, "ro");
      mkdirSync(place);
      chmodSync(place, 0o555);
    } else if (existsSync("/sys")) place = "/sys"; // root ignores file modes; sysfs refuses new folders
    if (place === undefined) {
      console.warn("appkit bad-inputs: no read-only folder on this machine; read-only --out case skipped");
      return;
    }
    const r = await run(toyArgs(join(place, "run")));
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.err).toMatch(/^error\[DQNLM_APPKIT_BAD_OUTPUT\]: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
