/**
 * `dqnlm-score`: sacreBLEU-style command-line scoring. The pure part lives here (argument parsing, reading and
 * checking data, scoring, formatting) so it can be tested without spawning; `cli.ts` wires it to the process.
 * Options, output layouts (`-f text|json`, `-sh`, `-sl`, `--confidence`, `--paired-bs`, `--paired-ar`) and
 * their defaults follow sacreBLEU 2.6.0's CLI; the differences are listed in the README.
 */
import { readFileSync } from "node:fs";
import { type BleuOptions, type BleuScore, corpusBleu } from "./bleu.js";
import { type ChrfOptions, type ChrfScore, corpusChrf } from "./chrf.js";
import { RewardsDataError, RewardsError } from "./errors.js";
import { ROUGE_SCORE_VERSION, rouge, rougeSignature } from "./rouge.js";
import {
  bootstrapConfidence,
  type PairedTestResult,
  pairedApproximateRandomization,
  pairedBootstrap,
  type SignificanceMetric,
} from "./significance.js";
import { SQUAD_SIGNATURE, squadCorpus } from "./squad.js";
import { corpusTer, type TerOptions } from "./ter.js";
import { pyFixed, pyRstrip } from "./tokenizers/python.js";

/** The metrics the CLI knows, in output order. */
export const CLI_METRICS: readonly string[] = ["bleu", "chrf", "ter", "rouge", "squad"];

/** Parsed command line. */
export interface CliArgs {
  /** Hypothesis files (`-i`); empty = stdin. Several files = several systems. */
  inputs: string[];
  refs: string[];
  metrics: string[];
  bleu: BleuOptions;
  chrf: ChrfOptions;
  ter: TerOptions;
  rougeStemmer: boolean;
  format: "text" | "json";
  scoreOnly: boolean;
  width: number;
  quiet: boolean;
  short: boolean;
  numRefs: number;
  sentenceLevel: boolean;
  confidence: boolean;
  confidenceN: number;
  pairedBs: boolean;
  pairedBsN: number;
  pairedAr: boolean;
  pairedArN: number;
  /** Field of a `.jsonl` record that holds the text (a string; for references also an array of strings). */
  field: string;
  help: boolean;
  version: boolean;
}

/** A usage error (exit status 2). */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

/** The line printed under a usage error instead of the whole help. */
export const USAGE_HINT = "Run `dqnlm-score --help` for the options.";

export const USAGE = `Usage: dqnlm-score REF_FILE [REF_FILE ...] [-i HYP_FILE [HYP_FILE ...]] [-m METRIC ...] [options]

Scores line-aligned hypotheses (stdin, or -i FILE) against one or more line-aligned reference files,
numerically identical to sacreBLEU 2.6.0 (BLEU, chrF, TER, --confidence, --paired-bs, --paired-ar),
rouge-score 0.1.2 (ROUGE) and the official SQuAD v1.1 script. A file ending in .jsonl is read as JSON
Lines: one object per line, its text in the --field field.

  -i, --input FILE ...        hypotheses, one per line (default: stdin); several files = several systems,
                              the first is the baseline of a paired test. Without references before -i,
                              "-i HYP REF ..." reads one hypothesis file followed by the references.
  -m, --metrics NAME ...      any of: bleu chrf ter rouge squad (default: bleu)
  -nr, --num-refs N           split the single reference file on tabs into N references (default: 1)
  --field NAME                text field of .jsonl records (default: text)
  -sl, --sentence-level       one score per line (one metric, one system)
Reporting:
  -f, --format text|json      output format (default: text; sacreBLEU's JSON layout); --json = -f json
  -b, --score-only            print only the score(s)
  -w, --width N               decimals (default: 1)
  -sh, --short                short signature (text output)
  -q, --quiet                 no progress notes on stderr
Significance (sacreBLEU's seed 12345, numpy's default_rng):
  -ci, --confidence           bootstrap 95% confidence interval of one system
  -cin, --confidence-n N      resamples for --confidence (default: 1000)
  -pbs, --paired-bs           paired bootstrap resampling test (several -i systems)
  -pbsn, --paired-bs-n N      resamples (default: 1000)
  -par, --paired-ar           paired approximate randomization test
  -parn, --paired-ar-n N      trials (default: 10000)
BLEU:
  -tok, --tokenize NAME       13a | intl | char | none | zh (default: 13a)
  -lc, --lowercase            lowercase before scoring
  -s, --smooth-method NAME    exp | floor | add-k | none (default: exp)
  -sv, --smooth-value X       value for floor (0.1) / add-k (1)
  --max-ngram-order N         default: 4
  --effective-order           average over the n-gram orders reached only
chrF:
  -cc, --chrf-char-order N    default: 6
  -cw, --chrf-word-order N    default: 0 (2 = chrF++)
  --chrf-beta X               default: 2
  --chrf-whitespace           keep whitespace in character n-grams
  --chrf-lowercase            lowercase before scoring
  --chrf-eps-smoothing        chrF++.py-style eps smoothing
TER:
  --ter-case-sensitive, --ter-asian-support, --ter-no-punct, --ter-normalized
ROUGE (averaged over lines; 0-1 scale):
  --rouge-stemmer             Porter-stem tokens longer than 3 characters
SQuAD: every reference of line i is a gold answer for hypothesis i.
  -h, --help                  this text
  -V, --version               the package version
`;

