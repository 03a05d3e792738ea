/**
 * Integer n-gram machinery shared by BLEU and chrF (batch and incremental).
 *
 * Symbols (words or characters) are interned to dense ids `0..V-1` from the *references* only: a hypothesis
 * symbol that no reference contains gets id −1, and no n-gram containing it can ever match, so the hypothesis side
 * only needs its length for the totals. Reference n-grams form a prefix-closed set, stored as a trie in one
 * `Map<number, number>`: the n-gram (p, s) with prefix id p and last symbol s has key `p * V + s`. Unigram ids
 * are the symbol ids themselves; longer n-grams get ids from V upward. Keys stay far below 2^53, so they are
 * exact for any order and any vocabulary.
 */

/** Interns reference symbols (strings or code points) to dense ids. */
export class SymbolTable<K extends string | number> {
  readonly #ids = new Map<K, number>();

  /** The id of `key`, interning it if new. */
  intern(key: K): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(key, id);
    }
    return id;
  }

  /** The id of `key`, or −1 when no reference contains it. */
  lookup(key: K): number {
    const id = this.#ids.get(key);
    return id === undefined ? -1 : id;
  }

  /** The number of interned symbols. */
  get size(): number {
    return this.#ids.size;
  }
}

/** The trie of reference n-grams of orders 1..maxOrder over a fixed vocabulary of `vocabSize` symbols. */
export class NgramTrie {
  readonly vocabSize: number;
  readonly maxOrder: number;
  readonly #children = new Map<number, number>();
  #order: Uint8Array;
  #size: number;

  constructor(vocabSize: number, maxOrder: number) {
    this.vocabSize = vocabSize;
    this.maxOrder = maxOrder;
    this.#size = vocabSize;
    this.#order = new Uint8Array(Math.max(16, vocabSize * 2));
    this.#order.fill(1, 0, vocabSize);
  }

  /** The number of n-gram ids allocated (unigrams included). */
  get size(): number {
    return this.#size;
  }

  /** The order (1-based) of n-gram `id`. */
  orderOf(id: number): number {
    return this.#order[id] as number;
  }

  /** A copy of the id → order table, sized to {@link size}. */
  orders(): Uint8Array {
    return this.#order.slice(0, this.#size);
  }

  /** The id of the n-gram `prefixId` extended by `sym`, or −1. `sym` must be ≥ 0. */
  child(prefixId: number, sym: number): number {
    const id = this.#children.get(prefixId * this.vocabSize + sym);
    return id === undefined ? -1 : id;
  }

  /** Inserts every n-gram of `syms` (all ids ≥ 0) and calls `visit(id)` once per occurrence. */
  insertAll(syms: ArrayLike<number>, visit: (id: number) => void): void {
    const n = syms.length;
    const maxOrder = this.maxOrder;
    const V = this.vocabSize;
    for (let i = 0; i < n; i++) {
      let id = syms[i] as number;
      visit(id);
      const top = Math.min(maxOrder, n - i);
      for (let k = 2; k <= top; k++) {
        const key = id * V + (syms[i + k - 1] as number);
        let next = this.#children.get(key);
        if (next === undefined) {
          next = this.#size++;
          if (next >= this.#order.length) {
            const grown = new Uint8Array(this.#order.length * 2);
            grown.set(this.#order);
            this.#order = grown;
          }
          this.#order[next] = k;
          this.#children.set(key, next);
        }
        id = next;
        visit(id);
      }
    }
  }
}

/**
 * A stack of hypothesis symbols with the ids of the reference n-grams ending at each position, so that appending
 * or removing the last symbol touches only the ≤ maxOrder n-grams that end there.
 */
export class NgramStack {
  readonly trie: NgramTrie;
  readonly maxOrder: number;
  /** Hypothesis count of each reference n-gram id. */
  readonly counts: Int32Array;
  #syms: Int32Array;
  /** `ids[pos * maxOrder + (n - 1)]`: the id of the n-gram of order n ending at `pos`, or −1. */
  #ids: Int32Array;
  #len = 0;

  constructor(trie: NgramTrie, capacity = 64) {
    this.trie = trie;
    this.maxOrder = trie.maxOrder;
    this.counts = new Int32Array(trie.size);
    this.#syms = new Int32Array(capacity);
    this.#ids = new Int32Array(capacity * trie.maxOrder);
  }

  /** The number of symbols on the stack. */
  get length(): number {
    return this.#len;
  }

  /** The symbol at `pos` (−1 for one no reference contains). */
  symAt(pos: number): number {
    return this.#syms[pos] as number;
  }

  /**
   * Pushes `sym` and returns the number of reference n-grams ending at the new position; their ids are in
   * `idsAt(length - 1)` order by order. The caller updates its match statistics from `counts`.
   */
  push(sym: number): number {
    const pos = this.#len;
    const m = this.maxOrder;
    if (pos >= this.#syms.length) this.#grow();
    this.#syms[pos] = sym;
    this.#len = pos + 1;
    const ids = this.#ids;
    const base = pos * m;
    let found = 0;
    if (sym >= 0) {
      ids[base] = sym;
      found = 1;
      const prevBase = base - m;
      for (let k = 2; k <= m && k <= pos + 1; k++) {
        const prev = ids[prevBase + k - 2] as number;
        if (prev < 0) break;
        const id = this.trie.child(prev, sym);
        if (id < 0) break;
        ids[base + k - 1] = id;
        found = k;
      }
    }
    for (let k = found; k < m; k++) ids[base + k] = -1;
    return found;
  }

  /** The id of the n-gram of order `n` ending at `pos`, or −1. */
  idAt(pos: number, n: number): number {
    return this.#ids[pos * this.maxOrder + n - 1] as number;
  }

  /** Pops the last symbol (the caller reads its ids with `idAt` *before* popping). */
  pop(): void {
    this.#len--;
  }

  /** Empties the stack (the caller resets its counts). */
  clear(): void {
    this.#len = 0;
  }

  #grow(): void {
    const syms = new Int32Array(this.#syms.length * 2);
    syms.set(this.#syms);
    this.#syms = syms;
    const ids = new Int32Array(this.#ids.length * 2);
    ids.set(this.#ids);
    this.#ids = ids;
  }
}
