/**
 * The Porter stemmer as NLTK 3.8 implements it (`nltk/stem/porter.py`), ported rule for rule, with its three
 * modes. rouge-score uses the default `NLTK_EXTENSIONS` mode, which adds an irregular-forms table
 * (`skies` → `sky`, `dying` → `die`, …), leaves words of one or two letters alone and changes a few rules
 * (`ies`/`ied` on four-letter words, `y` → `i`, `alli`, `fulli`, `logi`).
 *
 * Like NLTK it works on Python strings; rouge-score only ever passes `[a-z0-9]+` tokens longer than 3.
 */

/** NLTK `PorterStemmer` modes. */
export type PorterMode = "NLTK_EXTENSIONS" | "MARTIN_EXTENSIONS" | "ORIGINAL_ALGORITHM";

type Condition = ((stem: string) => boolean) | null;
/** `[suffix, replacement, condition]`; the suffix `"*d"` means "ends in a double consonant". */
type Rule = readonly [string, string, Condition];

const IRREGULAR_FORMS: Readonly<Record<string, readonly string[]>> = {
  sky: ["sky", "skies"],
  die: ["dying"],
  lie: ["lying"],
  tie: ["tying"],
  news: ["news"],
  inning: ["innings", "inning"],
  outing: ["outings", "outing"],
  canning: ["cannings", "canning"],
  howe: ["howe"],
  proceed: ["proceed"],
  exceed: ["exceed"],
  succeed: ["succeed"],
};

const VOWELS = new Set(["a", "e", "i", "o", "u"]);

/** A Porter stemmer; `stem()` is pure, so one instance can be shared. */
export class PorterStemmer {
  /** The mode this stemmer runs in. */
  readonly mode: PorterMode;
  readonly #pool = new Map<string, string>();

  /** @param mode NLTK mode. @default "NLTK_EXTENSIONS" */
  constructor(mode: PorterMode = "NLTK_EXTENSIONS") {
    if (mode !== "NLTK_EXTENSIONS" && mode !== "MARTIN_EXTENSIONS" && mode !== "ORIGINAL_ALGORITHM") {
      throw new TypeError(
        `PorterStemmer: mode must be "NLTK_EXTENSIONS", "MARTIN_EXTENSIONS" or "ORIGINAL_ALGORITHM", received ${String(mode)}`,
      );
    }
    this.mode = mode;
    if (mode === "NLTK_EXTENSIONS") {
      for (const [key, forms] of Object.entries(IRREGULAR_FORMS))
        for (const f of forms) this.#pool.set(f, key);
    }
  }

