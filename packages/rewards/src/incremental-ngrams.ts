/**
 * Integer n-gram machinery shared by BLEU and chrF (batch and incremental).
 *
 * Symbols (words or characters) are interned to dense ids `0..V-1` from the *references* only: a hypothesis
 * symbol that no reference contains gets id −1, and no n-gram containing it can ever match, so the hypothesis side
 * only needs its length for the totals. Reference n-grams form a prefix-closed set, stored as a trie: the n-gram
 * (p, s) with prefix id p and last symbol s is found in an open-addressing hash table keyed by the exact pair
 * (p, s) (no lossy hashing, so counts are exact). Unigram ids are the symbol ids themselves; longer n-grams get
 * ids from V upward. A hypothesis n-gram of order n is looked up from the id of its (n−1)-gram prefix, so each
 * token costs ≤ maxOrder table probes and no string is ever built.
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

  /** Forgets every symbol (for reuse across calls). */
  clear(): void {
    this.#ids.clear();
  }
}

/**
 * Small typed arrays come from 256 KiB slabs: `new Int32Array(n)` mallocs an external backing store for anything
 * over 64 bytes, which dominated the cost of creating a scorer (GC of external memory); a view on a shared
 * slab is a plain heap object. Views are never reused, so they start zeroed; a slab is freed by the GC once no
 * view into it is alive.
 */
const SLAB_BYTES = 1 << 18;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

