/**
 * QA data: SQuAD-style records (context, question, answers[]) read from JSONL, CSV/TSV or Parquet split files
 * through appkit's readers, with configurable field names, or the built-in demonstration data.
 */
import {
  dataSourceFrom,
  dataSourceOptions,
  loadSplits,
  type OptionSpec,
  type RecordView,
  SPLITS,
  type SplitName,
} from "@dqnlm/appkit";
import { demoQaData } from "./demo-data.js";
import type { QaExample } from "./features.js";

/** Record fields of a QA file. */
export interface QaFields {
  /** @default "context" */
  readonly context?: string;
  /** @default "question" */
  readonly question?: string;
  /** A string or an array of strings. @default "answers" */
  readonly answers?: string;
  /** @default "id" */
  readonly id?: string;
}

/** Options of {@link loadQa}. */
export interface LoadQaOptions {
  /** Dataset folder with train/validation/test files; omitted = the built-in demonstration data. */
  readonly dataDir?: string;
  readonly fields?: QaFields;
  /** Skip malformed records and count them. @default false */
  readonly skipBadLines?: boolean;
  /** Per-split caps (a prefix of each split). @default none */
  readonly limits?: Partial<Record<SplitName, number>>;
  /** Seed of the demonstration data generator. @default 0 */
  readonly demoSeed?: number;
}

/** The loaded QA splits and where they came from. */
export interface QaData {
  readonly origin: string;
  readonly demo: boolean;
  readonly splits: Readonly<Record<SplitName, QaExample[]>>;
  readonly skipped: number;
}

/** A record mapper for QA records with the given fields. */
export function qaMapper(fields: QaFields = {}): (r: RecordView) => QaExample {
  const f = { context: "context", question: "question", answers: "answers", id: "id", ...fields };
  return (r) => ({
    id: r.optionalString(f.id, `${r.file.split("/").pop()}:${r.line}`),
    context: r.text(f.context),
    question: r.text(f.question),
    answers: r.texts(f.answers),
  });
}

/** Loads the QA splits from a folder, or the demonstration data when no folder is given. */
export async function loadQa(options: LoadQaOptions = {}): Promise<QaData> {
  const limits = options.limits ?? {};
  if (options.dataDir === undefined) {
    const seed = options.demoSeed ?? 0;
    const d = demoQaData(seed);
    const cap = (s: SplitName): QaExample[] => d[s].slice(0, limits[s] ?? d[s].length);
    return {
      origin: `built-in qa demonstration data (seed ${seed})`,
      demo: true,
      splits: { train: cap("train"), validation: cap("validation"), test: cap("test") },
      skipped: 0,
    };
  }
  const loaded = await loadSplits(options.dataDir, qaMapper(options.fields), {
    skipBadLines: options.skipBadLines ?? false,
    limits,
  });
  const splits = {} as Record<SplitName, QaExample[]>;
  for (const s of SPLITS) splits[s] = loaded.splits[s];
  return { origin: options.dataDir, demo: false, splits, skipped: loaded.skipped };
}

/** The data options shared by the QA commands that read SQuAD-style splits (`select`, `eval-spans`). */
export const QA_DATA_OPTIONS: readonly OptionSpec[] = dataSourceOptions([
  {
    name: "field-context",
    kind: "string",
    default: "context",
    help: "record field of the context paragraph",
  },
  { name: "field-question", kind: "string", default: "question", help: "record field of the question" },
  {
    name: "field-answers",
    kind: "string",
    default: "answers",
    help: "record field of the answers (string or list)",
  },
  { name: "field-id", kind: "string", default: "id", help: "record field of the id (optional)" },
]);

/** Loads the QA splits named by parsed {@link QA_DATA_OPTIONS} values. */
export async function loadQaFromOptions(values: Readonly<Record<string, unknown>>): Promise<QaData> {
  const str = (k: string, d: string): string => (typeof values[k] === "string" ? (values[k] as string) : d);
  return loadQa({
    ...dataSourceFrom(values),
    fields: {
      context: str("field-context", "context"),
      question: str("field-question", "question"),
      answers: str("field-answers", "answers"),
      id: str("field-id", "id"),
    },
  });
}
