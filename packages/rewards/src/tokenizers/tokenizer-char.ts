/** sacreBLEU 2.6.0 `TokenizerChar`: every code point is a token (whitespace vanishes in the final split). */
import { isPyWhitespace } from "./python.js";

/** Tokens of `TokenizerChar()(line).split()`: the non-whitespace code points of `line`. */
export function tokenizeChar(line: string): string[] {
  const out: string[] = [];
  for (const ch of line) {
    if (!isPyWhitespace(ch.charCodeAt(0)) || ch.length > 1) out.push(ch);
  }
  return out;
}
