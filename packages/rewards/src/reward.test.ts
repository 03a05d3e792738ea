import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsInputError, RewardsOptionError } from "./errors.js";
import {
  bleuReward,
  chrfReward,
  clip,
  normalizeAnswer,
  prefixScores,
  type Reward,
  rouge,
  rougeReward,
  scale,
  sentenceBleu,
  sentenceChrf,
  sentenceTer,
  squad,
  squadEmReward,
  squadF1Reward,
  terReward,
  weightedSum,
} from "./index.js";

const REF = ["the cat sat on the mat"];

describe("built-in rewards", () => {
  test("bleuReward = sentenceBleu / 100 (exp smoothing, effective order); chrfReward = sentenceChrf / 100", () => {
    // sacreBLEU gives 100.00000000000004 here (exp of a mean of logs); the reward is capped at 1
    expect(sentenceBleu("the the", ["the the"]).score).toBeGreaterThan(100);
    expect(bleuReward().score("the the", ["the the"])).toBe(1);
    const hyp = "the cat sat on a mat";
    expect(bleuReward().score(hyp, REF)).toBe(sentenceBleu(hyp, REF).score / 100);
    expect(bleuReward({ tokenize: "char" }).score(hyp, REF)).toBe(
      sentenceBleu(hyp, REF, { tokenize: "char" }).score / 100,
    );
    expect(bleuReward().config.signature).toBe("case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0");
    expect(chrfReward().score(hyp, REF)).toBe(sentenceChrf(hyp, REF).score / 100);
    const pp = chrfReward({ wordOrder: 2 });
    expect(pp.name).toBe("chrf++");
    expect(pp.score(hyp, REF)).toBe(sentenceChrf(hyp, REF, { wordOrder: 2 }).score / 100);
    expect(() => bleuReward({ smooth: "exp" } as never)).toThrow(RewardsOptionError);
  });

  test("bleuReward and chrfReward are incremental, exactly equal to rescoring on every prefix", () => {
    const words = "The cat , sat on the mat ; the dogs ran .".split(" ");
    const prefixes = words.map((_, i) => words.slice(0, i).join(" "));
    for (const r of [
      bleuReward(),
      bleuReward({ lowercase: true, tokenize: "intl" }),
      chrfReward(),
      chrfReward({ wordOrder: 2 }),
    ]) {
      expect(typeof r.incremental).toBe("function");
      const m = prefixScores(r, prefixes, REF);
      for (const [t, p] of prefixes.entries()) expect(m[t]).toBe(r.score(p, REF));
    }
  });

  test("rougeReward = rouge(...)[type][measure]", () => {
    const hyp = "the cat was on a mat";
    expect(rougeReward().score(hyp, REF)).toBe(rouge(hyp, REF).rougeL.fmeasure);
    expect(rougeReward({ type: "rouge2", measure: "recall" }).score(hyp, REF)).toBe(
      rouge(hyp, REF).rouge2.recall,
    );
    const lsum = rougeReward({ type: "rougeLsum", useStemmer: true });
    expect(lsum.score("cats sat\non mats", REF)).toBe(
      rouge("cats sat\non mats", REF, { useStemmer: true }).rougeLsum.fmeasure,
    );
    expect(lsum.incremental).toBeUndefined();
    expect(rougeReward().name).toBe("rougeL.fmeasure");
    expect(rougeReward({ type: "rouge1" }).config.signature).toBe(
      "rouge:1|stem:no|tok:rouge-score|version:0.1.2",
    );
  });

  test("terReward = 1 − min(TER, 100)/100", () => {
    const t = terReward();
    expect(t.score("the cat sat on the mat", REF)).toBe(1);
    expect(t.score("the cat is on the mat", REF)).toBe(
      1 - sentenceTer("the cat is on the mat", REF).score / 100,
    );
    // 9 edits against 7 words: TER 128.6 > 100 → clipped to reward 0
    expect(
      t.score("Three farmers harvest rice out in a rice field.", ["Drei Farmer ernten Reis auf einem Feld."]),
    ).toBe(0);
    expect(t.score("anything", [""])).toBe(0);
    expect(t.config.signature).toBe("case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0");
    expect(() => terReward({ caseSensitiv: true } as never)).toThrow(RewardsOptionError);
  });

  test("SQuAD rewards", () => {
    expect(squadF1Reward().score("Eiffel Tower in Paris", ["Eiffel Tower"])).toBe(
      squad("Eiffel Tower in Paris", ["Eiffel Tower"]).f1,
    );
    expect(squadEmReward().score("the Eiffel tower!", ["Eiffel Tower"])).toBe(1);
    expect(squadEmReward().score("Paris", ["Eiffel Tower"])).toBe(0);
  });

  test("score() checks its arguments", () => {
    const r = rougeReward();
    expect(() => r.score(42 as never, REF)).toThrow(RewardsInputError);
    expect(() => r.score("a", [] as never)).toThrow(RewardsInputError);
    expect(() => rougeReward({ type: "rougeZ" as never })).toThrow(RewardsOptionError);
    expect(() => rougeReward({ measure: "f" as never })).toThrow(/measure/);
  });
});