const FLAG_ALIASES: Readonly<Record<string, string>> = {
  "-i": "--input",
  "-m": "--metrics",
  "-b": "--score-only",
  "-w": "--width",
  "-f": "--format",
  "-q": "--quiet",
  "-sh": "--short",
  "-nr": "--num-refs",
  "-sl": "--sentence-level",
  "-ci": "--confidence",
  "-cin": "--confidence-n",
  "-pbs": "--paired-bs",
  "-pbsn": "--paired-bs-n",
  "-par": "--paired-ar",
  "-parn": "--paired-ar-n",
  "-tok": "--tokenize",
  "-lc": "--lowercase",
  "-s": "--smooth-method",
  "-sv": "--smooth-value",
  "-cc": "--chrf-char-order",
  "-cw": "--chrf-word-order",
  "-h": "--help",
  "-V": "--version",
};

const VALUE_FLAGS = new Set([
  "--width",
  "--format",
  "--num-refs",
  "--confidence-n",
  "--paired-bs-n",
  "--paired-ar-n",
  "--field",
  "--tokenize",
  "--smooth-method",
  "--smooth-value",
  "--max-ngram-order",
  "--chrf-char-order",
  "--chrf-word-order",
  "--chrf-beta",
]);

const BOOL_FLAGS = new Set([
  "--json",
  "--score-only",
  "--quiet",
  "--short",
  "--sentence-level",
  "--confidence",
  "--paired-bs",
  "--paired-ar",
  "--lowercase",
  "--effective-order",
  "--chrf-whitespace",
  "--chrf-lowercase",
  "--chrf-eps-smoothing",
  "--ter-case-sensitive",
  "--ter-asian-support",
  "--ter-no-punct",
  "--ter-normalized",
  "--rouge-stemmer",
  "--help",
  "--version",
]);

function toNumber(flag: string, v: string): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x))
    throw new CliUsageError(`${flag} expects a number, got ${JSON.stringify(v)}`);
  return x;
}

