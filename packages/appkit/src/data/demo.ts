/**
 * Deterministic demonstration datasets: a seeded example generator is drawn from until each split holds the
 * requested number of distinct examples, with no source text shared between splits. Apps supply the generator
 * (their own grammar and lexicon); nothing is copied from real datasets.
 */
import { Rng } from "@dqnlm/core";
import type { SplitName } from "./splits.js";

/** Split sizes of a demonstration dataset. */
export type DemoSizes = Readonly<Record<SplitName, number>>;

/** Options of {@link buildDemoSplits}. */
export interface DemoSplitOptions {
  /** Seed of the generator. @default 0 */
  seed?: number;
  /** Prefix of the example ids (`<prefix>-<split>-<index>`). @default "demo" */
  idPrefix?: string;
  /** Give up after this many draws per requested example (the generator's space is too small). @default 50 */
  maxDrawsPerExample?: number;
}

/**
 * Draws examples from `generate` until every split has its size, skipping any whose `key` (default: the source
 * text) was already drawn, so splits are disjoint and duplicate-free. Same seed, same data.
 */
export function buildDemoSplits<T extends { readonly source: string }>(
  generate: (rng: Rng) => T,
  sizes: DemoSizes,
  options: DemoSplitOptions & { key?: (example: T) => string } = {},
): Record<SplitName, (T & { readonly id: string })[]> {
  const rng = new Rng(options.seed ?? 0);
  const key = options.key ?? ((e: T) => e.source);
  const prefix = options.idPrefix ?? "demo";
  const seen = new Set<string>();
  const out: Record<SplitName, (T & { readonly id: string })[]> = { train: [], validation: [], test: [] };
  // Test and validation first, so that their content does not depend on the training-set size.
  for (const split of ["test", "validation", "train"] as const) {
    const want = sizes[split];
    const maxDraws = want * (options.maxDrawsPerExample ?? 50) + 100;
    let draws = 0;
    while (out[split].length < want) {
      if (draws++ > maxDraws)
        throw new RangeError(
          `demo generator produced only ${out[split].length} distinct ${split} examples out of ${want}; ask for fewer`,
        );
      const ex = generate(rng);
      const k = key(ex);
      if (seen.has(k)) continue;
      seen.add(k);
      out[split].push({ ...ex, id: `${prefix}-${split}-${String(out[split].length).padStart(5, "0")}` });
    }
  }
  return out;
}

/** Picks one element of a non-empty list with `rng`. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("pick from an empty list");
  return items[rng.nextInt(items.length)] as T;
}
