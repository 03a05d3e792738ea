/**
 * Incremental BLEU and chrF: score a hypothesis that grows one piece (model token, text fragment) at a time,
 * returning after every piece exactly what `sentenceBleu` / `sentenceChrf` return for the text so far, without
 * rescoring from scratch.
 *
 * How: the reference side is preprocessed once. The hypothesis is split at its last *separator* (a whitespace
 * character at which the tokenizer's output can be cut, see `tokenizers/index.ts`): the tokens before it can no
 * longer change, whatever is appended. On each push only the text after the previous cut — usually one or two
 * words — is lowercased and tokenized again; its tokens are compared with the previous tail's, the n-grams of the
 * tokens that changed are removed and the new ones added (`NgramStack`: ≤ maxOrder n-gram updates per token), and
 * the score is recomputed from the integer statistics with the same arithmetic as the batch scorers.
 * Lowercasing is also separable at whitespace: the only context-dependent mapping (final sigma) never looks
 * across a whitespace character, since whitespace is neither cased nor case-ignorable.
 */
import {
  BleuHypState,
  type BleuOptions,
  BleuReferenceSet,
  bleuScoreInto,
  bleuTokens,
  type ResolvedBleuOptions,
  resolveBleuOptions,
} from "./bleu.js";
import { checkRefList } from "./bleu-validate.js";
import {
  ChrfHypState,
  type ChrfOptions,
  ChrfReferenceSet,
  type ChrfStreamHyp,
  chrfChars,
  chrfWords,
  type ResolvedChrfOptions,
  resolveChrfOptions,
} from "./chrf.js";
import { RewardsInputError } from "./errors.js";
import { allocFloat64 } from "./incremental-ngrams.js";
import type { IncrementalScorer } from "./reward.js";
import { isPyWhitespace, PY_WS_TABLE, pyLower, pyRstrip } from "./tokenizers/python.js";

/** Module-local copy of Python's whitespace test (see `PY_WS_TABLE`). */
const WS = PY_WS_TABLE;
function isWs(c: number): boolean {
  return c <= 0x3000 && WS[c] === 1;
}

/**
 * Tracks the unstable end of the growing text. Only the text since the last cut is kept (`tail`): holding the
 * whole text as one growing string would make V8 flatten an ever longer rope on every push.
 */
class TailTracker {
  /** The text since the last cut. */
  tail = "";
  /** Whether anything precedes `tail`. */
  prefixNonEmpty = false;
  /** Whether a non-whitespace character precedes `tail`. */
  prefixHasContent = false;
  readonly #isSeparator: (c: number) => boolean;

  constructor(isSeparator: (c: number) => boolean) {
    this.#isSeparator = isSeparator;
  }

  /**
   * Appends `piece` and returns the new cut, an index into `tail`: just after the last separator that is followed
   * by a non-whitespace character (0 when there is none). Text before it can never be re-tokenized differently.
   */
  append(piece: string): number {
    this.tail += piece;
    const t = this.tail;
    let e = t.length - 1;
    while (e >= 0 && isWs(t.charCodeAt(e))) e--;
    for (let i = e - 1; i >= 0; i--) {
      if (this.#isSeparator(t.charCodeAt(i))) return i + 1;
    }
    return 0;
  }

  /** Drops `tail[0:cut]` into the stable prefix. */
  advance(cut: number): void {
    if (cut === 0) return;
    const t = this.tail;
    if (!this.prefixHasContent) {
      for (let i = 0; i < cut; i++) {
        if (!isWs(t.charCodeAt(i))) {
          this.prefixHasContent = true;
          break;
        }
      }
    }
    this.prefixNonEmpty = true;
    this.tail = t.slice(cut);
  }

  reset(): void {
    this.tail = "";
    this.prefixNonEmpty = false;
    this.prefixHasContent = false;
  }
}

/**
 * For chrF without word n-grams: the code units after which the text may be cut. Character n-grams run over code
 * points, so any cut works except inside a surrogate pair (never after a high surrogate); with lowercasing, only
 * after BMP characters that lowercase to themselves and are neither cased nor case-ignorable, so that no
 * final-sigma decision looks across the cut. Tables are built on first use.
 */
let chrfCutTables: { plain: Uint8Array; lower: Uint8Array } | undefined;
function chrfCharCut(lowercase: boolean): (c: number) => boolean {
  if (chrfCutTables === undefined) {
    const plain = new Uint8Array(0x10000).fill(1);
    plain.fill(0, 0xd800, 0xdc00);
    const lower = new Uint8Array(0x10000);
    const caseSensitive = /[\p{Cased}\p{Case_Ignorable}]/u;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      if (pyLower(ch) === ch && !caseSensitive.test(ch)) lower[c] = 1;
    }
    chrfCutTables = { plain, lower };
  }
  const table = lowercase ? chrfCutTables.lower : chrfCutTables.plain;
  return (c) => table[c] === 1;
}

