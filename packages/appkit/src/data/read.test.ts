import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DataFormatError,
  DataRecordError,
  DatasetNotFoundError,
  detectFormat,
  findSplitFiles,
  groupParquetBySplit,
  isHubDatasetId,
  loadSplitFiles,
  loadSplits,
  pairMapper,
  readDataset,
  readPairs,
} from "../index.js";

let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const catchError = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "appkit-read-"));
});

describe("readPairs", () => {
  it("reads JSONL with default fields, ids from the record or from file:line, several references", async () => {
    const p = file(
      "a.jsonl",
      '{"id":"x1","source":"s1","target":"t1"}\n\n{"source":"s2","target":["t2","t2b"]}\n',
    );
    const r = await readPairs(p);
    expect(r.format).toBe("jsonl");
    expect(r.items).toEqual([
      { id: "x1", source: "s1", target: "t1", references: ["t1"] },
      { id: "a.jsonl:3", source: "s2", target: "t2", references: ["t2", "t2b"] },
    ]);
    expect(r.skipped).toBe(0);
  });

  it("reads CSV and TSV with configurable field names", async () => {
    const csv = file("b.csv", 'en,de\n"Hello, world",Hallo Welt\nA cat,"Eine ""Katze"""\n');
    const tsv = file("b.tsv", "en\tde\nA dog\tEin Hund\n");
    const fields = { source: "en", target: "de" };
    expect((await readPairs(csv, { fields })).items.map((x) => [x.source, x.target])).toEqual([
      ["Hello, world", "Hallo Welt"],
      ["A cat", 'Eine "Katze"'],
    ]);
    expect((await readPairs(tsv, { fields })).items).toEqual([
      { id: "b.tsv:2", source: "A dog", target: "Ein Hund", references: ["Ein Hund"] },
    ]);
  });

  it("reads a Parquet file written by the test (hyparquet-writer)", async () => {
    const p = join(dir, "c.parquet");
    parquetWriteFile({
      filename: p,
      columnData: [
        { name: "doc", data: ["long text one", "long text two", "three"], type: "STRING" },
        { name: "title", data: ["one", "two", null], type: "STRING", nullable: true },
      ],
    });
    const good = await readPairs(p, { fields: { source: "doc", target: "title" }, skipBadLines: true });
    expect(good.format).toBe("parquet");
    expect(good.items.map((x) => [x.id, x.source, x.target])).toEqual([
      ["c.parquet:1", "long text one", "one"],
      ["c.parquet:2", "long text two", "two"],
    ]);
    // Row 3 has a null title: counted as skipped, with the reason.
    expect(good.skipped).toBe(1);
    expect(good.skippedExamples[0]).toMatchObject({ line: 3 });
    const err = await catchError(readPairs(p, { fields: { source: "doc", target: "title" } }));
    expect(err).toBeInstanceOf(DataRecordError);
    expect((err as DataRecordError).message).toMatch(/c\.parquet:3: field "title" should be .* \(row 3\)/);
  });

  it("names the file and line of malformed JSON and of a missing field", async () => {
    const p = file(
      "bad.jsonl",
      '{"source":"a","target":"b"}\n{"source": "c", "target"\n[1,2]\n{"src":"x"}\n',
    );
    const err = (await catchError(readPairs(p))) as DataRecordError;
    expect(err).toBeInstanceOf(DataRecordError);
    expect(err.code).toBe("DQNLM_APPKIT_BAD_RECORD");
    expect(err.file).toBe(p);
    expect(err.line).toBe(2);
    expect(err.message).toContain(`${p}:2: invalid JSON`);
    expect(err.message).toContain("--skip-bad-lines");

    // The first line alone is fine.
    expect((await readDataset(p, pairMapper(), { limit: 1 })).items).toHaveLength(1);
    const missing = (await catchError(readPairs(file("m.jsonl", '{"src":"x"}\n')))) as DataRecordError;
    expect(missing.field).toBe("source");
    expect(missing.message).toMatch(/m\.jsonl:1: missing field "source" \(fields present: "src"\)/);
  });

  it("skips and counts malformed lines when asked, keeping the good ones", async () => {
    const p = file(
      "bad2.jsonl",
      '{"source":"a","target":"b"}\n{oops\n[1,2]\n{"src":"x"}\n{"source":"c","target":"d"}\n',
    );
    const r = await readPairs(p, { skipBadLines: true });
    expect(r.items.map((x) => x.source)).toEqual(["a", "c"]);
    expect(r.skipped).toBe(3);
    expect(r.skippedExamples.map((s) => s.line)).toEqual([2, 3, 4]);
  });

  it("counts bad CSV records (wrong field count, bad quoting) with their lines", async () => {
    const p = file("bad.csv", 'source,target\na,b\nc,d,e\n"x"y,z\nf,"g\nh",i\nlast,one\n');
    const r = await readPairs(p, { skipBadLines: true });
    expect(r.items.map((x) => x.source)).toEqual(["a", "last"]);
    expect(r.skippedExamples.map((s) => s.line)).toEqual([3, 4, 5]);
    expect(r.skippedExamples[0]?.reason).toMatch(/expected 2 fields \(as in the header\), found 3/);
    const err = (await catchError(readPairs(p))) as DataRecordError;
    expect(err.message).toMatch(/bad\.csv:3: expected 2 fields/);
  });

  it("stops after limit good records", async () => {
    const p = file(
      "many.jsonl",
      Array.from({ length: 10 }, (_, k) => `{"source":"s${k}","target":"t"}`).join("\n"),
    );
    expect((await readPairs(p, { limit: 3 })).items.map((x) => x.source)).toEqual(["s0", "s1", "s2"]);
  });

  it("rejects unknown extensions and unreadable files with a format error", async () => {
    expect(() => detectFormat("x.xlsx")).toThrow(DataFormatError);
    expect(await catchError(readPairs(join(dir, "nope.jsonl")))).toBeInstanceOf(DataFormatError);
    expect(await catchError(readPairs(file("fake.parquet", "not parquet")))).toBeInstanceOf(DataFormatError);
  });
});

