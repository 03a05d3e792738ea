/**
 * A seeded, serialisable pseudo-random number generator (sfc32: Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state). Every random choice in dqnlm takes an instance of this class; nothing uses
 * `Math.random`. The full state can be saved and restored, which is what makes exact resume possible.
 */

/** The complete state of an {@link Rng}: four unsigned 32-bit words. */
export type RngState = readonly [number, number, number, number];

export class Rng {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;
  #spare: number | undefined = undefined;

  /** @param seed any finite number; the same seed always gives the same stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`Rng seed must be a finite number, received ${seed}`);
    // splitmix32 expands the seed into four well-mixed words.
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Restores a generator from a saved {@link RngState}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = (this.#b ^ (this.#b >>> 9)) >>> 0;
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer uniformly in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new RangeError(`nextInt(n) needs a positive integer n, received ${n}`);
    if (n <= 0x100000000) {
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Marsaglia polar method; the spare value is part of the state). */
  nextNormal(): number {
    if (this.#spare !== undefined) {
      const v = this.#spare;
      this.#spare = undefined;
      return v;
    }
    for (;;) {
      const u = this.next() * 2 - 1;
      const v = this.next() * 2 - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.#spare = v * m;
        return u * m;
      }
    }
  }

  /** Shuffles `arr` in place (Fisher–Yates) and returns it. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = t;
    }
    return arr;
  }

  /** An independent child stream, seeded from this one (advances this generator). */
  fork(): Rng {
    return new Rng(this.nextUint32() ^ Math.imul(this.nextUint32(), 0x2545f491));
  }

  /** A fresh nonzero 31-bit integer seed for a tfjs op (tfjs treats 0/undefined as "use Math.random"). */
  tfSeed(): number {
    return (this.nextUint32() % 0x7ffffffe) + 1;
  }

  /** The complete state, for checkpoints. A pending normal spare is dropped, so call it between draws. */
  state(): RngState {
    return [this.#a, this.#b, this.#c, this.#d];
  }

  /** Restores a state obtained from {@link Rng.state}. */
  setState(state: RngState): void {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)
    ) {
      throw new TypeError(
        `Rng state must be four unsigned 32-bit integers, received ${JSON.stringify(state)}`,
      );
    }
    [this.#a, this.#b, this.#c, this.#d] = state as [number, number, number, number];
    this.#spare = undefined;
  }
}
