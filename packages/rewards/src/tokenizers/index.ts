/**
 * The BLEU tokenizers of sacreBLEU 2.6.0 behind one interface, plus the "tail" entry point the incremental scorers
 * use to re-tokenize only the end of a growing hypothesis.
 *
 * Separability: every rule of these tokenizers looks at one character or at two adjacent characters, and each rule
 * treats any whitespace character the same way as a plain space. So for a whitespace character at position a-1 the
 * tokens of a line are the tokens of `line[0:a]` followed by the tokens of `line[a:]` tokenized "after a space"
 * (the `13a` exception: `\n` is not a safe separator, since `-\n` joins words). The incremental scorers rely on this.
 */
import { RewardsInputError, RewardsOptionError } from "../errors.js";
import { isPyWhitespace, pyLower, pyLstrip, pyRstrip, pySplit } from "./python.js";
import { tokenize13a } from "./tokenizer-13a-fast.js";
import { tokenizeChar } from "./tokenizer-char.js";
import { tokenizeIntl } from "./tokenizer-intl.js";
import { isZhChineseChar, tokenizeZhStripped } from "./tokenizer-zh.js";

/** The BLEU tokenizer names, as in sacreBLEU's `tokenize=` argument (`ja-mecab`, `ko-mecab`, `spm` are not ported). */
export type BleuTokenizerName = "13a" | "intl" | "char" | "none" | "zh";

/** The accepted tokenizer names, in the order error messages list them. */
export const BLEU_TOKENIZERS: readonly BleuTokenizerName[] = ["13a", "intl", "char", "none", "zh"];

/** A sacreBLEU tokenizer: text in, whitespace-free tokens out. */
export interface BleuTokenizer {
  /** The name, which is also what the signature shows after `tok:`. */
  readonly name: BleuTokenizerName;
  /**
   * Tokens of a whole line that sacreBLEU's BLEU has already lowercased (if asked) and right-stripped:
   * `tokenizer(line).split()`.
   */
  line(line: string): string[];
  /**
   * Tokens of `text`, the end of a line that starts right after a separator character (`afterSeparator`) or at
   * the start of the line, and that either ends the (right-stripped) line or ends with a separator.
   */
  tail(text: string, afterSeparator: boolean): string[];
  /** True when the tokenizer strips leading whitespace, so "start of the line" means "only whitespace before". */
  readonly stripsLeft: boolean;
  /**
   * True when a chunk that ends the line tokenizes exactly like the same chunk followed by a separator (13a pads
   * the line with a space; char and none ignore context). False for intl and zh (`5.` at the end stays one token).
   */
  readonly endInsensitive: boolean;
  /** True when the UTF-16 code unit `c` is a separator at which the line may be cut (see the file comment). */
  isSeparator(c: number): boolean;
  /**
   * The characters after which the incremental scorers may cut the line when text is lowercased (`lowercase`) or
   * not: `isSeparator`, and for `zh` also every "Chinese character", which the tokenizer surrounds with spaces
   * (so unsegmented Chinese does not become one ever-growing tail). With lowercasing, only characters that
   * lowercase to themselves and are neither cased nor case-ignorable qualify, so that final-sigma decisions never
   * look across a cut.
   */
  cutAfter(lowercase: boolean): (c: number) => boolean;
}

const isWs = (c: number): boolean => isPyWhitespace(c);

const T13A: BleuTokenizer = {
  name: "13a",
  line: tokenize13a,
  // 13a pads the line with spaces, so text after a separator tokenizes as at the start of a line.
  tail: (text) => tokenize13a(text),
  stripsLeft: false,
  endInsensitive: true,
  isSeparator: (c) => c !== 0x0a && isPyWhitespace(c),
  cutAfter() {
    return this.isSeparator;
  },
};

const INTL: BleuTokenizer = {
  name: "intl",
  line: tokenizeIntl,
  // No padding: a preceding separator changes the result (` .5` splits, `.5` does not), so supply one.
  tail: (text, after) => tokenizeIntl(after ? ` ${text}` : text),
  stripsLeft: false,
  endInsensitive: false,
  isSeparator: isWs,
  cutAfter() {
    return this.isSeparator;
  },
};

