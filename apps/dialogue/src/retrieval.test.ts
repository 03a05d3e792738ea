import { Rng } from "@dqnlm/core";
import { describe, expect, it } from "vitest";
import { dialogueEpisode } from "./features.js";
import { type DialogueExample, ResponseIndex, responseKey } from "./retrieval.js";

const train = [
  "Which city should I search in?",
  "Which city are you looking in?",
  "What kind of food would you like?",
  "I found 3 Italian restaurants in Marlow. How about Casa Verde?",
  "Your table at Casa Verde is booked for 7 pm.",
  "Have a great day!",
  "have a great day!  ",
  "The movie starts at 8 pm at the Regal.",
  "Do you want to buy tickets for the movie?",
  "Is there anything else I can help with?",
];

const ex: DialogueExample = {
  id: "t1",
  history: ["I want to eat out.", "What kind of food would you like?", "Italian food in Marlow, please."],
  response: "How about Casa Verde, an Italian restaurant in Marlow?",
};

describe("ResponseIndex (MiniSearch BM25+ over training responses)", () => {
  it("deduplicates training responses by case/whitespace", () => {
    expect(new ResponseIndex(train).size).toBe(9);
  });

  it("returns the true response among K candidates, with K−1 retrieved distinct others", () => {
    const index = new ResponseIndex(train);
    index.addScoredOnly(ex.response);
    const { candidates, truth } = index.candidates(ex, 4, new Rng(1));
    expect(candidates).toHaveLength(4);
    expect(candidates[truth]!.text).toBe(ex.response);
    const keys = candidates.map((c) => responseKey(c.text));
    expect(new Set(keys).size).toBe(4);
    // BM25+ retrieves the responses sharing the last user turn's rare words ("Italian", "Marlow", "food").
    const others = candidates.filter((_, i) => i !== truth).map((c) => c.text);
    expect(others).toContain("I found 3 Italian restaurants in Marlow. How about Casa Verde?");
    expect(others).toContain("What kind of food would you like?");
    // The true response is scored by the same function (it shares "italian", "marlow", "casa", "verde").
    expect(candidates[truth]!.score).toBeGreaterThan(0);
  });

  it("never offers an exact duplicate of the true response as a negative", () => {
    const index = new ResponseIndex(train);
    const bye: DialogueExample = {
      id: "t2",
      history: ["No, that's all. Thanks!"],
      response: "Have a great day!",
    };
    for (let seed = 0; seed < 5; seed++) {
      const { candidates, truth } = index.candidates(bye, 6, new Rng(seed));
      const dupes = candidates.filter(
        (c, i) => i !== truth && responseKey(c.text) === responseKey(bye.response),
      );
      expect(dupes).toHaveLength(0);
      expect(candidates[truth]!.text).toBe("Have a great day!");
    }
  });

  it("builds episodes with reward 1 exactly at the true response", () => {
    const index = new ResponseIndex(train);
    const e = dialogueEpisode(ex, index, 5, new Rng(3));
    expect(Array.from(e.rewards)).toEqual(e.candidates.map((_, i) => (i === e.truth ? 1 : 0)));
    expect(e.features).toHaveLength(5);
    expect(e.sparse).toHaveLength(5);
  });

  it("rejects k < 2 with a typed error", () => {
    expect(() => new ResponseIndex(train).candidates(ex, 1, new Rng(0))).toThrow(
      expect.objectContaining({ code: "DQNLM_DIALOGUE_OPTION_INVALID", field: "k" }),
    );
  });
});
