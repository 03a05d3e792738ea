import { describe, expect, it } from "vitest";
import { bleuTokenize, RewardsOptionError, sentenceBleu } from "../index.js";
import { isPyWhitespace, pyLen, pyLower, pyRemoveWhitespace, pyRstrip, pySplit, pyStrip } from "./python.js";
import { isZhChineseChar, ZH_RANGES } from "./tokenizer-zh.js";

const zh = (s: string): string[] => bleuTokenize(s, { tokenize: "zh" });
const t13a = (s: string): string[] => bleuTokenize(s, { tokenize: "13a" });
const intl = (s: string): string[] => bleuTokenize(s, { tokenize: "intl" });

describe("Python string semantics", () => {
  it("str.split() whitespace: \\x1c-\\x1f, \\x85, NBSP, U+2009, U+2028 split; U+FEFF and U+200B do not", () => {
    expect(pySplit("a\x1cb\x1dc\x1ed\x1fe\x85f\u00a0g\u2009h\u2028i\u3000j")).toEqual("abcdefghij".split(""));
    expect(pySplit("a\ufeffb\u200bc")).toEqual(["a\ufeffb\u200bc"]);
    expect(pySplit("  ")).toEqual([]);
    expect(isPyWhitespace(0x180e)).toBe(false); // Mongolian vowel separator is Cf since Unicode 6.3
  });
  it("strip/rstrip use the same set", () => {
    expect(pyRstrip("x \u2003\x1c")).toBe("x");
    expect(pyStrip("\u0085 x \ufeff")).toBe("x \ufeff");
    expect(pyRemoveWhitespace(" a b\tc\u00a0d ")).toBe("abcd");
  });
  it("str.lower() special cases and code-point length", () => {
    expect(pyLower("İ")).toBe("i\u0307"); // two code points
    expect(pyLower("ẞ")).toBe("ß");
    expect(pyLower("\u212a")).toBe("k"); // Kelvin sign
    expect(pyLower("ΟΔΟΣ ΣΟΦΟΣ")).toBe("οδος σοφος"); // final sigma, as CPython
    expect(pyLen("a😀b")).toBe(3);
  });
  it("str.lower() keeps letters encoded after Unicode 14.0 (Python 3.11) unchanged", () => {
    // Checked against CPython 3.11.7: 'AΣ\U00010d50Σb ΟΔΟΣ \ua7cbX'.lower() == 'aς𐵐σb οδος Ɤx'.
    // U+10D50 (Garay, Unicode 16) is neither cased nor case-ignorable to Python, so the Σ before it is final.
    expect(pyLower("AΣ\u{10d50}Σb ΟΔΟΣ \ua7cbX")).toBe("aς\u{10d50}σb οδος \ua7cbx");
    expect(pyLower("\u1c89\u{16ea0}")).toBe("\u1c89\u{16ea0}");
  });
});

describe("13a", () => {
  it("splits ASCII punctuation, keeps . and , inside numbers, splits - after a digit", () => {
    expect(t13a("Hello, world! It costs $5,000.50 (approx.) in 2017-2018.")).toEqual(
      "Hello , world ! It costs $ 5,000.50 ( approx . ) in 2017 - 2018 .".split(" "),
    );
  });
  it("pads the line: leading .5 and trailing 5. split", () => {
    expect(t13a(".5")).toEqual([".", "5"]);
    expect(t13a("Es kostet 5.")).toEqual(["Es", "kostet", "5", "."]);
  });
  it("removes <skipped>, joins -\\n, unescapes &quot; &amp; &lt; &gt; (not &apos;)", () => {
    expect(t13a("a <skipped> b")).toEqual(["a", "b"]);
    expect(t13a("Fort-\nsetzung\nfolgt")).toEqual(["Fortsetzung", "folgt"]);
    expect(t13a("&quot;A&quot; &amp; &lt;B&gt; &apos;")).toEqual([
      '"',
      "A",
      '"',
      "&",
      "<",
      "B",
      ">",
      "&",
      "apos",
      ";",
    ]);
  });
  it("leaves non-ASCII punctuation and CJK attached", () => {
    expect(t13a("„Hallo“ — 你好。")).toEqual(["„Hallo“", "—", "你好。"]);
  });
});

