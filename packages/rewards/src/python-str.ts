/**
 * Python 3 string semantics that the reference metric implementations depend on.
 *
 * sacreBLEU, rouge-score and the SQuAD script are Python programs, so "whitespace", "lowercase" and "word
 * character" mean what CPython 3.11 (Unicode 14.0) says they mean, which is not always what JS says:
 * `str.split()` splits on `\x1c`–`\x1f` and `\x85` (JS `\s` does not) but not on `\ufeff` (JS `\s` does).
 */

/**
 * Code points that CPython's `str.isspace()` accepts — the separators `str.split()` / `str.strip()` use.
 * (Bidirectional class WS, B or S, or category Zs; Unicode 14.0.)
 */
const PY_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** True when the UTF-16 code unit `c` is a Python whitespace character (all of them are in the BMP). */
export function isPyWhitespace(c: number): boolean {
  return PY_WHITESPACE.has(c);
}

/** Python `s.split()` with no argument: split on runs of Unicode whitespace, dropping empty strings. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (PY_WHITESPACE.has(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Python `s.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && PY_WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Python `s.lower()`.
 *
 * V8's `toLowerCase()` (locale-independent) applies the same full Unicode mappings as CPython: SpecialCasing's
 * unconditional entries (`İ` → `i̇`, two code points), the context-sensitive final sigma (`Σ` → `ς` at the end
 * of a word), `ẞ` → `ß`, Kelvin sign → `k`. The two only differ for characters whose case mapping changed
 * between Unicode 14.0 (Python 3.11) and Node's ICU version, of which there are none we know of.
 */
export function pyLower(s: string): string {
  return s.toLowerCase();
}