function toCount(flag: string, v: string, max = 1e7): number {
  const x = toNumber(flag, v);
  if (!Number.isInteger(x) || x < 1 || x > max)
    throw new CliUsageError(`${flag} expects an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return x;
}

/** Parses `argv` (without `node` and the script). Throws {@link CliUsageError} on malformed input. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    inputs: [],
    refs: [],
    metrics: [],
    bleu: {},
    chrf: {},
    ter: {},
    rougeStemmer: false,
    format: "text",
    scoreOnly: false,
    width: 1,
    quiet: false,
    short: false,
    numRefs: 1,
    sentenceLevel: false,
    confidence: false,
    confidenceN: 1000,
    pairedBs: false,
    pairedBsN: 1000,
    pairedAr: false,
    pairedArN: 10000,
    field: "text",
    help: false,
    version: false,
  };
  let metricsGiven = false;
  let refsBeforeInput = -1;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let inlineValue: string | undefined;
    if (arg.startsWith("--") && arg.includes("=")) {
      inlineValue = arg.slice(arg.indexOf("=") + 1);
      arg = arg.slice(0, arg.indexOf("="));
    }
    const flag = FLAG_ALIASES[arg] ?? arg;
    if (flag === "--metrics") {
      metricsGiven = true;
      const names = inlineValue !== undefined ? [inlineValue] : [];
      while (inlineValue === undefined && i + 1 < argv.length && !(argv[i + 1] as string).startsWith("-")) {
        const next = argv[i + 1] as string;
        if (!CLI_METRICS.includes(next)) break;
        names.push(next);
        i++;
      }
      if (names.length === 0)
        throw new CliUsageError(`--metrics expects one or more of: ${CLI_METRICS.join(" ")}`);
      for (const n of names) {
        if (!CLI_METRICS.includes(n))
          throw new CliUsageError(
            `unknown metric ${JSON.stringify(n)}; expected one of: ${CLI_METRICS.join(" ")}`,
          );
        if (!a.metrics.includes(n)) a.metrics.push(n);
      }
      continue;
    }
    if (flag === "--input") {
      if (refsBeforeInput < 0) refsBeforeInput = a.refs.length;
      const files = inlineValue !== undefined ? [inlineValue] : [];
      while (inlineValue === undefined && i + 1 < argv.length) {
        const next = argv[i + 1] as string;
        if (next.startsWith("-") && next !== "-") break;
        files.push(next);
        i++;
      }
      if (files.length === 0) throw new CliUsageError("--input expects one or more files");
      a.inputs.push(...files);
      continue;
    }
    if (VALUE_FLAGS.has(flag)) {
      const v = inlineValue ?? argv[++i];
      if (v === undefined) throw new CliUsageError(`${flag} expects a value`);
      switch (flag) {
        case "--width":
          a.width = toNumber(flag, v);
          if (!Number.isInteger(a.width) || a.width < 0 || a.width > 16)
            throw new CliUsageError("--width expects an integer from 0 to 16");
          break;
        case "--format":
          if (v !== "text" && v !== "json")
            throw new CliUsageError(`--format expects text or json, got ${JSON.stringify(v)}`);
          a.format = v;
          break;
        case "--num-refs":
          a.numRefs = toCount(flag, v, 1000);
          break;
        case "--confidence-n":
          a.confidenceN = toCount(flag, v);
          break;
        case "--paired-bs-n":
          a.pairedBsN = toCount(flag, v);
          break;
        case "--paired-ar-n":
          a.pairedArN = toCount(flag, v);
          break;
        case "--field":
          if (v === "") throw new CliUsageError("--field expects a field name");
          a.field = v;
          break;
        case "--tokenize":
          a.bleu.tokenize = v as BleuOptions["tokenize"];
          break;
        case "--smooth-method":
          a.bleu.smoothMethod = v as BleuOptions["smoothMethod"];
          break;
        case "--smooth-value":
          a.bleu.smoothValue = toNumber(flag, v);
          break;
        case "--max-ngram-order":
          a.bleu.maxNgramOrder = toNumber(flag, v);
          break;
        case "--chrf-char-order":
          a.chrf.charOrder = toNumber(flag, v);
          break;
        case "--chrf-word-order":
          a.chrf.wordOrder = toNumber(flag, v);
          break;
        case "--chrf-beta":
          a.chrf.beta = toNumber(flag, v);
          break;
      }
      continue;
    }
    if (BOOL_FLAGS.has(flag)) {
      if (inlineValue !== undefined) throw new CliUsageError(`${flag} takes no value`);
      switch (flag) {
        case "--json":
          a.format = "json";
          break;
        case "--score-only":
          a.scoreOnly = true;
          break;
        case "--quiet":
          a.quiet = true;
          break;
        case "--short":
          a.short = true;
          break;
        case "--sentence-level":
          a.sentenceLevel = true;
          break;
        case "--confidence":
          a.confidence = true;
          break;
        case "--paired-bs":
          a.pairedBs = true;
          break;
        case "--paired-ar":
          a.pairedAr = true;
          break;
        case "--lowercase":
          a.bleu.lowercase = true;
          break;
        case "--effective-order":
          a.bleu.effectiveOrder = true;
          break;
        case "--chrf-whitespace":
          a.chrf.whitespace = true;
          break;
        case "--chrf-lowercase":
          a.chrf.lowercase = true;
          break;
        case "--chrf-eps-smoothing":
          a.chrf.epsSmoothing = true;
          break;
        case "--ter-case-sensitive":
          a.ter = { ...a.ter, caseSensitive: true };
          break;
        case "--ter-asian-support":
          a.ter = { ...a.ter, asianSupport: true };
          break;
        case "--ter-no-punct":
          a.ter = { ...a.ter, noPunct: true };
          break;
        case "--ter-normalized":
          a.ter = { ...a.ter, normalized: true };
          break;
        case "--rouge-stemmer":
          a.rougeStemmer = true;
          break;
        case "--help":
          a.help = true;
          break;
        case "--version":
          a.version = true;
          break;
      }
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") throw new CliUsageError(`unknown option ${arg}`);
    a.refs.push(arg);
  }
  const paired = a.pairedBs || a.pairedAr;
  // The old dqnlm-score form `-i HYP REF ...`: no reference before -i and no paired test.
  if (refsBeforeInput === 0 && a.refs.length === 0 && a.inputs.length > 1 && !paired) {
    a.refs = a.inputs.slice(1);
    a.inputs = a.inputs.slice(0, 1);
  }
  if (!metricsGiven) a.metrics = ["bleu"];
  a.metrics.sort((x, y) => CLI_METRICS.indexOf(x) - CLI_METRICS.indexOf(y));
  if (a.pairedBs && a.pairedAr) throw new CliUsageError("--paired-bs and --paired-ar are mutually exclusive");
  if (a.sentenceLevel && a.metrics.length > 1)
    throw new CliUsageError("only one metric can be used in sentence-level mode (-sl)");
  if (a.sentenceLevel && (a.confidence || paired))
    throw new CliUsageError("statistical tests are unavailable in sentence-level mode (-sl)");
  if (paired && a.inputs.length < 2)
    throw new CliUsageError("paired tests require several systems given to --input (-i), the baseline first");
  if (a.confidence && a.inputs.length > 1)
    throw new CliUsageError("use a paired test (--paired-bs or --paired-ar) for several systems");
  if (a.sentenceLevel && a.inputs.length > 1)
    throw new CliUsageError("only one system can be evaluated in sentence-level mode (-sl)");
  if (a.numRefs !== 1 && a.refs.length > 1)
    throw new CliUsageError(
      "--num-refs splits one tab-separated reference file; give a single reference file",
    );
  return a;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 strictly; on invalid bytes, a {@link RewardsDataError} naming the file and line. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return UTF8.decode(bytes);
  } catch (cause) {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          UTF8.decode(bytes.subarray(start, i));
        } catch {
          break;
        }
        line++;
        start = i + 1;
      }
    }
    throw new RewardsDataError(
      file,
      line,
      `${file}:${line}: invalid UTF-8; dqnlm-score reads UTF-8 text only (convert it, e.g. \`iconv -f latin1 -t utf-8\`).`,
      { cause },
    );
  }
}

