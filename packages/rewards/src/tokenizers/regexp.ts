/**
 * sacreBLEU's `TokenizerRegexp`: the mteval-v13a punctuation rules shared by the `13a` and `zh` tokenizers.
 * The four regexes run in sequence over the whole line, exactly as Python's `re.sub` does (left to right,
 * non-overlapping); JS `replace` with a global regex has the same semantics. The `u` flag makes `[^0-9]` consume a
 * whole code point, as Python does.
 */
import { pySplit } from "./python.js";

/** ASCII punctuation split off everywhere: `{|}~ [\]^_\` space!"#$%& ()*+ :;<=>? @ /` (not `'`, `-`, `.`, `,`). */
const RE_PUNCT = /([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu;
/** Period and comma unless preceded by a digit. */
const RE_PERIOD_COMMA_PRE = /([^0-9])([.,])/gu;
/** Period and comma unless followed by a digit. */
const RE_PERIOD_COMMA_POST = /([.,])([^0-9])/gu;
/** Dash when preceded by a digit. */
const RE_DASH = /([0-9])(-)/gu;

/** The regex passes of `TokenizerRegexp.__call__`, returning the tokens of `' '.join(line.strip().split())`. */
export function regexpTokens(line: string): string[] {
  let s = line.replace(RE_PUNCT, " $1 ");
  s = s.replace(RE_PERIOD_COMMA_PRE, "$1 $2 ");
  s = s.replace(RE_PERIOD_COMMA_POST, " $1 $2");
  s = s.replace(RE_DASH, "$1 $2 ");
  return pySplit(s);
}
