/**
 * Every bad input `dqnlm-score` can meet gets one line naming the problem (file:line where there is one), a
 * stable error code, exit status ≠ 0 and no stack trace. In process through `runCli`, plus one spawned run to
 * check the real entry point's exit status and stderr.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-main.js";
import { corpusBleu } from "./index.js";

const enc = new TextEncoder();
const FILES: Record<string, Uint8Array> = {
  "ref.txt": enc.encode("the cat sat on the mat\na dog runs\n"),
  "hyp.txt": enc.encode("the cat sat\na dog\n"),
  "short.txt": enc.encode("one line only\n"),
  "empty.txt": new Uint8Array(0),
  "latin1.txt": Uint8Array.from([...enc.encode("fine line\ncaf"), 0xe9, 0x0a]),
  "hyp.jsonl": enc.encode('{"text": "the cat sat"}\n{"text": "a dog"}\n'),
  "null.jsonl": enc.encode('{"text": "the cat sat"}\nnull\n'),
  "array.jsonl": enc.encode('[1, 2]\n{"text": "a dog"}\n'),
  "number.jsonl": enc.encode('{"text": "the cat sat"}\n42\n'),
  "emptyrec.jsonl": enc.encode('{"text": "the cat sat"}\n{}\n'),
  "nofield.jsonl": enc.encode('{"text": "the cat sat"}\n{"hyp": "a dog"}\n'),
  "badjson.jsonl": enc.encode('{"text": "the cat sat"}\n{"text": "a dog"\n'),
  "blank.jsonl": enc.encode('{"text": "the cat sat"}\n\n{"text": "a dog"}\n'),
  "empty.jsonl": new Uint8Array(0),
  "badutf8.jsonl": Uint8Array.from([
    ...enc.encode('{"text": "ok"}\n{"text": "caf'),
    0xc3,
    0x28,
    ...enc.encode('"}\n'),
  ]),
  "tabs.txt": enc.encode("the cat\tthe cat sat\na dog\n"),
};
const io = {
  readFile: (p: string): Uint8Array => {
    const f = FILES[p];
    if (f === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return f;
  },
  readStdin: (): Uint8Array => FILES["hyp.txt"] as Uint8Array,
};

const DATA = "DQNLM_REWARDS_BAD_DATA";
const cases: [string, string[], string][] = [
  [
    "invalid UTF-8 in a text file",
    ["ref.txt", "-i", "latin1.txt"],
    `latin1.txt:2: invalid UTF-8; dqnlm-score reads UTF-8 text only (convert it, e.g. \`iconv -f latin1 -t utf-8\`). [${DATA}, field latin1.txt:2]`,
  ],
  [
    "invalid UTF-8 in a JSONL record",
    ["ref.txt", "-i", "badutf8.jsonl"],
    `badutf8.jsonl:2: invalid UTF-8; dqnlm-score reads UTF-8 text only (convert it, e.g. \`iconv -f latin1 -t utf-8\`). [${DATA}, field badutf8.jsonl:2]`,
  ],
  [
    "a JSONL line that is null",
    ["ref.txt", "-i", "null.jsonl"],
    `null.jsonl:2: expected a JSON object like {"text": "…"}, received null. [${DATA}, field null.jsonl:2]`,
  ],
  [
    "a JSONL line that is an array",
    ["ref.txt", "-i", "array.jsonl"],
    `array.jsonl:1: expected a JSON object like {"text": "…"}, received an array. [${DATA}, field array.jsonl:1]`,
  ],
  [
    "a JSONL line that is a number",
    ["ref.txt", "-i", "number.jsonl"],
    `number.jsonl:2: expected a JSON object like {"text": "…"}, received number. [${DATA}, field number.jsonl:2]`,
  ],
  [
    "an empty record",
    ["ref.txt", "-i", "emptyrec.jsonl"],
    `emptyrec.jsonl:2: empty record {}; expected {"text": "…"}. [${DATA}, field emptyrec.jsonl:2]`,
  ],
  [
    "a record without the text field",
    ["ref.txt", "-i", "nofield.jsonl"],
    `nofield.jsonl:2: field "text" must be a string, received no such field (keys: hyp); pick one with --field. [${DATA}, field nofield.jsonl:2]`,
  ],
  ["a line that is not JSON", ["ref.txt", "-i", "badjson.jsonl"], `badjson.jsonl:2: not valid JSON (`],
  [
    "a blank line in JSONL",
    ["ref.txt", "-i", "blank.jsonl"],
    `blank.jsonl:2: empty line; every line of a .jsonl file must be one record. [${DATA}, field blank.jsonl:2]`,
  ],
  [
    "an empty JSONL file",
    ["ref.txt", "-i", "empty.jsonl"],
    `empty.jsonl: no records; the file is empty. [${DATA}, field empty.jsonl]`,
  ],
  [
    "an empty hypothesis file",
    ["ref.txt", "-i", "empty.txt"],
    `empty.txt: no records; the file is empty. [${DATA}, field empty.txt]`,
  ],
  [
    "an empty reference file",
    ["empty.txt", "-i", "hyp.txt"],
    `empty.txt: no records; the file is empty. [${DATA}, field empty.txt]`,
  ],
  [
    "misaligned reference file",
    ["short.txt", "-i", "hyp.txt"],
    `short.txt has 1 lines but there are 2 hypotheses; files must be line-aligned. [${DATA}, field short.txt]`,
  ],
  [
    "misaligned systems",
    ["ref.txt", "-i", "hyp.txt", "short.txt", "--paired-bs"],
    `short.txt has 1 lines but hyp.txt has 2; systems must be line-aligned. [${DATA}, field short.txt]`,
  ],
  [
    "too few tab-separated references",
    ["tabs.txt", "-nr", "2", "-i", "hyp.txt"],
    `tabs.txt:2: expected 2 tab-separated references (--num-refs), found 1. [${DATA}, field tabs.txt:2]`,
  ],
  ["a missing file", ["ref.txt", "-i", "nope.txt"], "ENOENT: no such file or directory, open 'nope.txt'"],
  [
    "a bad option value",
    ["ref.txt", "-i", "hyp.txt", "-tok", "13b"],
    'unknown BLEU tokenizer "13b"; expected one of "13a", "intl", "char", "none", "zh" (sacreBLEU\'s ja-mecab, ko-mecab and spm are not available). Example: { tokenize: "13a" }. [DQNLM_REWARDS_BAD_OPTION, field tokenize]',
  ],
];

describe("dqnlm-score: bad data exits 1 with one line, the code and the field", () => {
  for (const [what, argv, message] of cases) {
    it(what, () => {
      const r = runCli(argv, io);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.startsWith(`dqnlm-score: error: ${message}`)).toBe(true);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});

const usage: [string, string[], string][] = [
  ["an unknown flag", ["ref.txt", "--updtes", "2"], "unknown option --updtes"],
  ["a flag missing its value", ["ref.txt", "-w"], "--width expects a value"],
  ["a bad format", ["ref.txt", "-f", "xml"], '--format expects text or json, got "xml"'],
  ["no reference file", ["-f", "json"], "give at least one reference file (before -i, as sacreBLEU expects)"],
  [
    "a paired test with one system",
    ["ref.txt", "-i", "hyp.txt", "--paired-bs"],
    "paired tests require several systems given to --input (-i), the baseline first",
  ],
  [
    "both paired tests",
    ["ref.txt", "-i", "hyp.txt", "hyp.jsonl", "-pbs", "-par"],
    "--paired-bs and --paired-ar are mutually exclusive",
  ],
  [
    "--confidence with several systems",
    ["ref.txt", "-i", "hyp.txt", "hyp.jsonl", "-ci"],
    "use a paired test (--paired-bs or --paired-ar) for several systems",
  ],
  [
    "sentence level with two metrics",
    ["ref.txt", "-sl", "-m", "bleu", "chrf"],
    "only one metric can be used in sentence-level mode (-sl)",
  ],
  [
    "a bad resample count",
    ["ref.txt", "-pbsn", "0"],
    '--paired-bs-n expects an integer from 1 to 10000000, got "0"',
  ],
];

describe("dqnlm-score: usage errors exit 2 with one line and the hint, not the whole help", () => {
  for (const [what, argv, message] of usage) {
    it(what, () => {
      const r = runCli(argv, io);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`dqnlm-score: error: ${message}\nRun \`dqnlm-score --help\` for the options.\n`);
    });
  }
});

describe("dqnlm-score: JSONL input that is fine", () => {
  it("reads the text field of each record, and reference arrays as several references", () => {
    const files: Record<string, Uint8Array> = {
      ...FILES,
      "refs.jsonl": enc.encode(
        '{"answers": ["the cat sat on the mat", "a cat sat"]}\n{"answers": ["a dog runs"]}\n',
      ),
      "hyp2.jsonl": enc.encode('{"answers": "the cat sat"}\n{"answers": "a dog"}\n'),
    };
    const r = runCli(
      ["refs.jsonl", "-i", "hyp2.jsonl", "--field", "answers", "-m", "bleu", "-b", "-w", "4"],
      {
        ...io,
        readFile: (p) => files[p] as Uint8Array,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const b = corpusBleu(["the cat sat", "a dog"], [["the cat sat on the mat", "a cat sat"], ["a dog runs"]]);
    expect(r.stdout).toBe(`${b.score.toFixed(4)}\n`);
  });
});

describe("dqnlm-score spawned: exit status and stderr of the real entry point", () => {
  it("invalid UTF-8 on stdin exits 1 with <stdin>:line and no stack trace", () => {
    const PKG = fileURLToPath(new URL("..", import.meta.url));
    const r = spawnSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "src/cli.ts", "examples/ref.txt"],
      {
        cwd: PKG,
        input: Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]),
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      `dqnlm-score: error: <stdin>:2: invalid UTF-8; dqnlm-score reads UTF-8 text only (convert it, e.g. \`iconv -f latin1 -t utf-8\`). [${DATA}, field <stdin>:2]\n`,
    );
  });
});