/**
 * Code units after which unsegmented Chinese text may be cut: whitespace or a `zh` "Chinese character"; with
 * `lowercase`, minus the characters whose lowercasing could depend on, or affect, a neighbour. Built on first use.
 */
let zhCutTables: { plain: Uint8Array; lower: Uint8Array } | undefined;
function zhCutTable(lowercase: boolean): Uint8Array {
  if (zhCutTables === undefined) {
    const plain = new Uint8Array(0x10000);
    for (let c = 0; c < 0x10000; c++) if (isPyWhitespace(c) || isZhChineseChar(c)) plain[c] = 1;
    const lower = plain.slice();
    const caseSensitive = /[\p{Cased}\p{Case_Ignorable}]/u;
    for (let c = 0; c < 0x10000; c++) {
      if (lower[c] === 1 && !isPyWhitespace(c)) {
        const ch = String.fromCharCode(c);
        if (pyLower(ch) !== ch || caseSensitive.test(ch)) lower[c] = 0;
      }
    }
    zhCutTables = { plain, lower };
  }
  return lowercase ? zhCutTables.lower : zhCutTables.plain;
}

const ZH: BleuTokenizer = {
  name: "zh",
  // `TokenizerZh.__call__` strips the (already right-stripped) line itself.
  line: (line) => tokenizeZhStripped(pyLstrip(line)),
  tail: (text, after) => tokenizeZhStripped(after ? ` ${text}` : pyLstrip(text)),
  stripsLeft: true,
  endInsensitive: false,
  isSeparator: isWs,
  cutAfter: (lowercase) => {
    const table = zhCutTable(lowercase);
    return (c) => c < 0x10000 && table[c] === 1;
  },
};

const CHAR: BleuTokenizer = {
  name: "char",
  line: tokenizeChar,
  tail: (text) => tokenizeChar(text),
  stripsLeft: false,
  endInsensitive: true,
  isSeparator: isWs,
  cutAfter() {
    return this.isSeparator;
  },
};

const NONE: BleuTokenizer = {
  name: "none",
  line: pySplit,
  tail: (text) => pySplit(text),
  stripsLeft: false,
  endInsensitive: true,
  isSeparator: isWs,
  cutAfter() {
    return this.isSeparator;
  },
};

const REGISTRY: Readonly<Record<BleuTokenizerName, BleuTokenizer>> = {
  "13a": T13A,
  intl: INTL,
  char: CHAR,
  none: NONE,
  zh: ZH,
};

/** Returns the tokenizer called `name`, or throws {@link RewardsOptionError} naming the valid choices. */
export function getBleuTokenizer(name: unknown, field = "tokenize"): BleuTokenizer {
  if (typeof name === "string" && Object.hasOwn(REGISTRY, name)) return REGISTRY[name as BleuTokenizerName];
  throw new RewardsOptionError(
    field,
    `unknown BLEU tokenizer ${JSON.stringify(name)}; expected one of ${BLEU_TOKENIZERS.map((t) => `"${t}"`).join(", ")} ` +
      `(sacreBLEU's ja-mecab, ko-mecab and spm are not available). Example: { ${field}: "13a" }.`,
  );
}

/**
 * The tokens BLEU sees for `text`: sacreBLEU's `_preprocess_segment` (optional `str.lower()`, `rstrip()`, the
 * tokenizer) followed by `.split()`.
 *
 * @param opts.tokenize tokenizer name. @default "13a"
 * @param opts.lowercase lowercase first. @default false
 * @example bleuTokenize("Hello, world!") // ["Hello", ",", "world", "!"]
 */
export function bleuTokenize(
  text: string,
  opts: { tokenize?: BleuTokenizerName; lowercase?: boolean } = {},
): string[] {
  if (typeof text !== "string") {
    throw new RewardsInputError(
      "text",
      `bleuTokenize: expected \`text\` to be a string, received ${typeof text}.`,
    );
  }
  const tok = getBleuTokenizer(opts.tokenize ?? "13a");
  return tok.line(pyRstrip(opts.lowercase === true ? pyLower(text) : text));
}
