import { Idf, sentences } from "@dqnlm/appkit";
import { describe, expect, it } from "vitest";
import {
  answerTypeAnswerer,
  answerTypeOf,
  sentenceOverlapAnswerer,
  slidingWindowAnswerer,
} from "./answerers.js";

const ctx =
  "The Eiffel Tower was completed in 1889. It was designed by the engineer Gustave Eiffel. " +
  "The tower is 330 metres tall and stands in Paris. Millions of people visit it every year.";
const idf = Idf.fromDocuments([
  ctx,
  "The bridge was completed in 1932.",
  "The engineer designed a bridge.",
  "People visit museums in Paris.",
]);
const top = (
  a: { answer: (c: string, q: string, k: number) => { text: string }[] },
  q: string,
  k = 3,
): string[] => a.answer(ctx, q, k).map((s) => s.text);

describe("extractive answerers on a hand-made paragraph", () => {
  it("sentence-overlap: best span of the best-matching sentence", () => {
    const a = sentenceOverlapAnswerer({ idf });
    expect(top(a, "When was the Eiffel Tower completed?")[0]).toBe("1889");
    expect(top(a, "How tall is the tower?")[0]).toBe("330 metres");
  });

  it("sliding-window: unigram + bigram window overlap", () => {
    const a = slidingWindowAnswerer({ idf });
    expect(top(a, "When was the Eiffel Tower completed?")[0]).toBe("1889");
    expect(top(a, "Who designed the tower?")).toContain("Gustave Eiffel");
  });

  it("answer-type: typed spans near the question words", () => {
    const a = answerTypeAnswerer({ idf });
    expect(top(a, "When was the Eiffel Tower completed?")[0]).toBe("1889");
    expect(top(a, "How tall is the tower?")[0]).toBe("330 metres");
    expect(top(a, "Where does the tower stand?")[0]).toBe("Paris");
  });

  it("returns exact substrings of the context with their offsets, at most k, no duplicates", () => {
    for (const a of [
      sentenceOverlapAnswerer({ idf }),
      slidingWindowAnswerer({ idf }),
      answerTypeAnswerer({ idf }),
    ]) {
      const spans = a.answer(ctx, "Who designed the tower?", 4);
      expect(spans.length).toBeLessThanOrEqual(4);
      expect(spans.length).toBeGreaterThan(0);
      for (const s of spans) expect(ctx.slice(s.start, s.end)).toBe(s.text);
      expect(new Set(spans.map((s) => s.text.toLowerCase())).size).toBe(spans.length);
    }
  });

  it("classifies question types", () => {
    expect(answerTypeOf("How many people live there?")).toBe("number");
    expect(answerTypeOf("In what year did it open?")).toBe("date");
    expect(answerTypeOf("Who wrote the book?")).toBe("person");
    expect(answerTypeOf("Where is it?")).toBe("place");
    expect(answerTypeOf("What is the capital?")).toBe("entity");
  });

  it("splits sentences without breaking numbers or abbreviations followed by lower case", () => {
    const s = sentences("It cost 3.5 million in the U.S. army budget. Then it grew.");
    expect(s.length).toBe(2);
  });
});
