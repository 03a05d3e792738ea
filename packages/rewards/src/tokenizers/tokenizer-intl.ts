/**
 * sacreBLEU 2.6.0 `TokenizerV14International` (mteval-v14.pl `--international-tokenization`): punctuation (`\p{P}`)
 * is split off unless it sits between digits, symbols (`\p{S}`) always. No padding: a line-initial `.5` or a
 * line-final `5.` stays one token, as in mteval-v14. The categories are Unicode 15.0.0's, those of the `regex`
 * module sacreBLEU used (see `intl-unicode15.ts`), not the runtime's newer ones.
 */
import { UNICODE15_N, UNICODE15_P, UNICODE15_S } from "./intl-unicode15.js";
import { pySplit } from "./python.js";

/** `(\P{N})(\p{P})` → `\1 \2 `: punctuation preceded by a non-digit. */
const RE_P_AFTER_NON_DIGIT = new RegExp(`([^${UNICODE15_N}])([${UNICODE15_P}])`, "gu");
/** `(\p{P})(\P{N})` → ` \1 \2`: punctuation followed by a non-digit. */
const RE_P_BEFORE_NON_DIGIT = new RegExp(`([${UNICODE15_P}])([^${UNICODE15_N}])`, "gu");
/** `(\p{S})` → ` \1 `: every symbol. */
const RE_SYMBOL = new RegExp(`([${UNICODE15_S}])`, "gu");

/** Tokens of `TokenizerV14International()(line)`. */
export function tokenizeIntl(line: string): string[] {
  let s = line.replace(RE_P_AFTER_NON_DIGIT, "$1 $2 ");
  s = s.replace(RE_P_BEFORE_NON_DIGIT, " $1 $2");
  s = s.replace(RE_SYMBOL, " $1 ");
  return pySplit(s);
}
