/**
 * sacreBLEU 2.6.0 `TokenizerV14International` (mteval-v14.pl `--international-tokenization`): punctuation (`\p{P}`)
 * is split off unless it sits between digits, symbols (`\p{S}`) always. No padding: a line-initial `.5` or a
 * line-final `5.` stays one token, as in mteval-v14. sacreBLEU uses the `regex` module's Unicode categories; JS
 * `\p{…}` with the `u` flag reads the same general categories.
 */
import { pySplit } from "./python.js";

const RE_P_AFTER_NON_DIGIT = /(\P{N})(\p{P})/gu;
const RE_P_BEFORE_NON_DIGIT = /(\p{P})(\P{N})/gu;
const RE_SYMBOL = /(\p{S})/gu;

/** Tokens of `TokenizerV14International()(line)`. */
export function tokenizeIntl(line: string): string[] {
  let s = line.replace(RE_P_AFTER_NON_DIGIT, "$1 $2 ");
  s = s.replace(RE_P_BEFORE_NON_DIGIT, " $1 $2");
  s = s.replace(RE_SYMBOL, " $1 ");
  return pySplit(s);
}
