/**
 * Shared setup of the hard selection experiment (scripts/selection-hard-*.ts): reads the splits (JSONL with
 * `services`), builds the BM25+ index and the hard negative sets (99 per evaluation example, seed 0), so that every
 * script sees exactly the same candidates.
 */
import { readFileSync } from "node:fs";
import { type HardCandidateSet, hardCandidateSets } from "../src/hard-episodes.js";
import { HardNegativeSampler, type ServiceExample } from "../src/hard-negatives.js";
import { ResponseIndex } from "../src/retrieval.js";

export type Split = "train" | "validation" | "test";

export interface HardSetup {
  readonly splits: Record<Split, ServiceExample[]>;
  readonly index: ResponseIndex;
  readonly sampler: HardNegativeSampler;
  /** 99 negatives per validation/test example. */
  readonly sets: Record<"validation" | "test", HardCandidateSet[]>;
  readonly seconds: number;
}

/** Negatives drawn per evaluation example (K = 100 uses all, K = 10 the first 9). */
export const EVAL_NEGATIVES = 99;

export function hardSetup(dataDir: string): HardSetup {
  const t0 = performance.now();
  const read = (split: Split): ServiceExample[] =>
    readFileSync(`${dataDir}/${split}.jsonl`, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as ServiceExample);
  const splits = { train: read("train"), validation: read("validation"), test: read("test") };
  const index = new ResponseIndex(splits.train.map((e) => e.response));
  for (const s of ["validation", "test"] as const) for (const e of splits[s]) index.addScoredOnly(e.response);
  const sampler = new HardNegativeSampler(splits.train);
  const sets = {
    validation: hardCandidateSets(splits.validation, sampler, EVAL_NEGATIVES, 1),
    test: hardCandidateSets(splits.test, sampler, EVAL_NEGATIVES, 2),
  };
  return { splits, index, sampler, sets, seconds: (performance.now() - t0) / 1000 };
}