describe("combinators", () => {
  const r1 = rougeReward({ type: "rouge1" });
  const rl = rougeReward({ type: "rougeL" });
  const hyp = "a cat sat on the mat today";

  test("weightedSum, clip, scale compute what they say", () => {
    const ws = weightedSum([
      [0.25, r1],
      [0.75, rl],
    ]);
    expect(ws.score(hyp, REF)).toBe(0.25 * r1.score(hyp, REF) + 0.75 * rl.score(hyp, REF));
    expect(ws.name).toBe("weightedSum(0.25*rouge1.fmeasure,0.75*rougeL.fmeasure)");
    expect(clip(scale(r1, 10, -5), 0, 1).score(hyp, REF)).toBe(
      Math.min(1, Math.max(0, 10 * r1.score(hyp, REF) - 5)),
    );
    expect(scale(r1, 2).score(hyp, REF)).toBe(2 * r1.score(hyp, REF));
  });

  test("they keep the incremental path only when every part has one", () => {
    expect(
      typeof weightedSum([
        [1, r1],
        [1, rl],
      ]).incremental,
    ).toBe("function");
    expect(
      weightedSum([
        [1, r1],
        [1, terReward()],
      ]).incremental,
    ).toBeUndefined();
    expect(typeof clip(rl, 0, 0.5).incremental).toBe("function");
    expect(scale(squadF1Reward(), 2).incremental).toBeUndefined();
  });

  test("incremental combinators equal rescoring on every prefix", () => {
    const combo = clip(
      scale(
        weightedSum([
          [0.3, r1],
          [0.7, rougeReward({ type: "rouge2", useStemmer: true })],
        ]),
        2,
        -0.1,
      ),
      0,
      1,
    );
    const words = "the cats sat on the mats and the cat sat".split(" ");
    const prefixes = words.map((_, i) => words.slice(0, i).join(" "));
    const m = prefixScores(combo, prefixes, REF);
    for (const [t, p] of prefixes.entries()) expect(m[t]).toBe(combo.score(p, REF));
  });

  test("a custom reward needs no base class", () => {
    const len: Reward = { name: "len", config: {}, score: (h) => Math.min(h.length / 10, 1) };
    expect(
      weightedSum([
        [0.5, len],
        [0.5, r1],
      ]).score("the cat", REF),
    ).toBe(0.5 * 0.7 + 0.5 * r1.score("the cat", REF));
  });

  test("typed errors name the field", () => {
    const fieldOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RewardsOptionError);
        return (e as RewardsOptionError).field;
      }
      return undefined;
    };
    expect(fieldOf(() => weightedSum([]))).toBe("parts");
    expect(fieldOf(() => weightedSum([[Number.NaN, r1]]))).toBe("parts[0][0]");
    expect(
      fieldOf(() =>
        weightedSum([
          [1, r1],
          [1, {} as never],
        ]),
      ),
    ).toBe("parts[1][1]");
    expect(fieldOf(() => clip(r1, 1, 0))).toBe("lo");
    expect(fieldOf(() => scale(r1, "2" as never))).toBe("k");
  });
});

describe("reward properties", () => {
  const vocab = fc.constantFrom("the", "cat", "sat", "on", "mat", "a", "dogs", "Mat.");
  const text = fc.array(vocab, { minLength: 2, maxLength: 12 }).map((w) => w.join(" "));
  const rewards: Reward[] = [
    bleuReward(),
    chrfReward(),
    chrfReward({ wordOrder: 2 }),
    rougeReward(),
    rougeReward({ type: "rouge1", measure: "precision" }),
    rougeReward({ type: "rouge2", useStemmer: true }),
    rougeReward({ type: "rougeLsum" }),
    terReward(),
    squadF1Reward(),
    squadEmReward(),
  ];
  test("built-ins are in [0, 1] and score 1 for hypothesis = reference", () => {
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 1, maxLength: 3 }), (h, refs) => {
        for (const r of rewards) {
          const s = r.score(h, refs);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          // SQuAD F1 is 0 when the answer normalises to nothing (e.g. "the a"), even against itself
          const empty = r.name === "squad.f1" && normalizeAnswer(refs[0]!) === "";
          expect(r.score(refs[0]!, refs)).toBe(empty ? 0 : 1);
        }
      }),
      { seed: 61, numRuns: 150 },
    );
  });

  test("never throw on arbitrary Unicode", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        (h, ref) => {
          for (const r of rewards) expect(Number.isFinite(r.score(h, [ref]))).toBe(true);
        },
      ),
      { seed: 62, numRuns: 200 },
    );
  });
});