function slabView(bytes: number): number {
  if (slabOffset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const at = slabOffset;
  slabOffset += (bytes + 7) & ~7;
  return at;
}

/** A zeroed Int32Array of length `n` (from a slab when small). */
export function allocInt32(n: number): Int32Array {
  if (n * 4 > SLAB_BYTES / 8) return new Int32Array(n);
  const at = slabView(n * 4);
  return new Int32Array(slab, at, n);
}

/** A zeroed Float64Array of length `n` (from a slab when small). */
export function allocFloat64(n: number): Float64Array {
  if (n * 8 > SLAB_BYTES / 8) return new Float64Array(n);
  const at = slabView(n * 8);
  return new Float64Array(slab, at, n);
}

/** A shared zero-length placeholder for buffers that are sized on first use. */
export const EMPTY: Int32Array = new Int32Array(0);

/** Growable scratch buffers for temporary per-call work (scoring is synchronous and never re-entered). */
const scratch: { a: Int32Array; b: Int32Array } = { a: new Int32Array(256), b: new Int32Array(256) };

/** A scratch Int32Array of at least `n` elements (`which` picks one of two independent buffers). Contents undefined. */
export function scratchInt32(which: "a" | "b", n: number): Int32Array {
  if (scratch[which].length < n) scratch[which] = new Int32Array(Math.max(n, 2 * scratch[which].length));
  return scratch[which];
}

/** Upper bound on the number of distinct n-grams (orders 1..maxOrder) of sequences of the given lengths. */
export function ngramBound(vocabSize: number, lengths: readonly number[], maxOrder: number): number {
  let bound = vocabSize;
  for (const len of lengths) for (let n = 2; n <= maxOrder && n <= len; n++) bound += len - n + 1;
  return bound;
}

/**
 * The trie of reference n-grams of orders 1..maxOrder over a fixed vocabulary of `vocabSize` symbols. Children
 * live in an open-addressing hash table keyed by (prefix id, symbol) in typed arrays: no allocation per n-gram,
 * no boxing, and pre-sized from {@link ngramBound} so that batch scoring never rehashes.
 */
export class NgramTrie {
  #vocabSize = 0;
  #maxOrder = 1;
  #size = 0;
  #mask = 0;
  /** Slot h holds `[prefix id, symbol, child id + 1]` at `3h`; child id + 1 = 0 marks an empty slot. */
  #table: Int32Array = EMPTY;

  constructor(vocabSize: number, maxOrder: number, expectedNgrams = 64) {
    this.reset(vocabSize, maxOrder, expectedNgrams);
  }

  /** Empties the trie for a new vocabulary, keeping its buffer when it is large enough. */
  reset(vocabSize: number, maxOrder: number, expectedNgrams = 64): void {
    this.#vocabSize = vocabSize;
    this.#maxOrder = maxOrder;
    this.#size = vocabSize;
    let cap = 16;
    while (cap < 2 * (expectedNgrams - vocabSize + 1)) cap *= 2;
    if (3 * cap > this.#table.length) this.#table = allocInt32(3 * cap);
    else this.#table.fill(0, 0, 3 * cap);
    this.#mask = cap - 1;
  }

  /** The number of distinct symbols (unigram ids are `0..vocabSize-1`). */
  get vocabSize(): number {
    return this.#vocabSize;
  }

  /** The largest n-gram order. */
  get maxOrder(): number {
    return this.#maxOrder;
  }

  /** The number of n-gram ids allocated (unigrams included). */
  get size(): number {
    return this.#size;
  }

  /** The id of the n-gram `prefixId` extended by `sym`, or −1. `sym` must be ≥ 0. */
  child(prefixId: number, sym: number): number {
    const mask = this.#mask;
    const t = this.#table;
    let h = (Math.imul(prefixId, 0x9e3779b1) ^ Math.imul(sym + 1, 0x85ebca6b)) & mask;
    for (;;) {
      const v = t[3 * h + 2] as number;
      if (v === 0) return -1;
      if (t[3 * h] === prefixId && t[3 * h + 1] === sym) return v - 1;
      h = (h + 1) & mask;
    }
  }

  #insertChild(prefixId: number, sym: number): number {
    let mask = this.#mask;
    let t = this.#table;
    let h = (Math.imul(prefixId, 0x9e3779b1) ^ Math.imul(sym + 1, 0x85ebca6b)) & mask;
    for (;;) {
      const v = t[3 * h + 2] as number;
      if (v === 0) break;
      if (t[3 * h] === prefixId && t[3 * h + 1] === sym) return v - 1;
      h = (h + 1) & mask;
    }
    const id = this.#size++;
    if (2 * (id - this.#vocabSize + 1) > mask + 1) {
      this.#rehash();
      mask = this.#mask;
      t = this.#table;
      h = (Math.imul(prefixId, 0x9e3779b1) ^ Math.imul(sym + 1, 0x85ebca6b)) & mask;
      while (t[3 * h + 2] !== 0) h = (h + 1) & mask;
    }
    t[3 * h] = prefixId;
    t[3 * h + 1] = sym;
    t[3 * h + 2] = id + 1;
    return id;
  }

  #rehash(): void {
    const old = this.#table;
    const used = this.#mask + 1;
    const cap = used * 2;
    const mask = cap - 1;
    const t = allocInt32(3 * cap);
    for (let i = 0; i < used; i++) {
      const v = old[3 * i + 2] as number;
      if (v === 0) continue;
      const p = old[3 * i] as number;
      const s = old[3 * i + 1] as number;
      let h = (Math.imul(p, 0x9e3779b1) ^ Math.imul(s + 1, 0x85ebca6b)) & mask;
      while (t[3 * h + 2] !== 0) h = (h + 1) & mask;
      t[3 * h] = p;
      t[3 * h + 1] = s;
      t[3 * h + 2] = v;
    }
    this.#table = t;
    this.#mask = mask;
  }

  /**
   * Inserts every n-gram of `syms` (all ids ≥ 0) and writes the id of each occurrence to `out` from `offset`;
   * returns the offset after the last one written. `out` needs room for every n-gram of every order.
   */
  insertAll(syms: ArrayLike<number>, out: Int32Array, offset: number): number {
    const n = syms.length;
    const maxOrder = this.#maxOrder;
    let o = offset;
    for (let i = 0; i < n; i++) {
      let id = syms[i] as number;
      out[o++] = id;
      const top = Math.min(maxOrder, n - i);
      for (let k = 2; k <= top; k++) {
        id = this.#insertChild(id, syms[i + k - 1] as number);
        out[o++] = id;
      }
    }
    return o;
  }
}

/** The number of n-grams of orders 1..maxOrder in a sequence of `len` symbols. */
export function ngramCount(len: number, maxOrder: number): number {
  let c = 0;
  for (let n = 1; n <= maxOrder && n <= len; n++) c += len - n + 1;
  return c;
}

/**
 * A stack of hypothesis symbols with the ids of the reference n-grams ending at each position, so that appending
 * or removing the last symbol touches only the ≤ maxOrder n-grams that end there.
 */
export class NgramStack {
  readonly trie: NgramTrie;
  maxOrder: number;
  /** Hypothesis count of each reference n-gram id. */
  counts: Int32Array;
  #syms: Int32Array;
  /** `ids[pos * maxOrder + (n - 1)]`: the id of the n-gram of order n ending at `pos`, or −1. */
  #ids: Int32Array;
  #len = 0;

  constructor(trie: NgramTrie, capacity = 64) {
    this.trie = trie;
    this.maxOrder = trie.maxOrder;
    this.counts = allocInt32(Math.max(16, trie.size));
    this.#syms = allocInt32(capacity);
    this.#ids = allocInt32(capacity * trie.maxOrder);
  }

  /** Empties the stack after the trie was refilled, keeping buffers that are large enough. */
  reset(capacity: number): void {
    this.#len = 0;
    this.maxOrder = this.trie.maxOrder;
    const size = this.trie.size;
    if (this.counts.length < size) this.counts = allocInt32(size * 2);
    else this.counts.fill(0, 0, size);
    if (this.#syms.length < capacity) this.#syms = allocInt32(capacity * 2);
    if (this.#ids.length < this.#syms.length * this.maxOrder)
      this.#ids = allocInt32(this.#syms.length * this.maxOrder);
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
    const syms = allocInt32(this.#syms.length * 2);
    syms.set(this.#syms);
    this.#syms = syms;
    const ids = allocInt32(this.#ids.length * 2);
    ids.set(this.#ids);
    this.#ids = ids;
  }
}
