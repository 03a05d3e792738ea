/**
 * sacreBLEU 2.6.0 `TokenizerZh` (Shujian Huang's Chinese tokenizer): strip the line, put spaces around every
 * "Chinese character", then apply `TokenizerRegexp` (the 13a punctuation rules) — with none of 13a's clean-up:
 * HTML entities stay escaped (`&amp;` → `&`, `amp;`), `<skipped>` stays, `-\n` is not joined, and the line is *not*
 * padded with spaces, so a line-initial `.5` and a line-final `5.` stay single tokens.
 *
 * "Chinese character" is `_is_chinese_char`: `start <= ch <= end` string comparisons over `_UCODE_RANGES`. Two of
 * those literals are written with five hex digits after `\u`, which Python reads as a 4-digit escape followed by a
 * digit: `'\u20000'` is the two characters U+2000 + `0` and `'\u2a6d6'` is U+2A6D + `6`. Comparing a single
 * character `c` with them gives `'\u2000' + '0' <= c` ⟺ c ≥ U+2001 and `c <= '\u2a6d' + '6'` ⟺ c ≤ U+2A6D, so the
 * "CJK Extension B" entry really covers U+2001–U+2A6D (general punctuation such as `—` `“` `”` `…`, currency signs
 * such as `€`, letterlike symbols, arrows, maths operators, box drawing, dingbat-adjacent blocks …) and no astral
 * ideograph at all; `'\u2f800'..'\u2fa1d'` likewise becomes U+2F81–U+2FA1 (inside Kangxi Radicals, already listed).
 * Since every range ends at or below U+FFEF, no character outside the BMP (emoji, CJK Extension B–G) is split off.
 */
import { regexpTokens } from "./regexp.js";

/** `_UCODE_RANGES` as Python actually evaluates the literals (inclusive code point bounds), in source order. */
export const ZH_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4db5], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fa5], // CJK Unified Ideographs
  [0x9fa6, 0x9fbb], // CJK Unified Ideographs, release 4.1
  [0xf900, 0xfa2d], // CJK Compatibility Ideographs
  [0xfa30, 0xfa6a], // CJK Compatibility Ideographs, release 3.2
  [0xfa70, 0xfad9], // CJK Compatibility Ideographs, release 4.1
  [0x2001, 0x2a6d], // literal ('\u20000', '\u2a6d6'): NOT Extension B, see the file comment
  [0x2f81, 0x2fa1], // literal ('\u2f800', '\u2fa1d'): NOT the Compatibility Supplement
  [0xff00, 0xffef], // full-width ASCII and punctuation, half-width kana, half-width Hangul
  [0x2e80, 0x2eff], // CJK Radicals Supplement
  [0x3000, 0x303f], // CJK punctuation (incl. U+3000 ideographic space)
  [0x31c0, 0x31ef], // CJK strokes
  [0x2f00, 0x2fdf], // Kangxi Radicals
  [0x2ff0, 0x2fff], // ideographic description characters
  [0x3100, 0x312f], // Bopomofo
  [0x31a0, 0x31bf], // Bopomofo extended
  [0xfe10, 0xfe1f], // vertical forms
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0x2600, 0x26ff], // miscellaneous symbols
  [0x2700, 0x27bf], // dingbats
  [0x3200, 0x32ff], // enclosed CJK letters and months
  [0x3300, 0x33ff], // CJK compatibility
];

/** 1 for every BMP code unit that `_is_chinese_char` accepts. */
const ZH_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(0x10000);
  for (const [a, b] of ZH_RANGES) t.fill(1, a, b + 1);
  return t;
})();

/** `TokenizerZh._is_chinese_char` for one code point (lone surrogates and astral code points: false). */
export function isZhChineseChar(cp: number): boolean {
  return cp < 0x10000 && ZH_TABLE[cp] === 1;
}

/** The character loop of `TokenizerZh.__call__`: `" " + ch + " "` for Chinese characters, others unchanged. */
export function spaceChineseChars(line: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // Surrogates (0xD800–0xDFFF) are never in ZH_TABLE, so astral characters are copied through untouched.
    if (ZH_TABLE[c] === 1) {
      out += `${line.slice(start, i)} ${line[i]} `;
      start = i + 1;
    }
  }
  return start === 0 ? line : out + line.slice(start);
}

/** Tokens of `TokenizerZh()(line)` for a line that has already been stripped (`line.strip()`). */
export function tokenizeZhStripped(line: string): string[] {
  return regexpTokens(spaceChineseChars(line));
}
