/**
 * The port against NLTK 3.8 itself: `porter-nltk38.tsv` holds 2,535 words (rule-targeted suffix combinations,
 * the irregular forms, the examples of Porter's paper and random letter strings) with the stems printed by NLTK
 * 3.8's `PorterStemmer(mode).stem(word)` in each of its three modes. (Checked further, outside the suite, on
 * the 155,725 distinct [a-z0-9]+ words of ../shared/data plus random strings: no difference in any mode.)
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type PorterMode, PorterStemmer } from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const rows = readFileSync(resolve(here, "porter-nltk38.tsv"), "utf8")
  .split("\n")
  .filter((l) => l.length > 0 && !l.startsWith("#"))
  .map((l) => l.split("\t"));

describe("PorterStemmer equals NLTK 3.8 word for word", () => {
  test("the vector file is complete", () => {
    expect(rows.length).toBe(2535);
    for (const r of rows) expect(r.length).toBe(4);
  });

  const modes: PorterMode[] = ["NLTK_EXTENSIONS", "MARTIN_EXTENSIONS", "ORIGINAL_ALGORITHM"];
  test.each(modes.map((m, i) => [m, i + 1] as const))("%s", (mode, col) => {
    const s = new PorterStemmer(mode);
    const wrong = rows
      .filter((r) => s.stem(r[0]!) !== r[col])
      .map((r) => `${r[0]}: ${s.stem(r[0]!)} ≠ ${r[col]}`);
    expect(wrong).toEqual([]);
  });
});
