import { Rng } from "@dqnlm/core";
import { describe, expect, it } from "vitest";
import { hardCandidateSets, hardEpisodes } from "./hard-episodes.js";
import {
  dialogueTurn,
  domainsOf,
  HardNegativeSampler,
  type ServiceExample,
  serviceDomain,
} from "./hard-negatives.js";
import { ResponseIndex, responseKey } from "./retrieval.js";

const ex = (dialogue: string, turn: number, services: string[], response: string): ServiceExample => ({
  id: `sgd-train-${dialogue}-t${String(turn).padStart(2, "0")}`,
  history: Array.from({ length: turn }, (_, i) => `turn ${i} of ${dialogue}`),
  response,
  services,
});

/** A pool with 30 same-domain same-stage responses, plus decoys of other domains/stages. */
function pool(): ServiceExample[] {
  const xs: ServiceExample[] = [];
  for (let i = 0; i < 30; i++) xs.push(ex(`r${i}`, 5 + 2 * (i % 2), ["RideSharing_1"], `ride offer ${i}`));
  for (let i = 0; i < 30; i++) xs.push(ex(`h${i}`, 5, ["Hotels_2"], `hotel offer ${i}`));
  for (let i = 0; i < 30; i++) xs.push(ex(`f${i}`, 21, ["RideSharing_2"], `late ride ${i}`));
  // Duplicates of the truth's text (other case/spaces) and a same-dialogue turn: never negatives.
  xs.push(ex("d1", 5, ["RideSharing_1"], "Your  ride is BOOKED."));
  xs.push(ex("q9", 7, ["RideSharing_1"], "same dialogue turn"));
  return xs;
}
const truth = ex("q9", 5, ["RideSharing_3"], "Your ride is booked.");

describe("HardNegativeSampler", () => {
  it("parses domains and turns", () => {
    expect(serviceDomain("RideSharing_12")).toBe("RideSharing");
    expect(domainsOf({ ...truth, services: ["Services_2", "RideSharing_1", "Services_1"] })).toEqual([
      "RideSharing",
      "Services",
    ]);
    expect(dialogueTurn(ex("108_00124", 7, [], "x"))).toEqual({ dialogue: "sgd-train-108_00124", turn: 7 });
    expect(dialogueTurn({ id: "plain", history: ["a", "b", "c"], response: "r" })).toEqual({
      dialogue: "plain",
      turn: 3,
    });
  });

  it("draws K−1 = 9 negatives of the truth's domain and stage, never the truth or its dialogue", () => {
    const s = new HardNegativeSampler(pool());
    const { texts, levels } = s.negatives(truth, 9, new Rng(1));
    expect(texts).toHaveLength(9);
    expect(levels).toEqual(Array(9).fill(0));
    for (const t of texts) expect(t).toMatch(/^ride offer \d+$/u);
    expect(new Set(texts).size).toBe(9);
    expect(texts.map(responseKey)).not.toContain(responseKey(truth.response));
    // Seeded: same seed, same draw; another seed, another draw.
    expect(s.negatives(truth, 9, new Rng(1)).texts).toEqual(texts);
    expect(s.negatives(truth, 9, new Rng(2)).texts).not.toEqual(texts);
  });

  it("falls back level by level when K = 100 needs more than the pool's same-stage responses", () => {
    const s = new HardNegativeSampler(pool());
    const { texts, levels } = s.negatives(truth, 99, new Rng(3));
    // 30 ride offers (level 0), then the 30 late rides share the domain but not the stage (level 3), then the 30
    // hotel offers at the same stage (level 4); the duplicate of the truth and the same-dialogue turn are never
    // drawn, so the pool holds 90 eligible texts in all.
    expect(texts).toHaveLength(90);
    expect(levels.filter((l) => l === 0)).toHaveLength(30);
    expect(levels.filter((l) => l === 3)).toHaveLength(30);
    expect(levels.filter((l) => l === 4)).toHaveLength(30);
    expect([...levels].sort((a, b) => a - b)).toEqual(levels); // hardest first
    expect(texts.slice(0, 30).every((t) => t.startsWith("ride offer"))).toBe(true);
    expect(texts.slice(30, 60).every((t) => t.startsWith("late ride"))).toBe(true);
    expect(texts.slice(60).every((t) => t.startsWith("hotel offer"))).toBe(true);
    expect(texts.map(responseKey)).not.toContain(responseKey(truth.response));
    expect(texts).not.toContain("same dialogue turn");
  });

  it("builds 10- and 100-candidate episodes whose 10-set is inside the 100-set", () => {
    const p = pool();
    const index = new ResponseIndex(p.map((e) => e.response));
    index.addScoredOnly(truth.response);
    const sets = hardCandidateSets([truth], new HardNegativeSampler(p), 99, 5);
    const [e10] = hardEpisodes(sets, 10, index, 6);
    const [e100] = hardEpisodes(sets, 100, index, 6);
    expect(e10!.candidates).toHaveLength(10);
    expect(e100!.candidates).toHaveLength(91);
    expect(e10!.candidates[e10!.truth]!.text).toBe(truth.response);
    expect(e100!.candidates[e100!.truth]!.text).toBe(truth.response);
    const in100 = new Set(e100!.candidates.map((c) => c.text));
    for (const c of e10!.candidates) expect(in100.has(c.text)).toBe(true);
    expect(e10!.rewards[e10!.truth]).toBe(1);
    expect([...e10!.rewards].reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe("buildDialogueEpisodes with negatives: hard", () => {
  it("gives K candidates with one true response, negatives at the same stage, on data without services", async () => {
    const { demoDialogueData } = await import("./demo-data.js");
    const { buildDialogueEpisodes } = await import("./selection.js");
    const d = demoDialogueData(0);
    const splits = {
      train: d.train.slice(0, 300),
      validation: d.validation.slice(0, 20),
      test: d.test.slice(0, 20),
    };
    const { episodes } = buildDialogueEpisodes(splits, { k: 10, negatives: "hard" });
    const turns = new Map<string, number[]>();
    for (const e of splits.train) turns.set(e.response, [...(turns.get(e.response) ?? []), e.history.length]);
    for (const e of episodes.test) {
      expect(e.candidates).toHaveLength(10);
      expect(e.candidates[e.truth]!.text).toBe(e.example.response);
      expect(new Set(e.candidates.map((c) => responseKey(c.text))).size).toBe(10);
    }
    // No services in the demo data: same stage in any domain (level 4) first, then any response (level 5).
    const sampler = new HardNegativeSampler(splits.train);
    let sameStage = 0;
    for (const e of splits.test) {
      const { texts, levels } = sampler.negatives(e, 9, new Rng(4));
      expect(levels.every((l) => l >= 4)).toBe(true);
      expect([...levels].sort((a, b) => a - b)).toEqual(levels);
      texts.forEach((t, i) => {
        if (levels[i] === 4) {
          expect(turns.get(t)!.some((x) => Math.abs(x - e.history.length) <= 2)).toBe(true);
          sameStage++;
        }
      });
    }
    expect(sameStage).toBeGreaterThan(150); // of 180 negatives (turn-1 histories have few same-stage responses)
  });
});
