/**
 * A complete binary tree over a power-of-two number of leaves that keeps, for every node, the sum and the
 * minimum of the leaves below it. Proportional prioritized replay (Schaul et al. 2016) samples a leaf with
 * probability p_i / Σp by descending the sum tree (O(log n)); the min tree gives the largest importance weight
 * for normalisation. Parents are always recomputed as left + right (never updated by deltas), so the tree is a
 * pure function of its leaves: rebuilding it from saved leaves gives bit-identical sums, which keeps sampling
 * reproducible after save → load.
 */
export class SumTree {
  /** Number of leaves (a power of two ≥ the requested size). */
  readonly size: number;
  readonly #sum: Float64Array;
  readonly #min: Float64Array;

  constructor(leaves: number) {
    let size = 1;
    while (size < leaves) size *= 2;
    this.size = size;
    this.#sum = new Float64Array(2 * size);
    this.#min = new Float64Array(2 * size).fill(Number.POSITIVE_INFINITY);
  }

  /** Sum of all leaves. */
  total(): number {
    return this.#sum[1] as number;
  }

  /** Smallest non-empty leaf (Infinity when all are empty). */
  min(): number {
    return this.#min[1] as number;
  }

  /** The value of leaf `i`. */
  get(i: number): number {
    return this.#sum[this.size + i] as number;
  }

  /** Sets leaf `i` to `value` (0 marks it empty) and recomputes its ancestors. */
  set(i: number, value: number): void {
    const sum = this.#sum;
    const min = this.#min;
    let node = this.size + i;
    sum[node] = value;
    min[node] = value > 0 ? value : Number.POSITIVE_INFINITY;
    node >>= 1;
    while (node >= 1) {
      const l = node << 1;
      sum[node] = (sum[l] as number) + (sum[l + 1] as number);
      const a = min[l] as number;
      const b = min[l + 1] as number;
      min[node] = Math.min(a, b);
      node >>= 1;
    }
  }

  /** Sets leaves [start, start + values.length) and recomputes the affected ancestors once (bulk load). */
  setRange(start: number, values: ArrayLike<number>): void {
    const n = values.length;
    if (n === 0) return;
    const sum = this.#sum;
    const min = this.#min;
    for (let k = 0; k < n; k++) {
      const v = values[k] as number;
      sum[this.size + start + k] = v;
      min[this.size + start + k] = v > 0 ? v : Number.POSITIVE_INFINITY;
    }
    let lo = (this.size + start) >> 1;
    let hi = (this.size + start + n - 1) >> 1;
    while (lo >= 1) {
      for (let node = lo; node <= hi; node++) {
        const l = node << 1;
        sum[node] = (sum[l] as number) + (sum[l + 1] as number);
        const a = min[l] as number;
        const b = min[l + 1] as number;
        min[node] = Math.min(a, b);
      }
      if (lo === 1) break;
      lo >>= 1;
      hi >>= 1;
    }
  }

  /**
   * The leaf where the running sum of leaves passes `mass` (0 ≤ mass < total). Floating-point slack can make
   * the descent land on an empty leaf at the right edge; it then steps back to the nearest non-empty leaf on
   * the left, which is what keeps every returned leaf a live one.
   */
  find(mass: number): number {
    const sum = this.#sum;
    let node = 1;
    while (node < this.size) {
      const l = node << 1;
      const left = sum[l] as number;
      if (mass < left) node = l;
      else {
        mass -= left;
        node = l + 1;
      }
    }
    let leaf = node - this.size;
    if ((sum[node] as number) <= 0) {
      while (leaf > 0 && (sum[this.size + leaf] as number) <= 0) leaf--;
    }
    return leaf;
  }

  /** Bytes held by the two trees. */
  bytes(): number {
    return this.#sum.byteLength + this.#min.byteLength;
  }
}
