/**
 * Candidate retrieval for 150 demonstration histories (K = 10) from a MiniSearch index of the demonstration
 * training responses: the default query (terms found in more than 2% of the responses, and in more than 20,
 * dropped) against a baseline that keeps every query term (`maxDocFrequency: 1`), measured in the same run.
 * Run: npx -y pnpm@10 --filter @dqnlm/app-dialogue bench
 */
import { Rng } from "@dqnlm/core";
import { bench, describe } from "vitest";
import { demoDialogueData } from "../src/demo-data.js";
import { ResponseIndex } from "../src/retrieval.js";

const data = demoDialogueData(0);
const responses = data.train.map((e) => e.response);
const all = new ResponseIndex(responses, { maxDocFrequency: 1 });
const pruned = new ResponseIndex(responses);
const queries = data.test;

describe("retrieve 10 candidates for 150 histories (demonstration data)", () => {
  bench("every query term (baseline)", () => {
    const rng = new Rng(0);
    for (const e of queries) all.candidates(e, 10, rng);
  });
  bench("common terms dropped (default)", () => {
    const rng = new Rng(0);
    for (const e of queries) pruned.candidates(e, 10, rng);
  });
});
