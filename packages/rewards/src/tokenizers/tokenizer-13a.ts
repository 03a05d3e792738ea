/**
 * sacreBLEU 2.6.0 `Tokenizer13a` (mteval-v13a.pl): language-independent clean-up, then `TokenizerRegexp` on the
 * line padded with one space on each side (so a leading `.5` splits and a trailing `5.` splits, unlike `zh`).
 */
import { regexpTokens } from "./regexp.js";

const RE_SKIPPED = /<skipped>/g;
const RE_DASH_NL = /-\n/g;
const RE_NL = /\n/g;

/** The replacements of `Tokenizer13a.__call__`, in its order. HTML `&apos;` is *not* unescaped (nor in mteval). */
export function clean13a(line: string): string {
  let s = line;
  if (s.indexOf("<skipped>") >= 0) s = s.replace(RE_SKIPPED, "");
  if (s.indexOf("\n") >= 0) s = s.replace(RE_DASH_NL, "").replace(RE_NL, " ");
  if (s.indexOf("&") >= 0) {
    s = s.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  return s;
}

/** Tokens of `Tokenizer13a()(line)` (the caller has already lowercased and right-stripped, as sacreBLEU does). */
export function tokenize13aRegexp(line: string): string[] {
  return regexpTokens(` ${clean13a(line)} `);
}