describe("intl", () => {
  it("splits Unicode punctuation and symbols, keeps separators between digits", () => {
    expect(intl("„Hallo“, sagte er — 1.000,5 €!")).toEqual([
      "„",
      "Hallo",
      "“",
      ",",
      "sagte",
      "er",
      "—",
      "1.000,5",
      "€",
      "!",
    ]);
  });
  it("uses Unicode 15.0 categories like sacreBLEU's regex module, not the runtime's newer ones", () => {
    // U+1FAE9 (face with bags under eyes) is So since Unicode 16: unassigned for regex 2022.10.31 → not split.
    expect(intl("a\u{1fae9}b")).toEqual(["a\u{1fae9}b"]);
    // U+1FAE8 (shaking face) is So since Unicode 15.0 → split.
    expect(intl("a\u{1fae8}b")).toEqual(["a", "\u{1fae8}", "b"]);
  });
  it("agrees with the runtime's \\p{N}/\\p{P}/\\p{S} on everything Unicode 15.0 assigned (BMP sample)", async () => {
    const { UNICODE15_N, UNICODE15_P, UNICODE15_S } = await import("./intl-unicode15.js");
    for (const [ours, prop] of [
      [UNICODE15_N, "N"],
      [UNICODE15_P, "P"],
      [UNICODE15_S, "S"],
    ] as const) {
      const a = new RegExp(`^[${ours}]$`, "u");
      const b = new RegExp(`^\\p{${prop}}$`, "u");
      for (let c = 0; c < 0x10000; c++) {
        if (c >= 0xd800 && c <= 0xdfff) continue;
        const ch = String.fromCodePoint(c);
        if (a.test(ch) && !b.test(ch)) throw new Error(`U+${c.toString(16)} is ${prop} in 15.0 but not now`);
      }
    }
  });
  it("has no padding (mteval-v14 quirk): a line-final 2017. stays one token", () => {
    expect(intl("im Jahr 2017.")).toEqual(["im", "Jahr", "2017."]);
    expect(intl(".5 und 5.")).toEqual([".5", "und", "5."]);
  });
});

describe("char and none", () => {
  it("char: one token per code point, whitespace dropped", () => {
    expect(bleuTokenize("a😀 b", { tokenize: "char" })).toEqual(["a", "😀", "b"]);
  });
  it("none: whitespace split only", () => {
    expect(bleuTokenize(" a,b  c. ", { tokenize: "none" })).toEqual(["a,b", "c."]);
  });
});

/**
 * zh: expected tokens derived by hand from sacreBLEU 2.6.0 `tokenizers/tokenizer_zh.py`:
 *   line.strip(); every char with `_is_chinese_char(char)` becomes " char "; then `TokenizerRegexp` (the four
 *   13a regexes, no padding, no HTML unescaping, no `<skipped>` removal); finally `.split()`.
 */
