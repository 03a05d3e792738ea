import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDialogue } from "./data.js";

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "dialogue-data-"));
  const row = (i: number) => ({
    turns: ["Hi, I need a table.", "Where?", `In town ${i}.`],
    reply: "Booked!",
    id: `d${i}`,
  });
  writeFileSync(join(dir, "train.jsonl"), `${[1, 2].map((i) => JSON.stringify(row(i))).join("\n")}\n[1,2]\n`);
  writeFileSync(
    join(dir, "validation.tsv"),
    "id\tturns\treply\nv1\tHello ||| Hi, how can I help? ||| A taxi please.\tWhere to?\n",
  );
  writeFileSync(join(dir, "test.jsonl"), `${JSON.stringify(row(9))}\n`);
  return dir;
}

describe("loadDialogue (appkit readers, configurable fields)", () => {
  const fields = { history: "turns", response: "reply" };

  it("reads list histories from JSONL and ' ||| '-joined ones from TSV, counting a skipped bad line", async () => {
    const d = await loadDialogue({ dataDir: folder(), fields, skipBadLines: true });
    expect(d.skipped).toBe(1);
    expect(d.splits.train.map((e) => e.history.length)).toEqual([3, 3]);
    expect(d.splits.validation[0]).toEqual({
      id: "v1",
      history: ["Hello", "Hi, how can I help?", "A taxi please."],
      response: "Where to?",
    });
  });

  it("throws a data error naming the file when a record is malformed", async () => {
    await expect(loadDialogue({ dataDir: folder(), fields })).rejects.toThrow(/train\.jsonl/);
  });

  it("demonstration histories end on a user turn (even count of earlier turns)", async () => {
    const d = await loadDialogue({ limits: { train: 50 } });
    for (const e of d.splits.train) expect(e.history.length % 2).toBe(1);
  });
});
