/**
 * Hard negatives for dialogue selection: the negatives of an example are other system turns of the same service
 * domain(s) at the same dialogue stage, drawn (seeded) from a pool of training examples, with a stated fallback
 * order when too few exist.
 *
 * - Service domain: a service name without its version suffix (`RideSharing_1` → `RideSharing`). Schema-Guided
 *   Dialogue's evaluation splits mostly use service versions absent from training (zero-shot design), so the
 *   version would match almost nothing; the domain matches for most evaluation dialogues.
 * - Stage: the turn index of the response in its dialogue (the `-tNN` suffix of the id, else the history length);
 *   "same stage" means `|Δturn| ≤ 2`, i.e. the same or an adjacent system turn. The turn index is the only stage
 *   signal a single record carries (the dialogue's length is unknown, so "closing" cannot be told apart).
 * - Fallback levels, in order (each level only adds responses not drawn yet):
 *   0 same domain set and same stage; 1 a shared domain and same stage; 2 a shared domain and `|Δturn| ≤ 6`;
 *   3 a shared domain at any turn; 4 same stage in any domain; 5 any pool response.
 *   Within a level the draw is uniform without replacement.
 * - Never a negative: a response with the true response's text (case and whitespace ignored: such duplicates are
 *   removed, not counted as correct), a response of the same dialogue, or a text already drawn.
 */
import type { Rng } from "@dqnlm/core";
import { invalidOption } from "./errors.js";
import { type DialogueExample, responseKey } from "./retrieval.js";

/** A dialogue example with the services of its dialogue (Schema-Guided Dialogue's `services`). */
export interface ServiceExample extends DialogueExample {
  /** Service names of the dialogue, e.g. `["Services_2", "RideSharing_1"]`. @default [] */
  readonly services?: readonly string[];
}

/** Number of fallback levels of {@link HardNegativeSampler}. */
export const HARD_NEGATIVE_LEVELS = 6;

/** Names of the fallback levels, in order. */
export const HARD_NEGATIVE_LEVEL_NAMES: readonly string[] = [
  "same domain set, |Δturn| ≤ 2",
  "shared domain, |Δturn| ≤ 2",
  "shared domain, |Δturn| ≤ 6",
  "shared domain, any turn",
  "any domain, |Δturn| ≤ 2",
  "any pool response",
];

/** Options of {@link HardNegativeSampler}. */
export interface HardNegativeOptions {
  /** Largest turn-index difference of "the same stage". @default 2 */
  readonly stageWindow?: number;
  /** Largest turn-index difference of the wider stage of level 2. @default 6 */
  readonly wideWindow?: number;
}

/** The service domain of a service name: the name without a trailing `_<number>`. */
export function serviceDomain(service: string): string {
  return service.replace(/_\d+$/u, "");
}

/** The dialogue id and turn index of an example (`sgd-train-108_00124-t07` → `sgd-train-108_00124`, 7). */
export function dialogueTurn(ex: DialogueExample): { dialogue: string; turn: number } {
  const m = /^(.*)-t(\d+)$/u.exec(ex.id);
  if (m) return { dialogue: m[1]!, turn: Number(m[2]) };
  return { dialogue: ex.id, turn: ex.history.length };
}

/** The sorted distinct domains of an example's services. */
export function domainsOf(ex: ServiceExample): string[] {
  return [...new Set((ex.services ?? []).map(serviceDomain))].sort();
}

function pushTo<K>(m: Map<K, number[]>, k: K, i: number): void {
  const xs = m.get(k);
  if (xs) xs.push(i);
  else m.set(k, [i]);
}

interface PoolItem {
  readonly text: string;
  readonly key: string;
  readonly dialogue: string;
  readonly turn: number;
  readonly domains: readonly string[];
  readonly domainKey: string;
}

/** Negatives of one example and the fallback level each came from. */
export interface HardNegatives {
  readonly texts: string[];
  readonly levels: number[];
}

/** Draws hard negatives (same domain, same stage, with fallbacks) from a pool of examples. */
export class HardNegativeSampler {
  readonly #items: PoolItem[] = [];
  readonly #byDomain = new Map<string, number[]>();
  readonly #byTurn = new Map<number, number[]>();
  readonly #stage: number;
  readonly #wide: number;

  constructor(pool: Iterable<ServiceExample>, options: HardNegativeOptions = {}) {
    this.#stage = options.stageWindow ?? 2;
    this.#wide = options.wideWindow ?? 6;
    if (!(Number.isInteger(this.#stage) && this.#stage >= 0))
      throw invalidOption("stageWindow", "an integer ≥ 0", this.#stage);
    if (!(Number.isInteger(this.#wide) && this.#wide >= this.#stage))
      throw invalidOption("wideWindow", `an integer ≥ stageWindow (${this.#stage})`, this.#wide);
    for (const ex of pool) {
      const { dialogue, turn } = dialogueTurn(ex);
      const domains = domainsOf(ex);
      const i = this.#items.length;
      this.#items.push({
        text: ex.response,
        key: responseKey(ex.response),
        dialogue,
        turn,
        domains,
        domainKey: domains.join("+"),
      });
      for (const d of domains) pushTo(this.#byDomain, d, i);
      pushTo(this.#byTurn, turn, i);
    }
    if (this.#items.length === 0) throw invalidOption("pool", "at least one example", 0);
  }

  /** Number of pool examples. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * `n` distinct negatives for `ex`, level by level (see the module comment), each level's eligible responses
   * drawn uniformly without replacement with `rng`. Returns fewer than `n` only when the whole pool holds fewer
   * eligible distinct texts.
   */
  negatives(ex: ServiceExample, n: number, rng: Rng): HardNegatives {
    if (!(Number.isInteger(n) && n >= 0)) throw invalidOption("n", "an integer ≥ 0", n);
    const { dialogue, turn } = dialogueTurn(ex);
    const domains = domainsOf(ex);
    const domainKey = domains.join("+");
    const used = new Set<string>([responseKey(ex.response)]);
    const texts: string[] = [];
    const levels: number[] = [];
    const sharing = new Set<number>();
    for (const d of domains) for (const i of this.#byDomain.get(d) ?? []) sharing.add(i);
    const near: number[] = [];
    for (let t = turn - this.#stage; t <= turn + this.#stage; t++) near.push(...(this.#byTurn.get(t) ?? []));
    const dt = (i: number): number => Math.abs(this.#items[i]!.turn - turn);
    const sharingList = [...sharing].sort((a, b) => a - b);
    const levelLists: Array<() => number[]> = [
      () => near.filter((i) => this.#items[i]!.domainKey === domainKey && domains.length > 0),
      () => near.filter((i) => sharing.has(i)),
      () => sharingList.filter((i) => dt(i) <= this.#wide),
      () => sharingList,
      () => near,
      () => [...this.#items.keys()],
    ];
    for (let level = 0; level < levelLists.length && texts.length < n; level++) {
      const eligible = levelLists[level]!().filter((i) => {
        const it = this.#items[i]!;
        return it.dialogue !== dialogue && !used.has(it.key);
      });
      // Partial Fisher–Yates: draw until enough distinct texts (several pool items may share a text).
      for (let j = 0; j < eligible.length && texts.length < n; j++) {
        const r = j + rng.nextInt(eligible.length - j);
        const pick = eligible[r]!;
        eligible[r] = eligible[j]!;
        eligible[j] = pick;
        const it = this.#items[pick]!;
        if (used.has(it.key)) continue;
        used.add(it.key);
        texts.push(it.text);
        levels.push(level);
      }
    }
    return { texts, levels };
  }
}