describe("zh", () => {
  /** Python's `a <= b` for str, on code point arrays (lexicographic; a proper prefix is smaller). */
  function pyStrLe(a: readonly number[], b: readonly number[]): boolean {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
    }
    return a.length <= b.length;
  }
  /** `_UCODE_RANGES` as Python parses the literals: `'\u20000'` is `\u2000` followed by the digit `0`. */
  const LITERALS: [number[], number[]][] = [
    [[0x3400], [0x4db5]],
    [[0x4e00], [0x9fa5]],
    [[0x9fa6], [0x9fbb]],
    [[0xf900], [0xfa2d]],
    [[0xfa30], [0xfa6a]],
    [[0xfa70], [0xfad9]],
    [
      [0x2000, 0x30],
      [0x2a6d, 0x36],
    ], // '\u20000', '\u2a6d6'
    [
      [0x2f80, 0x30],
      [0x2fa1, 0x64],
    ], // '\u2f800', '\u2fa1d'
    [[0xff00], [0xffef]],
    [[0x2e80], [0x2eff]],
    [[0x3000], [0x303f]],
    [[0x31c0], [0x31ef]],
    [[0x2f00], [0x2fdf]],
    [[0x2ff0], [0x2fff]],
    [[0x3100], [0x312f]],
    [[0x31a0], [0x31bf]],
    [[0xfe10], [0xfe1f]],
    [[0xfe30], [0xfe4f]],
    [[0x2600], [0x26ff]],
    [[0x2700], [0x27bf]],
    [[0x3200], [0x32ff]],
    [[0x3300], [0x33ff]],
  ];
  it("_is_chinese_char equals Python's string comparisons over every BMP code point and samples beyond", () => {
    expect(ZH_RANGES.length).toBe(LITERALS.length);
    const check = (cp: number): void => {
      const want = LITERALS.some(([s, e]) => pyStrLe(s, [cp]) && pyStrLe([cp], e));
      if (isZhChineseChar(cp) !== want) throw new Error(`U+${cp.toString(16)}: expected ${want}`);
    };
    for (let cp = 0; cp < 0x10000; cp++) check(cp);
    for (const cp of [0x10000, 0x1f600, 0x20000, 0x2a6d6, 0x2f800, 0x2fa1d, 0x10ffff]) check(cp);
  });
  it("the misread range: U+2001–U+2A6D is 'Chinese', astral Extension B is not", () => {
    // U+2000 + '0' <= c  ⟺  c ≥ U+2001;  c <= U+2A6D + '6'  ⟺  c ≤ U+2A6D.
    expect(isZhChineseChar(0x2000)).toBe(false);
    expect(isZhChineseChar(0x2001)).toBe(true);
    expect(isZhChineseChar(0x2a6d)).toBe(true);
    expect(isZhChineseChar(0x2a6e)).toBe(false);
    expect(isZhChineseChar(0x20000)).toBe(false);
  });
  it("splits every CJK ideograph", () => {
    // All seven are in U+4E00–U+9FA5 → " 我  爱  北 …" → split.
    expect(zh("我爱北京天安门")).toEqual(["我", "爱", "北", "京", "天", "安", "门"]);
  });
  it("splits general punctuation, currency and maths up to U+2A6D because of the misread literal", () => {
    // “ U+201C, ” U+201D, — U+2014, … U+2026 all lie in U+2001–U+2A6D → spaced like ideographs.
    expect(zh("他说“你好”—再见…")).toEqual(["他", "说", "“", "你", "好", "”", "—", "再", "见", "…"]);
    // € U+20AC likewise; the digit stays (no regex touches "€ 5" after spacing).
    expect(zh("价格€5")).toEqual(["价", "格", "€", "5"]);
    // ‐ U+2010 is split; ⩭ U+2A6D is the last split character, ⩮ U+2A6E stays attached.
    expect(zh("a‐b")).toEqual(["a", "‐", "b"]);
    expect(zh("a⩭b")).toEqual(["a", "⩭", "b"]);
    expect(zh("a⩮b")).toEqual(["a⩮b"]);
  });
  it("leaves astral ideographs, emoji, kana and Hangul attached", () => {
    // 𠀀 U+20000 > every range end (≤ U+FFEF) → not Chinese; same for 😀.
    expect(zh("a𠀀b")).toEqual(["a𠀀b"]);
    expect(zh("好😀")).toEqual(["好", "😀"]);
    // Hiragana U+3040–309F, Katakana U+30A0–30FF and Hangul syllables U+AC00–D7A3 are in no range.
    expect(zh("これは日本語")).toEqual(["これは", "日", "本", "語"]);
    expect(zh("카タ한국어")).toEqual(["카タ한국어"]);
    // Extension A ends at U+4DB5 in the table: U+4DB6 (Unicode 13) stays attached.
    expect(zh("a\u4db5b")).toEqual(["a", "\u4db5", "b"]);
    expect(zh("a\u4db6b")).toEqual(["a\u4db6b"]);
  });
  it("splits full-width forms and CJK punctuation", () => {
    // Ａ U+FF21 etc. in U+FF00–U+FFEF; 。 U+3002 in U+3000–U+303F.
    expect(zh("ＡＢＣ")).toEqual(["Ａ", "Ｂ", "Ｃ"]);
    expect(zh("你好。")).toEqual(["你", "好", "。"]);
  });
  it("applies the 13a regexes without 13a's padding or clean-up", () => {
    // No " {} " padding: a line-initial ".5" has nothing before the "." for `([^0-9])([\.,])`, and "5" after it
    // blocks `([\.,])([^0-9])` → stays ".5" (13a gives ".", "5"). Same for a line-final "5.".
    expect(zh(".5")).toEqual([".5"]);
    expect(zh("Es kostet 5.")).toEqual(["Es", "kostet", "5."]);
    // "3.5" between spaced ideographs: "." is preceded and followed by digits → kept.
    expect(zh("共3.5元。")).toEqual(["共", "3.5", "元", "。"]);
    expect(zh("5,000人")).toEqual(["5,000", "人"]);
    // `([0-9])(-)` still splits a dash after a digit; ASCII punctuation is still split off.
    expect(zh("1-2")).toEqual(["1", "-", "2"]);
    expect(zh("(中)")).toEqual(["(", "中", ")"]);
  });
  it("does not unescape HTML entities, remove <skipped> or join -\\n", () => {
    // "&" (in " -&") and ";" (in ":-@") are split off by the first regex; "amp" stays.
    expect(zh("A &amp; B")).toEqual(["A", "&", "amp", ";", "B"]);
    expect(t13a("A &amp; B")).toEqual(["A", "&", "B"]);
    // "<" and ">" are in ":-@" → " < skipped > ".
    expect(zh("a <skipped> b")).toEqual(["a", "<", "skipped", ">", "b"]);
    // "-\n" survives; "\n" is whitespace for the final split, "-" is a token of its own.
    expect(zh("他-\n说")).toEqual(["他", "-", "说"]);
  });
  it("strips the line first", () => {
    expect(zh("  中文  ")).toEqual(["中", "文"]);
  });
  it("scores through BLEU with tok:zh in the signature", () => {
    const r = sentenceBleu("我爱北京天安门", ["我爱北京天安门"], { tokenize: "zh" });
    expect(r.totals).toEqual([7, 6, 5, 4]);
    expect(r.signature).toBe("nrefs:1|case:mixed|eff:yes|tok:zh|smooth:exp|version:2.6.0");
    // Under 13a the same line is one token.
    expect(sentenceBleu("我爱北京天安门", ["我爱北京天安门"]).totals).toEqual([1, 0, 0, 0]);
  });
});

