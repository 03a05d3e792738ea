/**
 * `dqnlm-score`: sacreBLEU-style command-line scoring. The pure part lives here (argument parsing, scoring,
 * formatting) so it can be tested without spawning; `cli.ts` wires it to the process.
 */
import { readFileSync } from "node:fs";
import { type BleuOptions, type BleuScore, corpusBleu } from "./bleu.js";
import { type ChrfOptions, type ChrfScore, corpusChrf } from "./chrf.js";
import { RewardsError } from "./errors.js";
import { ROUGE_SCORE_VERSION, rouge, rougeSignature } from "./rouge.js";
import { SQUAD_SIGNATURE, squadCorpus } from "./squad.js";
import { corpusTer, type TerOptions } from "./ter.js";
import { pyFixed } from "./tokenizers/python.js";

/** The metrics the CLI knows, in output order. */
export const CLI_METRICS: readonly string[] = ["bleu", "chrf", "ter", "rouge", "squad"];

/** Parsed command line. */
export interface CliArgs {
  input: string | undefined;
  refs: string[];
  metrics: string[];
  bleu: BleuOptions;
  chrf: ChrfOptions;
  ter: TerOptions;
  rougeStemmer: boolean;
  json: boolean;
  scoreOnly: boolean;
  width: number;
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

export const USAGE = `Usage: dqnlm-score [-i HYP_FILE] REF_FILE [REF_FILE ...] [-m METRIC ...] [options]

Scores line-aligned hypotheses (stdin, or -i FILE) against one or more line-aligned reference files,
numerically identical to sacreBLEU 2.6.0 (BLEU, chrF, TER), rouge-score 0.1.2 (ROUGE) and the official
SQuAD v1.1 script.

  -i, --input FILE            hypotheses, one per line (default: stdin)
  -m, --metrics NAME ...      any of: bleu chrf ter rouge squad (default: bleu)
  --json                      JSON output (an array with one object per metric)
  -b, --score-only            print only the score(s)
  -w, --width N               decimals in text output (default: 1)
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
SQuAD: every reference file's line i is a gold answer for hypothesis i.
  -h, --help                  this text
  -V, --version               the package version
`;

const FLAG_ALIASES: Readonly<Record<string, string>> = {
  "-i": "--input",
  "-m": "--metrics",
  "-b": "--score-only",
  "-w": "--width",
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
  "--input",
  "--width",
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

/** Parses `argv` (without `node` and the script). Throws {@link CliUsageError} on malformed input. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    input: undefined,
    refs: [],
    metrics: [],
    bleu: {},
    chrf: {},
    ter: {},
    rougeStemmer: false,
    json: false,
    scoreOnly: false,
    width: 1,
    help: false,
    version: false,
  };
  let metricsGiven = false;
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
    if (VALUE_FLAGS.has(flag)) {
      const v = inlineValue ?? argv[++i];
      if (v === undefined) throw new CliUsageError(`${flag} expects a value`);
      switch (flag) {
        case "--input":
          a.input = v;
          break;
        case "--width":
          a.width = toNumber(flag, v);
          if (!Number.isInteger(a.width) || a.width < 0 || a.width > 16)
            throw new CliUsageError("--width expects an integer from 0 to 16");
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
          a.json = true;
          break;
        case "--score-only":
          a.scoreOnly = true;
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
  if (!metricsGiven) a.metrics = ["bleu"];
  a.metrics.sort((x, y) => CLI_METRICS.indexOf(x) - CLI_METRICS.indexOf(y));
  return a;
}

/** Splits file contents into lines like Python's line iteration with the newline removed. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** One metric's result, as the JSON output lists it. */
export interface CliResult {
  name: string;
  score: number;
  signature: string;
  verbose?: string;
  [key: string]: unknown;
}

/** Scores `hyps` against the reference streams. */
export function scoreAll(
  a: CliArgs,
  hyps: readonly string[],
  streams: readonly (readonly string[])[],
): CliResult[] {
  const refs = hyps.map((_, i) => streams.map((s) => s[i] as string));
  const out: CliResult[] = [];
  const w = a.width;
  for (const m of a.metrics) {
    if (m === "bleu") {
      const b: BleuScore = corpusBleu(hyps, refs, a.bleu);
      const ratio = b.refLen ? b.sysLen / b.refLen : 0;
      const verbose =
        `${b.precisions.map((p) => pyFixed(p, 1)).join("/")} (BP = ${pyFixed(b.bp, 3)} ratio = ${pyFixed(ratio, 3)} ` +
        `hyp_len = ${b.sysLen} ref_len = ${b.refLen})`;
      out.push({
        name: "BLEU",
        score: b.score,
        signature: b.signature,
        verbose,
        counts: b.counts,
        totals: b.totals,
        precisions: b.precisions,
        bp: b.bp,
        sysLen: b.sysLen,
        refLen: b.refLen,
      });
    } else if (m === "chrf") {
      const c: ChrfScore = corpusChrf(hyps, refs, a.chrf);
      const name = `chrF${a.chrf.beta ?? 2}${"+".repeat(a.chrf.wordOrder ?? 0)}`;
      out.push({ name, score: c.score, signature: c.signature, stats: c.stats });
    } else if (m === "ter") {
      const t = corpusTer(hyps, refs, a.ter);
      out.push({
        name: "TER",
        score: t.score,
        signature: t.signature,
        numEdits: t.numEdits,
        refLength: t.refLength,
      });
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
      const nrefs = streams.length;
      types.forEach((t, k) => {
        const [p, r, f] = (sums[k] as number[]).map((x) => x / hyps.length) as [number, number, number];
        out.push({
          name: `ROUGE-${t.slice(5)}`,
          score: f,
          signature: rougeSignature(t, { useStemmer: a.rougeStemmer, nrefs }),
          verbose: `(P = ${pyFixed(p, w + 3)} R = ${pyFixed(r, w + 3)}; mean over ${hyps.length} lines, rouge-score ${ROUGE_SCORE_VERSION})`,
          precision: p,
          recall: r,
          fmeasure: f,
        });
      });
    } else if (m === "squad") {
      const s = squadCorpus(hyps, refs);
      out.push({
        name: "SQuAD-F1",
        score: s.f1,
        signature: SQUAD_SIGNATURE,
        verbose: `(EM = ${pyFixed(s.exactMatch, w)})`,
        exactMatch: s.exactMatch,
        f1: s.f1,
      });
    }
  }
  return out;
}

/** Formats results as text (sacreBLEU's `NAME|signature = score verbose`) or JSON. */
export function formatResults(a: CliArgs, results: readonly CliResult[]): string {
  if (a.json) return `${JSON.stringify(results, null, 1)}\n`;
  const lines = results.map((r) => {
    // ROUGE is on 0–1: show 3 more decimals than the 0–100 metrics.
    const digits = r.name.startsWith("ROUGE") ? a.width + 3 : a.width;
    const sc = pyFixed(r.score, digits);
    if (a.scoreOnly) return sc;
    return `${r.name}|${r.signature} = ${sc}${r.verbose ? ` ${r.verbose}` : ""}`;
  });
  return `${lines.join("\n")}\n`;
}

/** What the process should print and its exit status. */
export interface CliOutcome {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs the CLI: `readText(path)` reads a file, `readStdin()` the standard input (only called without `-i`).
 * Never throws: usage errors exit with 2, input/option/IO errors with 1.
 */
export function runCli(
  argv: readonly string[],
  io: { readText?: (path: string) => string; readStdin: () => string; version?: string },
): CliOutcome {
  const readText = io.readText ?? ((p: string) => readFileSync(p, "utf8"));
  let a: CliArgs;
  try {
    a = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError)
      return { stdout: "", stderr: `dqnlm-score: error: ${e.message}\n\n${USAGE}`, code: 2 };
    throw e;
  }
  if (a.help) return { stdout: USAGE, stderr: "", code: 0 };
  if (a.version) return { stdout: `${io.version ?? "unknown"}\n`, stderr: "", code: 0 };
  if (a.refs.length === 0) {
    return {
      stdout: "",
      stderr: `dqnlm-score: error: give at least one reference file\n\n${USAGE}`,
      code: 2,
    };
  }
  try {
    const hyps = splitLines(a.input === undefined ? io.readStdin() : readText(a.input));
    if (hyps.length === 0) throw new Error(`no hypotheses in ${a.input ?? "stdin"}`);
    const streams = a.refs.map((path) => {
      const lines = splitLines(readText(path));
      if (lines.length !== hyps.length) {
        throw new Error(
          `${path} has ${lines.length} lines but there are ${hyps.length} hypotheses; files must be line-aligned`,
        );
      }
      return lines;
    });
    return { stdout: formatResults(a, scoreAll(a, hyps, streams)), stderr: "", code: 0 };
  } catch (e) {
    const msg =
      e instanceof RewardsError
        ? `${e.message} [${e.code}${e.field ? `, field ${e.field}` : ""}]`
        : (e as Error).message;
    return { stdout: "", stderr: `dqnlm-score: error: ${msg}\n`, code: 1 };
  }
}
