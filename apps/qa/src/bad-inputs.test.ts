/**
 * Bad inputs to dqnlm-qa (issue #14): empty answers/questions are file:line errors, a bad --out fails before
 * any work with exit 2, and the executable prints one line plus a hint (no stack trace).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataRecordError, EXIT_CODES, generationCli, runTaskCli } from "@dqnlm/appkit";
import { describe, expect, test } from "vitest";
import { loadQa } from "./data.js";
import { selectCommand } from "./select-command.js";
import { spansCommand } from "./spans-command.js";
import { qaTask } from "./task.js";

const dir = mkdtempSync(join(tmpdir(), "qa-bad-"));
const cli = generationCli(qaTask, "dqnlm-qa", { select: selectCommand, "eval-spans": spansCommand });
const rec = (q: string, a: unknown) =>
  JSON.stringify({ context: "the cat sat on the mat", question: q, answers: a });

describe("dqnlm-qa bad inputs", () => {
  test("an empty answer or question is a file:line error", async () => {
    const d = join(dir, "ds");
    mkdirSync(d);
    writeFileSync(join(d, "train.jsonl"), `${rec("who sat?", ["the cat"])}\n${rec("where?", [""])}\n`);
    writeFileSync(join(d, "validation.jsonl"), `${rec("  ", ["mat"])}\n`);
    writeFileSync(join(d, "test.jsonl"), `${rec("who?", "cat")}\n`);
    const e = await loadQa({ dataDir: d }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataRecordError);
    expect((e as DataRecordError).message).toMatch(
      /train\.jsonl:2: field "answers" should be at least one non-empty string, found \[""\]/,
    );
    const e2 = await loadQa({ dataDir: d, skipBadLines: true }).catch((x: unknown) => x);
    expect((e2 as Error).message).toMatch(/the validation split has no usable record/);
  });

  test("select --out that is a file fails at once with exit 2", async () => {
    const f = join(dir, "a-file");
    writeFileSync(f, "x");
    let err = "";
    const code = await runTaskCli(cli, ["select", "--out", f], {
      stdout: () => {},
      stderr: (t) => (err += t),
    });
    expect(code).toBe(EXIT_CODES.usage);
    expect(err).toMatch(/^error\[DQNLM_APPKIT_BAD_OUTPUT\]: --out .*a-file is a file, not a folder/);
  });

  test("the executable: an unknown option is one line naming the nearest one, exit 2", () => {
    const src = dirname(fileURLToPath(import.meta.url));
    const r = spawnSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(src, "cli.ts"), "train", "--dqn-updtes", "3"],
      { encoding: "utf8", cwd: join(src, "..") },
    );
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(r.stderr).toBe(
      'error[DQNLM_APPKIT_BAD_OPTION]: Invalid --dqn-updtes: expected a known option, received "--dqn-updtes". Did you mean --dqn-updates? Run with --help for the options.\n',
    );
  }, 60_000);
});