describe("splits", () => {
  it("finds split files by name, alias and folder, and loads them with caps", async () => {
    const d = mkdtempSync(join(tmpdir(), "appkit-splits-"));
    writeFileSync(join(d, "train.jsonl"), '{"source":"a","target":"b"}\n{"source":"c","target":"d"}\n');
    writeFileSync(join(d, "dev.csv"), "source,target\ne,f\n");
    writeFileSync(join(d, "test.tsv"), "source\ttarget\ng\th\n");
    writeFileSync(join(d, "README.md"), "ignored");
    const found = findSplitFiles(d);
    expect(found.validation).toEqual([join(d, "dev.csv")]);
    const loaded = await loadSplits(d, pairMapper(), { limits: { train: 1 } });
    expect(loaded.splits.train.map((x) => x.source)).toEqual(["a"]);
    expect(loaded.splits.validation.map((x) => x.source)).toEqual(["e"]);
    expect(loaded.splits.test.map((x) => x.target)).toEqual(["h"]);
  });

  it("says which split is missing", async () => {
    const d = mkdtempSync(join(tmpdir(), "appkit-splits-"));
    writeFileSync(join(d, "train.jsonl"), '{"source":"a","target":"b"}\n');
    const err = (await catchError(loadSplits(d, pairMapper()))) as DatasetNotFoundError;
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    expect(err.message).toMatch(/has no validation\/test split file/);
    expect(() => findSplitFiles(join(d, "absent"))).toThrow(/does not exist/);
  });

  it("loads a Hugging Face style Parquet layout (data/<split>-00000-of-00001.parquet) written by the test", async () => {
    const d = mkdtempSync(join(tmpdir(), "appkit-hf-"));
    mkdirSync(join(d, "data"));
    const write = (name: string, docs: string[], titles: string[]) =>
      parquetWriteFile({
        filename: join(d, "data", name),
        columnData: [
          { name: "document", data: docs, type: "STRING" },
          { name: "summary", data: titles, type: "STRING" },
        ],
      });
    write("train-00000-of-00002.parquet", ["d1", "d2"], ["s1", "s2"]);
    write("train-00001-of-00002.parquet", ["d3"], ["s3"]);
    write("validation-00000-of-00001.parquet", ["v1"], ["vs1"]);
    write("test-00000-of-00001.parquet", ["t1"], ["ts1"]);
    const files = findSplitFiles(d);
    expect(files.train.map((f) => f.slice(d.length + 1))).toEqual([
      "data/train-00000-of-00002.parquet",
      "data/train-00001-of-00002.parquet",
    ]);
    const loaded = await loadSplitFiles(
      "hf://datasets/test/local",
      files,
      pairMapper({ source: "document", target: "summary" }),
    );
    expect(loaded.splits.train.map((x) => [x.source, x.target])).toEqual([
      ["d1", "s1"],
      ["d2", "s2"],
      ["d3", "s3"],
    ]);
    expect(loaded.splits.test[0]).toEqual({
      id: "test-00000-of-00001.parquet:1",
      source: "t1",
      target: "ts1",
      references: ["ts1"],
    });
    expect(loaded.dir).toBe("hf://datasets/test/local");
  });

  it("groups Hugging Face Parquet layouts by split and recognises dataset ids", () => {
    const g = groupParquetBySplit([
      "README.md",
      "data/train-00000-of-00002.parquet",
      "data/train-00001-of-00002.parquet",
      "data/validation-00000-of-00001.parquet",
      "data/test-00000-of-00001.parquet",
    ]);
    expect(g.files.train).toHaveLength(2);
    expect(g.files.validation).toEqual(["data/validation-00000-of-00001.parquet"]);
    const conv = groupParquetBySplit([
      "default/train/0000.parquet",
      "default/test/0000.parquet",
      "other/train/0000.parquet",
    ]);
    expect(conv).toEqual({
      config: "default",
      files: { train: ["default/train/0000.parquet"], validation: [], test: ["default/test/0000.parquet"] },
    });
    expect(isHubDatasetId("EdinburghNLP/xsum")).toBe(true);
    expect(isHubDatasetId("hf://datasets/wmt/wmt16")).toBe(true);
    expect(isHubDatasetId("./data/summarize")).toBe(false);
    expect(isHubDatasetId("../shared/data")).toBe(false);
    expect(isHubDatasetId("/abs/path")).toBe(false);
  });
});