/** Splits text into lines as Python's universal-newline iteration does, each right-stripped like sacreBLEU. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map(pyRstrip);
}

/**
 * The entries of a file: one per line for text, one per record for `.jsonl` (`field` holds a string, or for
 * references an array of strings). Every entry is a list of texts (several only for `-nr` or JSONL arrays).
 */
export function readEntries(
  text: string,
  file: string,
  opts: { field: string; numRefs: number; allowList: boolean },
): string[][] {
  const out: string[][] = [];
  if (file.endsWith(".jsonl")) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((raw, k) => {
      const where = `${file}:${k + 1}`;
      if (raw.trim() === "")
        throw new RewardsDataError(
          file,
          k + 1,
          `${where}: empty line; every line of a .jsonl file must be one record.`,
        );
      let rec: unknown;
      try {
        rec = JSON.parse(raw);
      } catch (cause) {
        throw new RewardsDataError(file, k + 1, `${where}: not valid JSON (${(cause as Error).message}).`, {
          cause,
        });
      }
      if (rec === null || typeof rec !== "object" || Array.isArray(rec))
        throw new RewardsDataError(
          file,
          k + 1,
          `${where}: expected a JSON object like {"${opts.field}": "…"}, received ${rec === null ? "null" : Array.isArray(rec) ? "an array" : typeof rec}.`,
        );
      const keys = Object.keys(rec);
      if (keys.length === 0)
        throw new RewardsDataError(
          file,
          k + 1,
          `${where}: empty record {}; expected {"${opts.field}": "…"}.`,
        );
      const v = (rec as Record<string, unknown>)[opts.field];
      if (typeof v === "string") out.push([v]);
      else if (opts.allowList && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"))
        out.push(v as string[]);
      else
        throw new RewardsDataError(
          file,
          k + 1,
          `${where}: field "${opts.field}" must be a string${opts.allowList ? " or a non-empty array of strings" : ""}, received ${v === undefined ? `no such field (keys: ${keys.slice(0, 5).join(", ")}); pick one with --field` : JSON.stringify(v).slice(0, 40)}.`,
        );
    });
  } else {
    splitLines(text).forEach((line, k) => {
      if (opts.numRefs === 1) {
        out.push([line]);
        return;
      }
      const parts = line.split("\t");
      const fields = [...parts.slice(0, opts.numRefs - 1), parts.slice(opts.numRefs - 1).join("\t")];
      if (parts.length < opts.numRefs)
        throw new RewardsDataError(
          file,
          k + 1,
          `${file}:${k + 1}: expected ${opts.numRefs} tab-separated references (--num-refs), found ${parts.length}.`,
        );
      out.push(fields);
    });
  }
  if (out.length === 0)
    throw new RewardsDataError(file, undefined, `${file}: no records; the file is empty.`);
  return out;
}