describe("errors", () => {
  it("unknown tokenizer → RewardsOptionError naming the field and the choices", () => {
    let err: unknown;
    try {
      bleuTokenize("x", { tokenize: "ja-mecab" as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RewardsOptionError);
    expect((err as RewardsOptionError).code).toBe("DQNLM_REWARDS_BAD_OPTION");
    expect((err as RewardsOptionError).field).toBe("tokenize");
    expect((err as Error).message).toContain('"13a", "intl", "char", "none", "zh"');
  });
});

describe("fast 13a equals the regex passes", () => {
  it("on random strings over a tricky alphabet and on arbitrary Unicode", async () => {
    const fc = (await import("fast-check")).default;
    const { tokenize13a } = await import("./tokenizer-13a-fast.js");
    const { tokenize13aRegexp } = await import("./tokenizer-13a.js");
    const atoms = fc.constantFrom(
      ..."aZ509.,-- \t\n()'\"$/&;:?!<>[]{}_~`@#%^*+=|\\äΣ😀\u00a0\u2009\x1c\u3000".split(""),
      "&amp;",
      "&quot;",
      "&lt;",
      "&gt;",
      "<skipped>",
      "-\n",
      "5.",
      ".5",
      "3,5",
      "a.",
      "Zaun.",
      "1-2",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(atoms, { maxLength: 30 }).map((a) => a.join("")),
          fc.string({ unit: "binary", maxLength: 30 }),
        ),
        (s) => {
          expect(tokenize13a(s)).toEqual(tokenize13aRegexp(s));
        },
      ),
      { seed: 13, numRuns: 5000 },
    );
  });
});