  #isConsonant(word: string, i: number): boolean {
    const ch = word[i]!;
    if (VOWELS.has(ch)) return false;
    if (ch === "y") return i === 0 ? true : !this.#isConsonant(word, i - 1);
    return true;
  }

  /** m in [C](VC){m}[V]: the number of "vc" pairs in the consonant/vowel pattern. */
  #measure(stem: string): number {
    let m = 0;
    let prevVowel = false;
    for (let i = 0; i < stem.length; i++) {
      const c = this.#isConsonant(stem, i);
      if (c && prevVowel) m++;
      prevVowel = !c;
    }
    return m;
  }

  #hasPositiveMeasure = (stem: string): boolean => this.#measure(stem) > 0;

  #containsVowel(stem: string): boolean {
    for (let i = 0; i < stem.length; i++) if (!this.#isConsonant(stem, i)) return true;
    return false;
  }

  /** Condition *d: ends with a double consonant. */
  #endsDoubleConsonant(word: string): boolean {
    const n = word.length;
    return n >= 2 && word[n - 1] === word[n - 2] && this.#isConsonant(word, n - 1);
  }

  /** Condition *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK: or a two-letter vc word). */
  #endsCvc(word: string): boolean {
    const n = word.length;
    return (
      (n >= 3 &&
        this.#isConsonant(word, n - 3) &&
        !this.#isConsonant(word, n - 2) &&
        this.#isConsonant(word, n - 1) &&
        word[n - 1] !== "w" &&
        word[n - 1] !== "x" &&
        word[n - 1] !== "y") ||
      (this.mode === "NLTK_EXTENSIONS" &&
        n === 2 &&
        !this.#isConsonant(word, 0) &&
        this.#isConsonant(word, 1))
    );
  }

  #replaceSuffix(word: string, suffix: string, replacement: string): string {
    return suffix === "" ? word + replacement : word.slice(0, word.length - suffix.length) + replacement;
  }

  /** Applies the first rule whose suffix matches; a failed condition stops the search. */
  #applyRuleList(word: string, rules: readonly Rule[]): string {
    for (const [suffix, replacement, condition] of rules) {
      if (suffix === "*d" && this.#endsDoubleConsonant(word)) {
        const stem = word.slice(0, word.length - 2);
        return condition === null || condition(stem) ? stem + replacement : word;
      }
      if (word.endsWith(suffix)) {
        const stem = this.#replaceSuffix(word, suffix, "");
        return condition === null || condition(stem) ? stem + replacement : word;
      }
    }
    return word;
  }

  #step1a(word: string): string {
    // NLTK-only: 'flies' -> 'fli' but 'dies' -> 'die'
    if (this.mode === "NLTK_EXTENSIONS" && word.endsWith("ies") && word.length === 4) {
      return this.#replaceSuffix(word, "ies", "ie");
    }
    return this.#applyRuleList(word, [
      ["sses", "ss", null],
      ["ies", "i", null],
      ["ss", "ss", null],
      ["s", "", null],
    ]);
  }

  #step1b(word: string): string {
    // NLTK-only: 'spied' -> 'spi' but 'died' -> 'die'
    if (this.mode === "NLTK_EXTENSIONS" && word.endsWith("ied")) {
      return word.length === 4
        ? this.#replaceSuffix(word, "ied", "ie")
        : this.#replaceSuffix(word, "ied", "i");
    }
    // (m>0) EED -> EE
    if (word.endsWith("eed")) {
      const stem = this.#replaceSuffix(word, "eed", "");
      return this.#measure(stem) > 0 ? `${stem}ee` : word;
    }
    let intermediate: string | undefined;
    for (const suffix of ["ed", "ing"]) {
      if (word.endsWith(suffix)) {
        const s = this.#replaceSuffix(word, suffix, "");
        if (this.#containsVowel(s)) {
          intermediate = s;
          break;
        }
      }
    }
    if (intermediate === undefined) return word;
    const stem0 = intermediate;
    const last = stem0[stem0.length - 1]!;
    return this.#applyRuleList(stem0, [
      ["at", "ate", null],
      ["bl", "ble", null],
      ["iz", "ize", null],
      // (*d and not (*L or *S or *Z)) -> single letter
      ["*d", last, () => last !== "l" && last !== "s" && last !== "z"],
      // (m=1 and *o) -> E
      ["", "e", (stem) => this.#measure(stem) === 1 && this.#endsCvc(stem)],
    ]);
  }

  #step1c(word: string): string {
    const condition: Condition =
      this.mode === "NLTK_EXTENSIONS"
        ? // y -> i only after a consonant that is not the whole stem: 'happy' -> 'happi', 'enjoy' stays
          (stem) => stem.length > 1 && this.#isConsonant(stem, stem.length - 1)
        : (stem) => this.#containsVowel(stem);
    return this.#applyRuleList(word, [["y", "i", condition]]);
  }

  #step2(word: string): string {
    const pos = this.#hasPositiveMeasure;
    if (this.mode === "NLTK_EXTENSIONS") {
      // apply ALLI -> AL first and, if it succeeds, run step 2 again
      if (word.endsWith("alli") && pos(this.#replaceSuffix(word, "alli", ""))) {
        return this.#step2(this.#replaceSuffix(word, "alli", "al"));
      }
    }
    const rules: Rule[] = [
      ["ational", "ate", pos],
      ["tional", "tion", pos],
      ["enci", "ence", pos],
      ["anci", "ance", pos],
      ["izer", "ize", pos],
      this.mode === "ORIGINAL_ALGORITHM" ? ["abli", "able", pos] : ["bli", "ble", pos],
      ["alli", "al", pos],
      ["entli", "ent", pos],
      ["eli", "e", pos],
      ["ousli", "ous", pos],
      ["ization", "ize", pos],
      ["ation", "ate", pos],
      ["ator", "ate", pos],
      ["alism", "al", pos],
      ["iveness", "ive", pos],
      ["fulness", "ful", pos],
      ["ousness", "ous", pos],
      ["aliti", "al", pos],
      ["iviti", "ive", pos],
      ["biliti", "ble", pos],
    ];
    if (this.mode === "NLTK_EXTENSIONS") {
      rules.push(["fulli", "ful", pos]);
      // the 'l' of 'logi' -> 'log' stays with the stem, so 'geo', 'theo' behave like 'archaeo', 'philo'
      rules.push(["logi", "log", () => pos(word.slice(0, word.length - 3))]);
    }
    if (this.mode === "MARTIN_EXTENSIONS") rules.push(["logi", "log", pos]);
    return this.#applyRuleList(word, rules);
  }

  #step3(word: string): string {
    const pos = this.#hasPositiveMeasure;
    return this.#applyRuleList(word, [
      ["icate", "ic", pos],
      ["ative", "", pos],
      ["alize", "al", pos],
      ["iciti", "ic", pos],
      ["ical", "ic", pos],
      ["ful", "", pos],
      ["ness", "", pos],
    ]);
  }

  #step4(word: string): string {
    const gt1 = (stem: string): boolean => this.#measure(stem) > 1;
    return this.#applyRuleList(word, [
      ["al", "", gt1],
      ["ance", "", gt1],
      ["ence", "", gt1],
      ["er", "", gt1],
      ["ic", "", gt1],
      ["able", "", gt1],
      ["ible", "", gt1],
      ["ant", "", gt1],
      ["ement", "", gt1],
      ["ment", "", gt1],
      ["ent", "", gt1],
      // (m>1 and (*S or *T)) ION ->
      ["ion", "", (stem) => this.#measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))],
      ["ou", "", gt1],
      ["ism", "", gt1],
      ["ate", "", gt1],
      ["iti", "", gt1],
      ["ous", "", gt1],
      ["ive", "", gt1],
      ["ize", "", gt1],
    ]);
  }

  #step5a(word: string): string {
    // both E rules are tried, so this can't use applyRuleList
    if (word.endsWith("e")) {
      const stem = this.#replaceSuffix(word, "e", "");
      if (this.#measure(stem) > 1) return stem;
      if (this.#measure(stem) === 1 && !this.#endsCvc(stem)) return stem;
    }
    return word;
  }

  #step5b(word: string): string {
    return this.#applyRuleList(word, [["ll", "l", () => this.#measure(word.slice(0, word.length - 1)) > 1]]);
  }

  /**
   * Stems one word (NLTK `stem(word, to_lowercase=True)`).
   * @param toLowercase lowercase the word first. @default true
   */
  stem(word: string, toLowercase = true): string {
    let stem = toLowercase ? word.toLowerCase() : word;
    if (this.mode === "NLTK_EXTENSIONS" && this.#pool.has(word)) return this.#pool.get(stem)!;
    // words of length 1 or 2 are not stemmed (not in the published algorithm)
    if (this.mode !== "ORIGINAL_ALGORITHM" && word.length <= 2) return stem;
    stem = this.#step1a(stem);
    stem = this.#step1b(stem);
    stem = this.#step1c(stem);
    stem = this.#step2(stem);
    stem = this.#step3(stem);
    stem = this.#step4(stem);
    stem = this.#step5a(stem);
    stem = this.#step5b(stem);
    return stem;
  }
}