/** One metric's result. */
export interface CliResult {
  name: string;
  score: number;
  signature: string;
  verbose?: string;
  /** Bootstrap mean and CI (`--confidence`). */
  confidence?: { mean: number; ci: number };
  [key: string]: unknown;
}

/** Scores `hyps` against `refs[i]` (the references of line `i`). */
export function scoreAll(
  a: CliArgs,
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): CliResult[] {
  const out: CliResult[] = [];
  const w = a.width;
  for (const m of a.metrics) {
    if (m === "bleu") {
      const b: BleuScore = corpusBleu(hyps, refs, a.bleu);
      const ratio = b.refLen ? b.sysLen / b.refLen : 0;
      const verbose =
        `${b.precisions.map((p) => pyFixed(p, 1)).join("/")} (BP = ${pyFixed(b.bp, 3)} ratio = ${pyFixed(ratio, 3)} ` +
        `hyp_len = ${b.sysLen} ref_len = ${b.refLen})`;
      out.push({ name: "BLEU", score: b.score, signature: b.signature, verbose });
    } else if (m === "chrf") {
      const c: ChrfScore = corpusChrf(hyps, refs, a.chrf);
      out.push({
        name: `chrF${a.chrf.beta ?? 2}${"+".repeat(a.chrf.wordOrder ?? 0)}`,
        score: c.score,
        signature: c.signature,
      });
    } else if (m === "ter") {
      const t = corpusTer(hyps, refs, a.ter);
      out.push({ name: "TER", score: t.score, signature: t.signature });
    } else if (m === "rouge") {
      const types = ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const;
      const sums = types.map(() => [0, 0, 0]);
      for (let i = 0; i < hyps.length; i++) {
        const r = rouge(hyps[i] as string, refs[i] as string[], { useStemmer: a.rougeStemmer });
        types.forEach((t, k) => {
          const s = sums[k] as number[];
          s[0] = (s[0] as number) + r[t].precision;
          s[1] = (s[1] as number) + r[t].recall;
          s[2] = (s[2] as number) + r[t].fmeasure;
        });
      }
      const nr = new Set(refs.map((r) => r.length));
      types.forEach((t, k) => {
        const [p, r, f] = (sums[k] as number[]).map((x) => x / hyps.length) as [number, number, number];
        out.push({
          name: `ROUGE-${t.slice(5)}`,
          score: f,
          signature: rougeSignature(t, {
            useStemmer: a.rougeStemmer,
            ...(nr.size === 1 ? { nrefs: [...nr][0] } : {}),
          }),
          verbose: `(P = ${pyFixed(p, w + 3)} R = ${pyFixed(r, w + 3)}; mean over ${hyps.length} lines, rouge-score ${ROUGE_SCORE_VERSION})`,
        });
      });
    } else if (m === "squad") {
      const s = squadCorpus(hyps, refs);
      out.push({
        name: "SQuAD-F1",
        score: s.f1,
        signature: SQUAD_SIGNATURE,
        verbose: `(EM = ${pyFixed(s.exactMatch, w)})`,
      });
    }
  }
  return out;
}

/** The significance-test view of a CLI metric (ROUGE is tested on ROUGE-L F, SQuAD on F1). */
function significanceMetric(a: CliArgs, m: string): SignificanceMetric {
  if (m === "bleu") return { name: "bleu", options: a.bleu };
  if (m === "chrf") return { name: "chrf", options: a.chrf };
  if (m === "ter") return { name: "ter", options: a.ter };
  if (m === "rouge") return { name: "rouge", type: "rougeL", useStemmer: a.rougeStemmer };
  return { name: "squad", measure: "f1" };
}

const COMMON_ABBR: Readonly<Record<string, string>> = {
  version: "v",
  nrefs: "#",
  bs: "bs",
  ar: "ar",
  seed: "rs",
};
const METRIC_ABBR: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BLEU: { case: "c", eff: "e", tok: "tok", smooth: "s" },
  chrF: { case: "c", eff: "e", nc: "nc", nw: "nw", space: "s" },
  TER: { case: "c", tok: "t", norm: "nr", punct: "pn", asian: "as" },
};

/** sacreBLEU's short signature (`-sh`): `nrefs` → `#`, `version` → `v`, `case` → `c`, … */
export function shortSignature(metricName: string, signature: string): string {
  const key = metricName.startsWith("chrF") ? "chrF" : metricName;
  const abbr = { ...COMMON_ABBR, ...(METRIC_ABBR[key] ?? {}) };
  return signature
    .split("|")
    .map((kv) => {
      const i = kv.indexOf(":");
      const k = kv.slice(0, i);
      return `${abbr[k] ?? k}:${kv.slice(i + 1)}`;
    })
    .join("|");
}