/** True when every code unit of `s[from:to]` satisfies `pred`. */
function allMatch(s: string, from: number, to: number, pred: (c: number) => boolean): boolean {
  for (let i = from; i < to; i++) if (!pred(s.charCodeAt(i))) return false;
  return true;
}

/** The index just after the last non-whitespace character of `s[0:end]` (0 when there is none). */
function contentEnd(s: string, end: number): number {
  let k = end;
  while (k > 0 && isWs(s.charCodeAt(k - 1))) k--;
  return k;
}

/** True when `s` has a non-whitespace character. */
function hasContent(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return true;
  return false;
}

/** A push/pop stack of symbols whose tail can be replaced. */
interface SymbolStack {
  readonly length: number;
  symAt(pos: number): number;
  push(sym: number): void;
  pop(): void;
}

/** Replaces the stack's entries from `stable` on by `next` (symbol ids), popping and pushing only what differs. */
function replaceTail(stack: SymbolStack, stable: number, next: readonly number[]): void {
  const len = stack.length;
  let k = 0;
  while (k < next.length && stable + k < len && stack.symAt(stable + k) === (next[k] as number)) k++;
  for (let i = len; i > stable + k; i--) stack.pop();
  for (let i = k; i < next.length; i++) stack.push(next[i] as number);
}

/** {@link SymbolStack} view of BLEU's hypothesis state. */
class BleuSymbols implements SymbolStack {
  readonly #s: BleuHypState;
  constructor(s: BleuHypState) {
    this.#s = s;
  }
  get length(): number {
    return this.#s.stack.length;
  }
  symAt(pos: number): number {
    return this.#s.stack.symAt(pos);
  }
  push(sym: number): void {
    this.#s.push(sym);
  }
  pop(): void {
    this.#s.pop();
  }
}

/** {@link SymbolStack} view of one chrF stream. */
class ChrfSymbols<K extends string | number> implements SymbolStack {
  readonly #s: ChrfStreamHyp<K>;
  constructor(s: ChrfStreamHyp<K>) {
    this.#s = s;
  }
  get length(): number {
    return this.#s.stack.length;
  }
  symAt(pos: number): number {
    return this.#s.stack.symAt(pos);
  }
  push(sym: number): void {
    this.#s.push(sym);
  }
  pop(): void {
    this.#s.pop();
  }
}

function checkPiece(piece: unknown, fn: string): asserts piece is string {
  if (typeof piece !== "string") {
    throw new RewardsInputError("piece", `${fn}.push: expected a string piece, received ${typeof piece}.`);
  }
}

/** The scorer {@link bleuIncremental} returns. */
class BleuIncrementalScorer implements IncrementalScorer {
  readonly #o: ResolvedBleuOptions;
  readonly #refs: BleuReferenceSet;
  readonly #state: BleuHypState;
  readonly #view: BleuSymbols;
  readonly #tracker: TailTracker;
  readonly #totals: number[];
  readonly #precisions: number[];
  readonly #syms: number[] = [];
  #stable = 0;
  #score: number;

