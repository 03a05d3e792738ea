/**
 * The reward: what `dqnlm --reward @dqnlm/reward-cider` loads. CIDEr-D needs document frequencies from a
 * reference corpus, so the factory takes one: `corpus` (reference sets inline) or `corpusFile` (a JSONL file in
 * dqnlm's data format, each line with "reference" or "references", or a JSON array of reference sets).
 */
import { readFileSync } from "node:fs";
import type { Reward } from "@dqnlm/rewards";
import { CiderD } from "./cider.js";
import { CiderOptionError } from "./errors.js";

/** The pycocoevalcap commit whose cider_scorer.py is reproduced. */
export const CIDER_PYCOCOEVALCAP_COMMIT = "ad63453";

/** JSON options of {@link ciderReward}. */
export interface CiderRewardOptions {
  /** Reference sets of the corpus that gives the document frequencies. One of corpus / corpusFile is needed. */
  readonly corpus?: readonly (readonly string[])[];
  /** A JSONL file (lines with "reference" or "references") or a JSON array of reference sets. */
  readonly corpusFile?: string;
  /** Largest n-gram order (≥ 4). @default 4 */
  readonly n?: number;
  /** Length-penalty standard deviation. @default 6 */
  readonly sigma?: number;
}

/** The signature of a configuration (the corpus is named by its size). */
export function ciderSignature(n: number, sigma: number, documents: number): string {
  return `cider-d|n:${n}|sigma:${sigma}|df:corpus-${documents}|tok:split|scale:0.1|version:pycocoevalcap-${CIDER_PYCOCOEVALCAP_COMMIT}`;
}

function readCorpus(path: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new CiderOptionError("corpusFile", `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (text.trimStart().startsWith("[")) return JSON.parse(text) as string[][];
  const out: string[][] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const o = JSON.parse(line) as { reference?: unknown; references?: unknown };
    const refs = Array.isArray(o.references)
      ? o.references
      : typeof o.reference === "string"
        ? [o.reference]
        : null;
    if (refs === null || refs.some((r) => typeof r !== "string"))
      throw new CiderOptionError(
        "corpusFile",
        `${path}:${i + 1}: expected "reference" (string) or "references" (string[]).`,
      );
    out.push(refs as string[]);
  }
  return out;
}

/**
 * CIDEr-D / 10 as a reward (0–1): per-sentence CIDEr-D against the corpus document frequencies.
 * @throws CiderOptionError (`DQNLM_REWARD_CIDER_BAD_OPTION`) for a missing corpus, an unknown option or a bad value.
 */
export function ciderReward(options: unknown = {}): Reward {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new CiderOptionError(
      "options",
      `expected an options object such as {"corpusFile": "train.jsonl"}, received ${JSON.stringify(options)}.`,
    );
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!["corpus", "corpusFile", "n", "sigma"].includes(key))
      throw new CiderOptionError(
        key,
        `unknown option ${JSON.stringify(key)}; the options are: corpus, corpusFile, n, sigma.`,
      );
  if (o.n !== undefined && (typeof o.n !== "number" || !Number.isInteger(o.n) || o.n < 4))
    throw new CiderOptionError(
      "n",
      `expected an integer ≥ 4 (pycocoevalcap fails for n < 4), received ${JSON.stringify(o.n)}.`,
    );
  if (o.sigma !== undefined && (typeof o.sigma !== "number" || !(o.sigma > 0)))
    throw new CiderOptionError("sigma", `expected a number > 0, received ${JSON.stringify(o.sigma)}.`);
  let corpus: readonly (readonly string[])[];
  if (o.corpusFile !== undefined) {
    if (typeof o.corpusFile !== "string") throw new CiderOptionError("corpusFile", "expected a file path.");
    corpus = readCorpus(o.corpusFile);
  } else if (
    Array.isArray(o.corpus) &&
    o.corpus.every((r) => Array.isArray(r) && r.every((x) => typeof x === "string"))
  ) {
    corpus = o.corpus as string[][];
  } else
    throw new CiderOptionError(
      "corpus",
      'CIDEr-D needs the reference corpus for its document frequencies: give {"corpusFile": "train.jsonl"} or {"corpus": [["ref 1", "ref 2"], …]}.',
    );
  if (corpus.length < 2)
    throw new CiderOptionError(
      "corpus",
      `expected at least 2 reference sets (idf = log(N) is 0 for N = 1), received ${corpus.length}.`,
    );
  const n = (o.n as number | undefined) ?? 4;
  const sigma = (o.sigma as number | undefined) ?? 6;
  const scorer = new CiderD(corpus, { n, sigma });
  const shown = {
    ...(o.corpusFile === undefined ? {} : { corpusFile: o.corpusFile }),
    n,
    sigma,
    documents: corpus.length,
  };
  return {
    name: "cider-d",
    config: { metric: "cider-d", ...shown, signature: ciderSignature(n, sigma, corpus.length) },
    score: (hyp, refs) => scorer.score(hyp, refs) / 10,
  };
}