/** Python's `repr(float)` (what `json.dumps` prints): `1.0`, `9.999e-05`, `1e+16`. */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  const ax = Math.abs(x);
  if (ax !== 0 && (ax < 1e-4 || ax >= 1e16)) {
    const [m, e] = x.toExponential().split("e") as [string, string];
    const sign = e.startsWith("-") ? "-" : "+";
    const digits = e.replace(/^[+-]/, "");
    return `${m}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

type JsonLike = string | number | null | { readonly [k: string]: JsonLike } | readonly JsonLike[];

/** `json.dumps(value, indent=…, ensure_ascii=…)` for strings, floats, null, objects and arrays. */
export function pyJson(value: JsonLike, indent: number, ensureAscii: boolean, depth = 0): string {
  if (value === null) return "null";
  if (typeof value === "number") return pyFloat(value);
  if (typeof value === "string") {
    const s = JSON.stringify(value);
    return ensureAscii
      ? s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      : s;
  }
  const pad = " ".repeat(indent * (depth + 1));
  const end = " ".repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + pyJson(v, indent, ensureAscii, depth + 1)).join(",\n")}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, JsonLike>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${pyJson(k, indent, ensureAscii)}: ${pyJson(v, indent, ensureAscii, depth + 1)}`).join(",\n")}\n${end}}`;
}

/** `Score.format`: one line of text, or the score's JSON object (sacreBLEU 2.x layout). */
export function formatScore(a: CliArgs, r: CliResult, json: boolean): string {
  const w = r.name.startsWith("ROUGE") ? a.width + 3 : a.width; // ROUGE is on 0–1
  const sc0 = pyFixed(r.score, w);
  let sc = sc0;
  const d: Record<string, JsonLike> = { name: r.name, score: Number(sc0), signature: r.signature };
  if (r.confidence && r.confidence.mean > 0) {
    const mean = pyFixed(r.confidence.mean, w);
    const ci = pyFixed(r.confidence.ci, w);
    const str = `μ = ${mean} ± ${ci}`;
    sc += ` (${str})`;
    d.confidence_mean = Number(mean);
    d.confidence_var = Number(ci);
    d.confidence = str;
  }
  if (r.verbose) d.verbose_score = r.verbose;
  if (a.scoreOnly && !json) return sc;
  if (json) {
    for (const kv of r.signature.split("|")) {
      const i = kv.indexOf(":");
      d[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return pyJson(d, 1, false);
  }
  const sig = a.short ? shortSignature(r.name, r.signature) : r.signature;
  return `${r.name}|${sig} = ${sc}${r.verbose ? ` ${r.verbose}` : ""}`;
}

/** Formats single-system results as sacreBLEU prints them (text lines aligned on `=`, or JSON). */
export function formatResults(a: CliArgs, results: readonly CliResult[]): string {
  const json = a.format === "json";
  const parts = results.map((r) => formatScore(a, r, json));
  if (json) return `${parts.length > 1 ? `[\n${parts.join(",\n")}\n]` : (parts[0] ?? "")}\n`;
  if (parts.length > 1 && !a.scoreOnly) {
    const lens = parts.map((l) => l.indexOf("=") - 1);
    const wmax = Math.max(...lens);
    return `${parts.map((l, k) => l.slice(0, lens[k]).padStart(wmax) + l.slice(lens[k])).join("\n")}\n`;
  }
  return `${parts.join("\n")}\n`;
}

/** The multi-system table and notes (paired tests, or plain scores of several systems). */
export function formatPaired(
  a: CliArgs,
  names: readonly string[],
  tests: readonly PairedTestResult[] | null,
  plain: readonly CliResult[][] | null,
): string {
  const w = a.width;
  if (a.format === "json") {
    const rows = names.map((name, i) => {
      const row: Record<string, JsonLike> = { system: name };
      if (tests) {
        for (const t of tests) {
          const s = i === 0 ? t.baseline : (t.systems[i - 1] as PairedTestResult["baseline"]);
          row[t.metric] = { score: s.score, p_value: s.pValue, mean: s.mean, ci: s.ci };
        }
      } else {
        for (const r of plain?.[i] ?? [])
          row[r.name] = pyFixed(r.score, r.name.startsWith("ROUGE") ? w + 3 : w);
      }
      return row;
    });
    return `${pyJson(rows, 4, true)}\n`;
  }
  const header = ["System"];
  const sigs: [string, string][] = [];
  const cols: string[][] = names.map((n) => [n]);
  if (tests) {
    for (const t of tests) {
      const bs = t.test === "bs";
      header.push(bs ? `${t.metric} (μ ± 95% CI)` : t.metric);
      const ww = t.metric.startsWith("ROUGE") ? w + 3 : w;
      [t.baseline, ...t.systems].forEach((s, i) => {
        let str = pyFixed(s.score, ww);
        if (s.mean !== null && s.ci !== null) str += ` (${pyFixed(s.mean, ww)} ± ${pyFixed(s.ci, ww)})`;
        if (s.pValue !== null) str += ` (p = ${pyFixed(s.pValue, 4)})${s.pValue > 0.05 ? "" : "*"}`;
        (cols[i] as string[]).push(str);
      });
      sigs.push([t.metric, a.short ? shortSignature(t.metric, t.signature) : t.signature]);
    }
  } else {
    (plain?.[0] ?? []).forEach((r) => {
      header.push(r.name);
      sigs.push([r.name, a.short ? shortSignature(r.name, r.signature) : r.signature]);
    });
    plain?.forEach((rs, i) => {
      for (const r of rs)
        (cols[i] as string[]).push(pyFixed(r.score, r.name.startsWith("ROUGE") ? w + 3 : w));
    });
  }
  const table = [header, ...cols];
  const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] ?? "").length)));
  const fmt = (row: string[]): string =>
    row
      .map((cell, c) => (c === 0 ? cell.padStart(widths[0] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const lines = [fmt(header), widths.map((x) => "-".repeat(x)).join("  "), ...cols.map(fmt), ""];
  if (tests) {
    const t = tests[0] as PairedTestResult;
    const bs = t.test === "bs";
    const msg = `Paired ${bs ? "bootstrap resampling" : "approximate randomization"} test with ${t.n} ${bs ? "resampling trials" : "trials"}`;
    lines.push(
      "-".repeat(msg.length),
      msg,
      "-".repeat(msg.length),
      ` - Each system is pairwise compared to ${names[0]}.`,
      bs
        ? "   Actual system score / bootstrap estimated true mean / 95% CI are provided for each metric."
        : "   Actual system score is provided for each metric.",
      "",
      " - Null hypothesis: the system and the baseline translations are essentially",
      "   generated by the same underlying process. For a given system and the baseline,",
      "   the p-value is roughly the probability of the absolute score difference (delta)",
      "   or higher occurring due to chance, under the assumption that the null hypothesis is correct.",
      "",
      " - Assuming a significance threshold of 0.05, the null hypothesis can be rejected",
      '   for p-values < 0.05 (marked with "*"). This means that the delta is unlikely to be attributed',
      '   to chance, hence the system is significantly "different" than the baseline.',
      "",
      "",
    );
  }
  lines.push("-----------------", "Metric signatures", "-----------------");
  for (const [name, sig] of sigs) lines.push(` - ${name.padEnd(10)} ${sig}`);
  return `${lines.join("\n")}\n`;
}

/** What the process should print and its exit status. */
export interface CliOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

/** File access of {@link runCli}; strings are taken as already decoded, bytes are decoded as strict UTF-8. */
export interface CliIo {
  readFile?: (path: string) => Uint8Array | string;
  /** @deprecated use `readFile`; kept for callers of the first version. */
  readText?: (path: string) => string;
  readStdin: () => Uint8Array | string;
  version?: string;
}

function usageError(message: string): CliOutcome {
  return { stdout: "", stderr: `dqnlm-score: error: ${message}\n${USAGE_HINT}\n`, code: 2 };
}

/**
 * Runs the CLI. Never throws: usage errors exit with 2 (one line and a hint), data, option and IO errors with 1
 * (one line naming the file and line, the error code and the field).
 */
export function runCli(argv: readonly string[], io: CliIo): CliOutcome {
  const read = (p: string): string => {
    const data = io.readFile ? io.readFile(p) : io.readText ? io.readText(p) : readFileSync(p);
    return typeof data === "string" ? data : decodeUtf8(data, p);
  };
  let a: CliArgs;
  try {
    a = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError) return usageError(e.message);
    throw e;
  }
  if (a.help) return { stdout: USAGE, stderr: "", code: 0 };
  if (a.version) return { stdout: `${io.version ?? "unknown"}\n`, stderr: "", code: 0 };
  if (a.refs.length === 0)
    return usageError("give at least one reference file (before -i, as sacreBLEU expects)");
  try {
    const refEntries = a.refs.map((p) => ({
      p,
      e: readEntries(read(p), p, { field: a.field, numRefs: a.numRefs, allowList: true }),
    }));
    const systems: { name: string; hyps: string[] }[] = [];
    if (a.inputs.length === 0) {
      const data = io.readStdin();
      const text = typeof data === "string" ? data : decodeUtf8(data, "<stdin>");
      systems.push({
        name: "<stdin>",
        hyps: readEntries(text, "<stdin>", { field: a.field, numRefs: 1, allowList: false }).map(
          (x) => x[0] as string,
        ),
      });
    }
    const paired = a.pairedBs || a.pairedAr;
    for (const p of a.inputs) {
      if (systems.some((s) => s.name === p)) {
        if (paired && systems[0]?.name === p) continue; // sacreBLEU skips the baseline given again
        throw new RewardsDataError(
          p,
          undefined,
          `${p}: already used to name a system; give each system once.`,
        );
      }
      systems.push({
        name: p,
        hyps: readEntries(read(p), p, { field: a.field, numRefs: 1, allowList: false }).map(
          (x) => x[0] as string,
        ),
      });
    }
    const n = (systems[0] as { hyps: string[] }).hyps.length;
    for (const s of systems) {
      if (s.hyps.length !== n)
        throw new RewardsDataError(
          s.name,
          undefined,
          `${s.name} has ${s.hyps.length} lines but ${systems[0]?.name} has ${n}; systems must be line-aligned.`,
        );
    }
    for (const { p, e } of refEntries) {
      if (e.length !== n)
        throw new RewardsDataError(
          p,
          undefined,
          `${p} has ${e.length} lines but there are ${n} hypotheses; files must be line-aligned.`,
        );
    }
    const refs = Array.from({ length: n }, (_, i) => refEntries.flatMap(({ e }) => e[i] as string[]));

    if (a.sentenceLevel) {
      const s = systems[0] as { hyps: string[] };
      const sentArgs: CliArgs = { ...a, bleu: { ...a.bleu, effectiveOrder: true } };
      const lines = s.hyps.map((h, i) =>
        formatScore(sentArgs, scoreAll(sentArgs, [h], [refs[i] as string[]])[0] as CliResult, false),
      );
      return { stdout: `${lines.join("\n")}\n`, stderr: "", code: 0 };
    }
    if (systems.length === 1) {
      const hyps = (systems[0] as { hyps: string[] }).hyps;
      const results = scoreAll(a, hyps, refs);
      if (a.confidence) {
        // ROUGE prints four variants from one pass; only ROUGE-L (F) gets an interval.
        const byName: Record<string, string> = {
          BLEU: "bleu",
          TER: "ter",
          "ROUGE-L": "rouge",
          "SQuAD-F1": "squad",
        };
        for (const r of results) {
          const m = r.name.startsWith("chrF") ? "chrf" : byName[r.name];
          if (m === undefined) continue;
          const c = bootstrapConfidence({
            metric: significanceMetric(a, m),
            hyps,
            refs,
            resamples: a.confidenceN,
          });
          r.confidence = { mean: c.mean, ci: c.ci };
          r.signature = c.signature;
        }
      }
      return { stdout: formatResults(a, results), stderr: "", code: 0 };
    }
    const names = systems.map((s, i) => (paired && i === 0 ? `Baseline: ${s.name}` : s.name));
    if (!paired) {
      return {
        stdout: formatPaired(
          a,
          names,
          null,
          systems.map((s) => scoreAll(a, s.hyps, refs)),
        ),
        stderr: "",
        code: 0,
      };
    }
    const run = a.pairedBs ? pairedBootstrap : pairedApproximateRandomization;
    const sysRecord: Record<string, string[]> = {};
    for (const s of systems.slice(1)) sysRecord[s.name] = s.hyps;
    const tests = a.metrics.map((m) =>
      run({
        metric: significanceMetric(a, m),
        baseline: (systems[0] as { hyps: string[] }).hyps,
        systems: sysRecord,
        refs,
        resamples: a.pairedBs ? a.pairedBsN : a.pairedArN,
      }),
    );
    const note = a.quiet
      ? ""
      : `dqnlm-score: ${tests[0]?.test === "bs" ? "paired bootstrap" : "approximate randomization"} over ${systems.length} systems, ${n} segments\n`;
    return { stdout: formatPaired(a, names, tests, null), stderr: note, code: 0 };
  } catch (e) {
    const msg =
      e instanceof RewardsError
        ? `${e.message} [${e.code}${e.field ? `, field ${e.field}` : ""}]`
        : (e as Error).message;
    return { stdout: "", stderr: `dqnlm-score: error: ${msg}\n`, code: 1 };
  }
}
