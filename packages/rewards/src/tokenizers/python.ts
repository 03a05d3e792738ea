/**
 * Python 3.11 string semantics used by sacreBLEU's tokenizers and metrics (CPython, Unicode 14.0).
 *
 * `str.split()` / `str.strip()` split on `str.isspace()` characters: that set contains `\x1c`–`\x1f` and `\x85`
 * (JS `\s` does not) and lacks `\ufeff` (JS `\s` has it), so JS `\s` and `String.prototype.trim` cannot be used.
 */

/** Every code point for which CPython's `str.isspace()` is true (all are in the BMP, the largest is U+3000). */
const PY_WS_LIST: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

/**
 * Lookup table indexed by UTF-16 code unit (< 0x3001): 1 where Python considers the character whitespace.
 * Hot loops in other modules bind it to a module-level constant (an imported function can cost a getter call per
 * use under loaders that rewrite imports into property accesses, such as tsx and vitest).
 */
export const PY_WS_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(0x3001);
  for (const c of PY_WS_LIST) t[c] = 1;
  return t;
})();

/** True when the UTF-16 code unit (or code point) `c` is Python whitespace. Surrogates are never whitespace. */
export function isPyWhitespace(c: number): boolean {
  return c <= 0x3000 && PY_WS_TABLE[c] === 1;
}

/** Python `s.split()` (no argument): runs of whitespace separate tokens, empty tokens are dropped. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x3000 && PY_WS_TABLE[c] === 1) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(start === 0 ? s : s.slice(start));
  return out;
}

/** Python `s.rstrip()` (no argument). */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Python `s.lstrip()` (no argument). */
export function pyLstrip(s: string): string {
  let start = 0;
  while (start < s.length && isPyWhitespace(s.charCodeAt(start))) start++;
  return start === 0 ? s : s.slice(start);
}

/** Python `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  return pyLstrip(pyRstrip(s));
}

/** Python `"".join(s.split())`: `s` with every whitespace character removed. */
export function pyRemoveWhitespace(s: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (isPyWhitespace(s.charCodeAt(i))) {
      if (i > start) out += s.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

/**
 * The 55 code points that Node's ICU (Unicode 16/17) lowercases but Python 3.11 (Unicode 14.0) leaves unchanged,
 * because they were encoded later: U+1C89, U+A7CB, U+A7CC, U+A7CE, U+A7D2, U+A7D4, U+A7DA, U+A7DC, Garay
 * capitals U+10D50–U+10D65 and Beria Erfe capitals U+16EA0–U+16EB8 (computed by comparing `chr(c).lower()` in
 * CPython 3.11.7 with `toLowerCase()` in Node 20.20 / ICU 78 over every code point; there is no other difference).
 */
const NEWER_CASED =
  /[\u1c89\ua7cb\ua7cc\ua7ce\ua7d2\ua7d4\ua7da\ua7dc\u{10d50}-\u{10d65}\u{16ea0}-\u{16eb8}]/u;
const NEWER_CASED_G = new RegExp(NEWER_CASED.source, "gu");

/**
 * Python `s.lower()`. V8's locale-independent `toLowerCase()` applies the same full Unicode mappings as CPython:
 * SpecialCasing's unconditional entries (`İ` → `i̇`, two code points), the context-dependent final sigma
 * (`Σ` → `ς` at the end of a word, which CPython also implements), `ẞ` → `ß`, Kelvin sign → `k` — except for
 * letters encoded after Unicode 14.0, which Python 3.11 does not know and keeps as they are (see `NEWER_CASED`).
 * Splitting around those letters leaves final-sigma decisions unchanged: to Python they are neither cased nor
 * case-ignorable, exactly like the start or end of a string.
 */
export function pyLower(s: string): string {
  if (!NEWER_CASED.test(s)) return s.toLowerCase();
  let out = "";
  let start = 0;
  for (const m of s.matchAll(NEWER_CASED_G)) {
    const at = m.index as number;
    out += s.slice(start, at).toLowerCase() + m[0];
    start = at + m[0].length;
  }
  return out + s.slice(start).toLowerCase();
}

/** Python `len(s)`: the number of code points (a surrogate pair counts once, a lone surrogate counts once). */
export function pyLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Python's `f"{x:.{digits}f}"`: like `toFixed`, except that exact ties round half to even (Python rounds the exact
 * binary value correctly; `toFixed` rounds ties away from zero). A double is an exact tie at `d` decimals iff
 * `x · 2^(d+1)` is an integer and `x · 2^d` is not (then `x · 10^d` is exactly a half-integer).
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isFinite(x) && Number.isInteger(x * 2 ** (digits + 1)) && !Number.isInteger(x * 2 ** digits)) {
    const t = x * 10 ** digits;
    const k = Math.floor(t);
    const even = k % 2 === 0 ? k : k + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}
