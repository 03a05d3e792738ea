/**
 * numpy's default generator, `np.random.default_rng(seed)` = `Generator(PCG64(SeedSequence(seed)))`, reproduced
 * bit for bit for the two calls sacreBLEU 2.x's significance tests make: `choice(n, size, replace=True)` (paired
 * bootstrap and `--confidence` indices) and `integers(2, size, dtype=bool)` (approximate randomization). This
 * exists so that our p-values, means and confidence intervals are exactly sacreBLEU's: the same seed (12345)
 * gives the same resamples. (sacreBLEU 2.x does not use the legacy `RandomState`/MT19937.)
 *
 * Sources transcribed: numpy `random/bit_generator.pyx` (`SeedSequence`: `_hashmix`, `_mix`, `mix_entropy`,
 * `generate_state`), `random/src/pcg64/pcg64.h` (128-bit LCG step, XSL-RR output, `next32` buffering),
 * `random/src/distributions/distributions.c` (`random_bounded_uint64_fill` → Lemire's
 * `buffered_bounded_lemire_uint32`; `buffered_bounded_bool`). Checked against numpy 2.4.6 and 1.24.2 in
 * `significance.test.ts`.
 */

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

/** Splits a non-negative integer seed into little-endian uint32 words (numpy `_coerce_to_uint32_array`). */
function seedWords(seed: number): number[] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative safe integer`);
  if (seed === 0) return [0];
  const out: number[] = [];
  let s = seed;
  while (s > 0) {
    out.push(s % 0x100000000);
    s = Math.floor(s / 0x100000000);
  }
  return out;
}

/** `SeedSequence(seed).generate_state(nWords, np.uint32)`. */
export function seedSequenceState(seed: number, nWords: number): Uint32Array {
  const entropy = seedWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    return (v ^ (v >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? (entropy[i] as number) : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst] as number, hashmix(pool[src] as number));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++)
      pool[dst] = mix(pool[dst] as number, hashmix(entropy[src] as number));
  }
  const out = new Uint32Array(nWords);
  let hc = INIT_B;
  for (let i = 0; i < nWords; i++) {
    let v = ((pool[i % POOL_SIZE] as number) ^ hc) >>> 0;
    hc = Math.imul(hc, MULT_B) >>> 0;
    v = Math.imul(v, hc) >>> 0;
    out[i] = (v ^ (v >>> 16)) >>> 0;
  }
  return out;
}

// PCG64's multiplier 0x2360ED051FC65DA4_4385DF649FCCF645 as eight 16-bit limbs, least significant first.
const MULT16 = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360];

/**
 * numpy's `PCG64` bit generator (128-bit LCG, XSL-RR 64-bit output) seeded through `SeedSequence`, with numpy's
 * 32-bit buffering (`next_uint32` returns the low half of a 64-bit draw, then the high half).
 */
export class NumpyPcg64 {
  /** State and increment as eight 16-bit limbs each, least significant first. */
  readonly #state = new Float64Array(8);
  readonly #inc = new Float64Array(8);
  readonly #tmp = new Float64Array(8);
  #hasUint32 = false;
  #uinteger = 0;
  /** High and low 32 bits of the last 64-bit output. */
  #outHi = 0;
  #outLo = 0;

  /** @param seed a non-negative integer, as `np.random.default_rng(seed)` takes. */
  constructor(seed: number) {
    const w = seedSequenceState(seed, 8); // generate_state(4, uint64) viewed as uint32 little-endian
    // seed = (val[0] << 64) | val[1], inc = (val[2] << 64) | val[3], valK = w[2k] | w[2k+1] << 32
    const initState = [w[2], w[3], w[0], w[1]] as number[]; // 32-bit words, least significant first
    const initSeq = [w[6], w[7], w[4], w[5]] as number[];
    // inc = (initseq << 1) | 1
    const inc32 = new Array<number>(4);
    let carry = 1;
    for (let i = 0; i < 4; i++) {
      const v = (initSeq[i] as number) * 2 + carry;
      inc32[i] = v % 0x100000000;
      carry = v >= 0x100000000 ? 1 : 0;
    }
    for (let i = 0; i < 4; i++) {
      this.#inc[2 * i] = (inc32[i] as number) & 0xffff;
      this.#inc[2 * i + 1] = (inc32[i] as number) >>> 16;
    }
    // pcg_setseq_128_srandom_r: state = 0; step; state += initstate; step
    this.#state.fill(0);
    this.#step();
    let c = 0;
    for (let i = 0; i < 8; i++) {
      const limb =
        i % 2 === 0 ? (initState[i >> 1] as number) & 0xffff : (initState[i >> 1] as number) >>> 16;
      const v = (this.#state[i] as number) + limb + c;
      this.#state[i] = v % 0x10000;
      c = v >= 0x10000 ? 1 : 0;
    }
    this.#step();
  }

  /** state = state · MULT + inc (mod 2¹²⁸), with 16-bit limbs so every partial product is exact in a double. */
  #step(): void {
    const s = this.#state;
    const t = this.#tmp;
    t.fill(0);
    for (let i = 0; i < 8; i++) {
      const si = s[i] as number;
      if (si === 0) continue;
      for (let j = 0; i + j < 8; j++) t[i + j] = (t[i + j] as number) + si * (MULT16[j] as number);
    }
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      const v = (t[k] as number) + (this.#inc[k] as number) + carry;
      const lo = v % 0x10000;
      s[k] = lo;
      carry = (v - lo) / 0x10000;
    }
  }

  /** One 64-bit output (`pcg64_next64`), left in `#outHi`/`#outLo`. */
  #next64(): void {
    this.#step();
    const s = this.#state;
    const lo = ((s[0] as number) + (s[1] as number) * 0x10000) >>> 0;
    const mid = ((s[2] as number) + (s[3] as number) * 0x10000) >>> 0;
    const hi2 = ((s[4] as number) + (s[5] as number) * 0x10000) >>> 0;
    const hi = ((s[6] as number) + (s[7] as number) * 0x10000) >>> 0;
    // XSL-RR: rotr64(high64 ^ low64, state >> 122)
    let xh = (hi ^ mid) >>> 0;
    let xl = (hi2 ^ lo) >>> 0;
    let rot = hi >>> 26;
    if (rot >= 32) {
      const t = xh;
      xh = xl;
      xl = t;
      rot -= 32;
    }
    if (rot > 0) {
      const nl = ((xl >>> rot) | (xh << (32 - rot))) >>> 0;
      const nh = ((xh >>> rot) | (xl << (32 - rot))) >>> 0;
      xl = nl;
      xh = nh;
    }
    this.#outHi = xh;
    this.#outLo = xl;
  }

  /** `next_uint32`: the low half of a fresh 64-bit output, then its buffered high half. */
  nextUint32(): number {
    if (this.#hasUint32) {
      this.#hasUint32 = false;
      return this.#uinteger;
    }
    this.#next64();
    this.#hasUint32 = true;
    this.#uinteger = this.#outHi;
    return this.#outLo;
  }

  /** A uniform integer in [0, rng] (`buffered_bounded_lemire_uint32`), for 0 < rng < 2³² − 1. */
  #lemire32(rng: number): number {
    const rngExcl = rng + 1;
    let u = this.nextUint32();
    let lo = Math.imul(u, rngExcl) >>> 0; // low 32 bits of m = u · rngExcl
    if (lo < rngExcl) {
      const threshold = (0x100000000 - rngExcl) % rngExcl; // (UINT32_MAX - rng) % rngExcl
      while (lo < threshold) {
        u = this.nextUint32();
        lo = Math.imul(u, rngExcl) >>> 0;
      }
    }
    // high 32 bits of m (< 2⁶³, not exact in a double): m = p2 · 2¹⁶ + p1 with both partial products exact
    const p1 = (u & 0xffff) * rngExcl;
    const p2 = (u >>> 16) * rngExcl;
    return Math.floor((p2 + Math.floor(p1 / 0x10000)) / 0x10000);
  }

  /**
   * `Generator.choice(n, size=count, replace=True)` written into `out` (row-major, as numpy fills a 2-D `size`):
   * `integers(0, n)` → `random_bounded_uint64_fill` with range n − 1.
   */
  choiceInto(n: number, out: Int32Array): Int32Array {
    if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff)
      throw new RangeError(`n must be an integer in [1, 2^31)`);
    const rng = n - 1;
    if (rng === 0) {
      out.fill(0); // numpy draws nothing when the range is empty
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = this.#lemire32(rng);
    return out;
  }

  /** `Generator.integers(2, size=count, dtype=bool)` written into `out` as 0/1 (`buffered_bounded_bool`). */
  boolsInto(out: Uint8Array): Uint8Array {
    let buf = 0;
    let bcnt = 0;
    for (let i = 0; i < out.length; i++) {
      if (bcnt === 0) {
        buf = this.nextUint32();
        bcnt = 31;
      } else {
        buf >>>= 1;
        bcnt -= 1;
      }
      out[i] = buf & 1;
    }
    return out;
  }
}
