/** Bad inputs to dqnlm-dialogue (issue #14): empty responses are file:line errors; a bad --out fails at once. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataRecordError, EXIT_CODES, generationCli, runTaskCli } from "@dqnlm/appkit";
import { describe, expect, test } from "vitest";
import { loadDialogue } from "./data.js";
import { selectCommand } from "./select-command.js";
import { dialogueTask } from "./task.js";

const dir = mkdtempSync(join(tmpdir(), "dialogue-bad-"));
const cli = generationCli(dialogueTask, "dqnlm-dialogue", { select: selectCommand });

describe("dqnlm-dialogue bad inputs", () => {
  test("an empty response is a file:line error", async () => {
    const d = join(dir, "ds");
    mkdirSync(d);
    const ok = JSON.stringify({ history: ["hi", "hello"], response: "how are you" });
    writeFileSync(join(d, "train.jsonl"), `${ok}\n${JSON.stringify({ history: ["hi"], response: " " })}\n`);
    writeFileSync(join(d, "validation.jsonl"), `${ok}\n`);
    writeFileSync(join(d, "test.jsonl"), `${ok}\n`);
    const e = await loadDialogue({ dataDir: d }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataRecordError);
    expect((e as Error).message).toMatch(
      /train\.jsonl:2: field "response" should be a non-empty string, found " "/,
    );
  });

  test("select --out under a file fails at once with exit 2", async () => {
    const f = join(dir, "a-file");
    writeFileSync(f, "x");
    let err = "";
    const code = await runTaskCli(cli, ["select", "--out", join(f, "run")], {
      stdout: () => {},
      stderr: (t) => (err += t),
    });
    expect(code).toBe(EXIT_CODES.usage);
    expect(err).toMatch(/^error\[DQNLM_APPKIT_BAD_OUTPUT\]: --out .* lies under .*a-file, which is a file/);
  });
});
