import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsOptionError } from "./errors.js";
import { type RougeType, rouge, rougeLIncremental, rougeNIncremental } from "./index.js";

type Measure = "fmeasure" | "precision" | "recall";

/** Rescoring: the value the incremental scorer must reproduce exactly. */
function rescore(
  text: string,
  refs: readonly string[],
  type: RougeType,
  useStemmer: boolean,
  measure: Measure,
): number {
  return rouge(text, refs, { rougeTypes: [type], useStemmer })[type][measure];
}

/** Pushes `pieces` one by one and checks every intermediate score against rescoring (exact equality). */
function checkAllPrefixes(
  pieces: readonly string[],
  refs: readonly string[],
  type: RougeType,
  useStemmer: boolean,
  measure: Measure,
): number {
  const scorer =
    type === "rougeL"
      ? rougeLIncremental(refs, { useStemmer, measure })
      : rougeNIncremental(refs, { n: Number(type.slice(5)), useStemmer, measure });
  expect(scorer.score).toBe(rescore("", refs, type, useStemmer, measure));
  let text = "";
  let checked = 0;
  for (const p of pieces) {
    text += p;
    const got = scorer.push(p);
    const want = rescore(text, refs, type, useStemmer, measure);
    if (got !== want)
      throw new Error(
        `${type} ${measure} stem=${useStemmer} after ${JSON.stringify(text)}: ${got} ≠ ${want}`,
      );
    expect(scorer.score).toBe(got);
    checked++;
  }
  scorer.reset();
  expect(scorer.score).toBe(rescore("", refs, type, useStemmer, measure));
  return checked;
}

describe("incremental ROUGE equals rescoring", () => {
  test("worked example", () => {
    const s = rougeNIncremental(["the cat sat on the mat"], { n: 2 });
    expect(s.score).toBe(0);
    // "the cat": 1 bigram, shared; target has 5 → P = 1, R = 1/5, F = 2·1·0.2/1.2
    expect(s.push("the cat")).toBe((2 * 1 * 0.2) / 1.2);
    // " sa" opens a token: the provisional token "sa" makes bigram "cat sa", which is not shared
    expect(s.push(" sa")).toBe(
      rescore("the cat sa", ["the cat sat on the mat"], "rouge2", false, "fmeasure"),
    );
    expect(s.push("t")).toBe(rescore("the cat sat", ["the cat sat on the mat"], "rouge2", false, "fmeasure"));
  });

  test("a piece may split a token, hold several tokens, or be only punctuation", () => {
    const refs = ["Running dogs ran home.", "The dog runs"];
    const pieces = ["The", " run", "ning", " do", "gs", "!!", " ", "r", "an ho", "me", ".", "\n", "DOG", "S"];
    for (const type of ["rouge1", "rouge2", "rouge3", "rougeL"] as const) {
      for (const useStemmer of [false, true]) {
        for (const measure of ["fmeasure", "precision", "recall"] as const) {
          expect(checkAllPrefixes(pieces, refs, type, useStemmer, measure)).toBe(pieces.length);
        }
      }
    }
  });

  test("random texts split at random points (fast-check)", () => {
    const word = fc.constantFrom(
      "the",
      "cats",
      "cat",
      "running",
      "ran",
      "on",
      "a",
      "mat",
      "Mat,",
      "dogs",
      "é",
      "İt",
      "x1",
    );
    const text = fc.array(word, { maxLength: 14 }).map((w) => w.join(" "));
    fc.assert(
      fc.property(
        text,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.array(text, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<RougeType>("rouge1", "rouge2", "rouge4", "rougeL"),
        fc.boolean(),
        (hyp, cuts, refs, type, useStemmer) => {
          const pieces: string[] = [];
          let i = 0;
          for (const c of cuts) {
            if (i >= hyp.length) break;
            pieces.push(hyp.slice(i, i + c));
            i += c;
          }
          if (i < hyp.length) pieces.push(hyp.slice(i));
          checkAllPrefixes(pieces, refs, type, useStemmer, "fmeasure");
        },
      ),
      { seed: 31, numRuns: 300 },
    );
  });

  test("options are checked", () => {
    expect(() => rougeNIncremental(["a"], { n: 0 })).toThrow(RewardsOptionError);
    expect(() => rougeNIncremental(["a"], { n: 10 })).toThrow(/1 to 9/);
    expect(() => rougeLIncremental(["a"], { measure: "f1" as never })).toThrow(RewardsOptionError);
    expect(() => rougeLIncremental(["a"], { n: 2 } as never)).toThrow(RewardsOptionError);
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const dataPath = resolve(here, "../../../../shared/data/summarize/validation.jsonl");
const haveData = existsSync(dataPath);
if (!haveData) {
  console.warn(
    `[rewards] SKIPPING incremental ROUGE on real texts: ${dataPath} not found (../shared is absent).`,
  );
}

describe.skipIf(!haveData)("incremental ROUGE on real summarize texts (../shared/data/summarize)", () => {
  test("every word-by-word prefix of 40 abstract lead sentences vs their titles, ROUGE-1/2/L, with and without stemming", () => {
    const rows = readFileSync(dataPath, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .slice(0, 40)
      .map((l) => JSON.parse(l) as { source: string; target: string });
    let checked = 0;
    for (const { source, target } of rows) {
      // the hypothesis is the first ~30 words of the abstract, pushed as " word" pieces like a decoder would
      const words = source.split(" ").slice(0, 30);
      const pieces = words.map((w, i) => (i === 0 ? w : ` ${w}`));
      for (const type of ["rouge1", "rouge2", "rougeL"] as const) {
        for (const useStemmer of [false, true])
          checked += checkAllPrefixes(pieces, [target], type, useStemmer, "fmeasure");
      }
    }
    expect(checked).toBeGreaterThan(40 * 6 * 15);
  });
});
