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

/** True when every code unit of `s[from:to]` satisfies `pred`. */
function allMatch(s: string, from: number, to: number, pred: (c: number) => boolean): boolean {
  for (let i = from; i < to; i++) if (!pred(s.charCodeAt(i))) return false;
  return true;
}

/** True when `s` has a non-whitespace character. */
function hasContent(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return true;
  return false;
}

/**
 * Replaces the stack's entries from `stable` on by `next` (symbol ids), popping only what differs.
 * `pushFn` / `popFn` keep the metric's statistics in step.
 */
function replaceTail(
  length: () => number,
  symAt: (pos: number) => number,
  stable: number,
  next: ArrayLike<number>,
  push: (sym: number) => void,
  pop: () => void,
): void {
  const len = length();
  let k = 0;
  while (k < next.length && stable + k < len && symAt(stable + k) === (next[k] as number)) k++;
  for (let i = len; i > stable + k; i--) pop();
  for (let i = k; i < next.length; i++) push(next[i] as number);
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
  const refSet = new BleuReferenceSet(
    refs.map((r) => bleuTokens(o, r)),
    o.maxNgramOrder,
  );
  const state = new BleuHypState(refSet);
  const tok = o.tokenizer;
  const tracker = new TailTracker((c) => tok.isSeparator(c));
  let stable = 0;
  const totals: number[] = new Array<number>(o.maxNgramOrder).fill(0);
  const syms: number[] = [];
  const precisions: number[] = new Array<number>(o.maxNgramOrder).fill(0);
  const prep = (s: string): string => (o.lowercase ? pyLower(s) : s);
  /** Whether a text starting after `extra` (the stable part about to be cut) follows a separator. */
  const afterSep = (extraHasContent: boolean, extraNonEmpty: boolean): boolean =>
    tok.stripsLeft ? tracker.prefixHasContent || extraHasContent : tracker.prefixNonEmpty || extraNonEmpty;

  const compute = (): number => {
    const len = state.stack.length;
    for (let n = 1; n <= o.maxNgramOrder; n++) totals[n - 1] = Math.max(0, len - n + 1);
    return bleuScoreInto(state.correct, totals, len, refSet.closestRefLen(len), o, precisions);
  };
  let score = compute();
  const push = (sym: number): void => state.push(sym);
  const pop = (): void => state.pop();
  const length = (): number => state.stack.length;
  const symAt = (p: number): number => state.stack.symAt(p);

  return {
    push(piece: string): number {
      if (typeof piece !== "string") {
        throw new RewardsInputError(
          "piece",
          `bleuIncremental.push: expected a string piece, received ${typeof piece}.`,
        );
      }
      if (piece.length === 0) return score;
      const prevLen = tracker.tail.length;
      const cut = tracker.append(piece);
      const t = tracker.tail;
      if (tok.endInsensitive && cut > 0 && cut >= prevLen && allMatch(t, prevLen, cut, tok.isSeparator)) {
        // Fast path (a piece that starts a new word): the part being made stable is the previous tail plus
        // separators, and for this tokenizer a chunk tokenizes the same whether or not it ends the line, so its
        // tokens are already on the stack. Only the new tail is tokenized.
        stable = state.stack.length;
        for (const x of tok.tail(pyRstrip(prep(t.slice(cut))), true)) state.push(refSet.vocab.lookup(x));
        tracker.advance(cut);
        score = compute();
        return score;
      }
      const head = cut > 0 ? t.slice(0, cut) : "";
      const stablePart = cut > 0 ? tok.tail(prep(head), afterSep(false, false)) : [];
      const tail = tok.tail(pyRstrip(prep(cut > 0 ? t.slice(cut) : t)), afterSep(hasContent(head), cut > 0));
      syms.length = 0;
      for (const x of stablePart) syms.push(refSet.vocab.lookup(x));
      for (const x of tail) syms.push(refSet.vocab.lookup(x));
      replaceTail(length, symAt, stable, syms, push, pop);
      stable += stablePart.length;
      tracker.advance(cut);
      score = compute();
      return score;
    },
    reset(): void {
      state.clear();
      tracker.reset();
      stable = 0;
      score = compute();
    },
    get score(): number {
      return score;
    },
  };
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
  const state = new ChrfHypState(o, new ChrfReferenceSet(o, refs));
  const tracker = new TailTracker(isPyWhitespace);
  const best = allocFloat64(3 * (o.charOrder + o.wordOrder));
  let stableChars = 0;
  let stableWords = 0;
  const prep = (s: string): string => (o.lowercase ? pyLower(s) : s);
  const compute = (): number => Math.max(0, state.bestStats(best));
  let score = compute();

  const update = <K extends string | number>(
    stream: ChrfStreamHyp<K>,
    stable: number,
    next: readonly K[],
  ): void => {
    const syms: number[] = [];
    for (const k of next) syms.push(stream.sym(k));
    replaceTail(
      () => stream.stack.length,
      (p) => stream.stack.symAt(p),
      stable,
      syms,
      (s) => stream.push(s),
      () => stream.pop(),
    );
  };

  return {
    push(piece: string): number {
      if (typeof piece !== "string") {
        throw new RewardsInputError(
          "piece",
          `chrfIncremental.push: expected a string piece, received ${typeof piece}.`,
        );
      }
      if (piece.length === 0) return score;
      const prevLen = tracker.tail.length;
      const cut = tracker.append(piece);
      const t = tracker.tail;
      if (!o.whitespace && cut > 0 && cut >= prevLen && allMatch(t, prevLen, cut, isWs)) {
        // Fast path (a piece that starts a new word): without whitespace n-grams the stable part (previous tail
        // plus whitespace) has exactly the characters and words already on the stacks; only the new tail is new.
        stableChars = state.chars.stack.length;
        stableWords = state.words.stack.length;
        const b = prep(t.slice(cut));
        for (const c of chrfChars(b, false)) state.chars.push(state.chars.sym(c));
        if (o.wordOrder > 0) for (const w of chrfWords(b)) state.words.push(state.words.sym(w));
        tracker.advance(cut);
        score = compute();
        return score;
      }
      const a = cut > 0 ? prep(t.slice(0, cut)) : "";
      const b = prep(cut > 0 ? t.slice(cut) : t);
      const charsA = chrfChars(a, o.whitespace);
      update(state.chars, stableChars, charsA.concat(chrfChars(b, o.whitespace)));
      stableChars += charsA.length;
      if (o.wordOrder > 0) {
        const wordsA = chrfWords(a);
        update(state.words, stableWords, wordsA.concat(chrfWords(b)));
        stableWords += wordsA.length;
      }
      tracker.advance(cut);
      score = compute();
      return score;
    },
    reset(): void {
      while (state.chars.stack.length > 0) state.chars.pop();
      while (state.words.stack.length > 0) state.words.pop();
      tracker.reset();
      stableChars = 0;
      stableWords = 0;
      score = compute();
    },
    get score(): number {
      return score;
    },
  };
}
