import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadQa } from "./data.js";

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "qa-data-"));
  const row = (i: number) => ({
    qid: `q${i}`,
    passage: `Paris is in France. It has ${i} bridges.`,
    q: "Where is Paris?",
    gold: ["France"],
  });
  writeFileSync(
    join(dir, "train.jsonl"),
    `${[1, 2, 3].map((i) => JSON.stringify(row(i))).join("\n")}\n{"qid": "bad"\n`,
  );
  writeFileSync(
    join(dir, "validation.csv"),
    'qid,passage,q,gold\nv1,"Rome is in Italy.",Where is Rome?,Italy\n',
  );
  writeFileSync(join(dir, "test.jsonl"), `${JSON.stringify(row(9))}\n`);
  return dir;
}

describe("loadQa (appkit readers, configurable fields)", () => {
  const fields = { context: "passage", question: "q", answers: "gold", id: "qid" };

  it("reads JSONL and CSV splits with custom field names, skipping and counting a malformed line", async () => {
    const d = await loadQa({ dataDir: folder(), fields, skipBadLines: true });
    expect(d.skipped).toBe(1);
    expect(d.splits.train.map((e) => e.id)).toEqual(["q1", "q2", "q3"]);
    expect(d.splits.validation[0]).toEqual({
      id: "v1",
      context: "Rome is in Italy.",
      question: "Where is Rome?",
      answers: ["Italy"],
    });
    expect(d.splits.test[0]!.answers).toEqual(["France"]);
  });

  it("names the file and line of a malformed record when not skipping", async () => {
    await expect(loadQa({ dataDir: folder(), fields })).rejects.toThrow(/train\.jsonl.*4|line 4/s);
  });

  it("falls back to the demonstration data without a folder", async () => {
    const d = await loadQa({ limits: { train: 5 } });
    expect(d.demo).toBe(true);
    expect(d.splits.train).toHaveLength(5);
    for (const e of d.splits.test) for (const a of e.answers) expect(e.context).toContain(a);
  });
});