  constructor(o: ResolvedBleuOptions, refs: readonly string[]) {
    this.#o = o;
    this.#refs = new BleuReferenceSet(
      refs.map((r) => bleuTokens(o, r)),
      o.maxNgramOrder,
    );
    this.#state = new BleuHypState(this.#refs);
    this.#view = new BleuSymbols(this.#state);
    this.#tracker = new TailTracker(o.tokenizer.cutAfter(o.lowercase));
    this.#totals = new Array<number>(o.maxNgramOrder).fill(0);
    this.#precisions = new Array<number>(o.maxNgramOrder).fill(0);
    this.#score = this.#compute();
  }

  get score(): number {
    return this.#score;
  }

  #compute(): number {
    const o = this.#o;
    const len = this.#state.stack.length;
    const totals = this.#totals;
    for (let n = 1; n <= o.maxNgramOrder; n++) totals[n - 1] = Math.max(0, len - n + 1);
    return bleuScoreInto(
      this.#state.correct,
      totals,
      len,
      this.#refs.closestRefLen(len),
      o,
      this.#precisions,
    );
  }

  #prep(s: string): string {
    return this.#o.lowercase ? pyLower(s) : s;
  }

  /** Whether text that starts after the stable prefix plus `extra` follows a separator (see `BleuTokenizer.tail`). */
  #afterSep(extraHasContent: boolean, extraNonEmpty: boolean): boolean {
    const tr = this.#tracker;
    return this.#o.tokenizer.stripsLeft
      ? tr.prefixHasContent || extraHasContent
      : tr.prefixNonEmpty || extraNonEmpty;
  }

  push(piece: string): number {
    checkPiece(piece, "bleuIncremental");
    if (piece.length === 0) return this.#score;
    const tok = this.#o.tokenizer;
    const tracker = this.#tracker;
    const vocab = this.#refs.vocab;
    const prevLen = tracker.tail.length;
    const cut = tracker.append(piece);
    const t = tracker.tail;
    if (
      tok.endInsensitive &&
      cut > 0 &&
      cut >= prevLen &&
      allMatch(t, contentEnd(t, prevLen), cut, tok.isSeparator)
    ) {
      // Fast path (a piece that starts a new word): the part being made stable is the previous tail's content
      // followed by separators only, and for this tokenizer a chunk tokenizes the same whether or not it ends
      // the line, so its tokens are already on the stack (they were computed from the right-stripped tail). The
      // whitespace after that content must be separators too: for 13a a `\n` there is not (`-\n` joins words,
      // and right-stripping had removed it). Only the new tail is tokenized.
      this.#stable = this.#state.stack.length;
      for (const x of tok.tail(pyRstrip(this.#prep(t.slice(cut))), true)) this.#state.push(vocab.lookup(x));
    } else {
      const head = cut > 0 ? t.slice(0, cut) : "";
      const stablePart = cut > 0 ? tok.tail(this.#prep(head), this.#afterSep(false, false)) : [];
      const tail = tok.tail(
        pyRstrip(this.#prep(cut > 0 ? t.slice(cut) : t)),
        this.#afterSep(hasContent(head), cut > 0),
      );
      const syms = this.#syms;
      syms.length = 0;
      for (const x of stablePart) syms.push(vocab.lookup(x));
      for (const x of tail) syms.push(vocab.lookup(x));
      replaceTail(this.#view, this.#stable, syms);
      this.#stable += stablePart.length;
    }
    tracker.advance(cut);
    this.#score = this.#compute();
    return this.#score;
  }

  reset(): void {
    this.#state.clear();
    this.#tracker.reset();
    this.#stable = 0;
    this.#score = this.#compute();
  }
}

/** The scorer {@link chrfIncremental} returns. */
class ChrfIncrementalScorer implements IncrementalScorer {
  readonly #o: ResolvedChrfOptions;
  readonly #state: ChrfHypState;
  readonly #chars: ChrfSymbols<number>;
  readonly #words: ChrfSymbols<string>;
  readonly #tracker: TailTracker;
  readonly #best: Float64Array;
  #stableChars = 0;
  #stableWords = 0;
  #score: number;

  constructor(o: ResolvedChrfOptions, refs: readonly string[]) {
    this.#o = o;
    this.#state = new ChrfHypState(o, new ChrfReferenceSet(o, refs));
    // Without word n-grams the text can be cut after almost any character, not only at whitespace.
    this.#tracker = new TailTracker(o.wordOrder > 0 ? isPyWhitespace : chrfCharCut(o.lowercase));
    this.#chars = new ChrfSymbols(this.#state.chars);
    this.#words = new ChrfSymbols(this.#state.words);
    this.#best = allocFloat64(3 * (o.charOrder + o.wordOrder));
    this.#score = this.#compute();
  }

  get score(): number {
    return this.#score;
  }

  #compute(): number {
    return Math.max(0, this.#state.bestStats(this.#best));
  }

  #prep(s: string): string {
    return this.#o.lowercase ? pyLower(s) : s;
  }

  push(piece: string): number {
    checkPiece(piece, "chrfIncremental");
    if (piece.length === 0) return this.#score;
    const o = this.#o;
    const state = this.#state;
    const tracker = this.#tracker;
    const prevLen = tracker.tail.length;
    const cut = tracker.append(piece);
    const t = tracker.tail;
    if (!o.whitespace && cut > 0 && cut >= prevLen && allMatch(t, prevLen, cut, isWs)) {
      // Fast path (a piece that starts a new word): without whitespace n-grams the stable part (previous tail
      // plus whitespace) has exactly the characters and words already on the stacks; only the new tail is new.
      this.#stableChars = state.chars.stack.length;
      this.#stableWords = state.words.stack.length;
      const b = this.#prep(t.slice(cut));
      for (const c of chrfChars(b, false)) state.chars.push(state.chars.sym(c));
      if (o.wordOrder > 0) for (const w of chrfWords(b)) state.words.push(state.words.sym(w));
    } else {
      const a = cut > 0 ? this.#prep(t.slice(0, cut)) : "";
      const b = this.#prep(cut > 0 ? t.slice(cut) : t);
      const charsA = chrfChars(a, o.whitespace);
      const chars = charsA.concat(chrfChars(b, o.whitespace));
      replaceTail(
        this.#chars,
        this.#stableChars,
        chars.map((c) => state.chars.sym(c)),
      );
      this.#stableChars += charsA.length;
      if (o.wordOrder > 0) {
        const wordsA = chrfWords(a);
        const words = wordsA.concat(chrfWords(b));
        replaceTail(
          this.#words,
          this.#stableWords,
          words.map((w) => state.words.sym(w)),
        );
        this.#stableWords += wordsA.length;
      }
    }
    tracker.advance(cut);
    this.#score = this.#compute();
    return this.#score;
  }

  reset(): void {
    const state = this.#state;
    while (state.chars.stack.length > 0) state.chars.pop();
    while (state.words.stack.length > 0) state.words.pop();
    this.#tracker.reset();
    this.#stableChars = 0;
    this.#stableWords = 0;
    this.#score = this.#compute();
  }
}

/**
 * An incremental sentence-BLEU scorer (0–100 scale, like {@link sentenceBleu}).
 *
 * @param refs the references (at least one).
 * @param opts BLEU options, with sentence-level defaults (`effectiveOrder: true`).
 * @example
 * const s = bleuIncremental(["the cat sat on the mat"]);
 * for (const piece of ["the", " cat", " sat"]) s.push(piece); // === sentenceBleu("the cat sat", refs).score
 */
export function bleuIncremental(refs: readonly string[], opts?: BleuOptions): IncrementalScorer {
  const o = resolveBleuOptions(opts, true, "bleuIncremental");
  checkRefList(refs, "refs", "bleuIncremental");
  return new BleuIncrementalScorer(o, refs);
}

/**
 * An incremental sentence-chrF / chrF++ scorer (0–100 scale, like {@link sentenceChrf}).
 *
 * @param refs the references (at least one; the best-scoring one counts, as in sacreBLEU).
 * @param opts chrF options (`wordOrder: 2` for chrF++).
 */
export function chrfIncremental(refs: readonly string[], opts?: ChrfOptions): IncrementalScorer {
  const o = resolveChrfOptions(opts, "chrfIncremental");
  checkRefList(refs, "refs", "chrfIncremental");
  return new ChrfIncrementalScorer(o, refs);
}
