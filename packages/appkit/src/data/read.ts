/**
 * Data readers for the apps: JSON Lines, CSV/TSV (RFC 4180) and Parquet files, read into plain records and
 * mapped into task examples by a caller-supplied function. A malformed record raises a {@link DataRecordError}
 * naming the file and line; with `skipBadLines` it is skipped and counted instead.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { preview } from "@dqnlm/core";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { DataFormatError, DataRecordError } from "../errors.js";
import { type DelimitedOptions, parseDelimited } from "./csv.js";

/** A file format the readers understand. */
export type DataFormat = "jsonl" | "csv" | "tsv" | "parquet";

const EXTENSIONS: Readonly<Record<string, DataFormat>> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
  ".tsv": "tsv",
  ".tab": "tsv",
  ".parquet": "parquet",
};

/** The file extensions {@link detectFormat} recognises, in the order split discovery prefers them. */
export const DATA_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/** The format of `file` from its extension. Throws {@link DataFormatError} for an unknown extension. */
export function detectFormat(file: string): DataFormat {
  const format = EXTENSIONS[extname(file).toLowerCase()];
  if (format === undefined)
    throw new DataFormatError(
      file,
      `unknown data file extension ${JSON.stringify(extname(file))}; expected one of ${DATA_EXTENSIONS.join(", ")}. ` +
        "Rename the file or pass format explicitly.",
      { field: "format" },
    );
  return format;
}

/** Options of {@link readRecords} and {@link readDataset}. */
export interface ReadOptions extends DelimitedOptions {
  /** The file format. @default detected from the extension */
  format?: DataFormat;
  /** Skip malformed records and count them instead of throwing. @default false */
  skipBadLines?: boolean;
  /** Stop after this many good records (a prefix of the file). @default Infinity */
  limit?: number;
}

/** One raw record of a data file. */
export interface SourceRecord {
  /** The file it came from. */
  readonly file: string;
  /** 1-based line where the record starts (text formats) or 1-based row (Parquet). */
  readonly line: number;
  /** Field values as parsed: strings for CSV/TSV, JSON values for JSONL, column values for Parquet. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** A record that was skipped because it was malformed. */
export interface SkippedRecord {
  readonly line: number;
  readonly reason: string;
}

/** What a reader returns: the good items, and how many records were skipped (with the first reasons). */
export interface ReadReport<T> {
  readonly file: string;
  readonly format: DataFormat;
  readonly items: T[];
  /** Number of malformed records skipped (always 0 unless `skipBadLines`). */
  readonly skipped: number;
  /** The first (at most 20) skipped records with their reasons. */
  readonly skippedExamples: SkippedRecord[];
}

const MAX_SKIPPED_EXAMPLES = 20;

/** Reads every record of a JSONL, CSV, TSV or Parquet file. */
export async function readRecords(
  file: string,
  options: ReadOptions = {},
): Promise<ReadReport<SourceRecord>> {
  return readDataset(file, (r) => r.record, options);
}

/**
 * Reads a data file and maps each record through `map`. A {@link DataRecordError} thrown by `map` (for example
 * by {@link RecordView.string} on a missing field) counts as a malformed record, like a parse error.
 */
export async function readDataset<T>(
  file: string,
  map: (record: RecordView) => T,
  options: ReadOptions = {},
): Promise<ReadReport<T>> {
  const format = options.format ?? detectFormat(file);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  const skippedExamples: SkippedRecord[] = [];
  let skipped = 0;
  const unit: "line" | "row" = format === "parquet" ? "row" : "line";
  const fail = (line: number, reason: string, cause?: unknown): void => {
    if (!options.skipBadLines) throw new DataRecordError(file, line, reason, { cause, unit });
    skipped++;
    if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) skippedExamples.push({ line, reason });
  };
  const accept = (record: SourceRecord): boolean => {
    try {
      items.push(map(new RecordView(record, unit)));
    } catch (err) {
      if (!(err instanceof DataRecordError)) throw err;
      if (!options.skipBadLines) throw err;
      fail(record.line, err.reason);
    }
    return items.length < limit;
  };

  if (format === "parquet") {
    for (const record of await readParquetRecords(file)) if (!accept(record)) break;
  } else {
    const text = await readText(file);
    if (format === "jsonl") {
      readJsonl(file, text, fail, accept);
    } else {
      const delimiter = options.delimiter ?? (format === "tsv" ? "\t" : ",");
      let header: string[] | undefined;
      for (const row of parseDelimited(text, { delimiter, quote: options.quote })) {
        if (row.error !== undefined) {
          if (header === undefined) throw new DataRecordError(file, row.line, `bad header: ${row.error}`);
          fail(row.line, row.error);
          continue;
        }
        if (header === undefined) {
          header = row.fields;
          const dup = header.find((h, k) => header?.indexOf(h) !== k);
          if (dup !== undefined)
            throw new DataRecordError(
              file,
              row.line,
              `duplicate column ${JSON.stringify(dup)} in the header`,
            );
          continue;
        }
        if (row.fields.length !== header.length) {
          fail(
            row.line,
            `expected ${header.length} fields (as in the header), found ${row.fields.length}: ${preview(row.fields.join(delimiter))}`,
          );
          continue;
        }
        const values: Record<string, unknown> = {};
        header.forEach((h, k) => {
          values[h] = row.fields[k];
        });
        if (!accept({ file, line: row.line, values })) break;
      }
    }
  }
  return { file, format, items, skipped, skippedExamples };
}

function readJsonl(
  file: string,
  text: string,
  fail: (line: number, reason: string, cause?: unknown) => void,
  accept: (r: SourceRecord) => boolean,
): void {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      fail(line, `invalid JSON (${(err as Error).message}): ${preview(raw)}`, err);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      fail(line, `expected a JSON object per line, found ${preview(raw)}`);
      continue;
    }
    if (!accept({ file, line, values: value as Record<string, unknown> })) return;
  }
}

async function readText(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new DataFormatError(file, `cannot read the file (${(err as Error).message})`, { cause: err });
  }
  return decodeUtf8(file, bytes);
}

/**
 * Decodes `bytes` as UTF-8, strictly: an invalid byte sequence is a {@link DataRecordError} naming the file and
 * the line it is on (never silently replaced by U+FFFD). Not skippable: the line boundaries themselves are
 * uncertain in a file that is not UTF-8.
 */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const lineDecoder = new TextDecoder("utf-8", { fatal: true });
    let start = 0;
    let line = 0;
    while (start <= bytes.length) {
      line++;
      let end = bytes.indexOf(0x0a, start);
      if (end === -1) end = bytes.length;
      try {
        lineDecoder.decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
    }
    throw new DataRecordError(
      file,
      line,
      "not valid UTF-8; re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in > out`)",
      { field: "encoding", skippable: false },
    );
  }
}

async function readParquetRecords(file: string): Promise<SourceRecord[]> {
  let rows: Record<string, unknown>[];
  try {
    await stat(file);
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  } catch (err) {
    throw new DataFormatError(file, `cannot read as Parquet (${(err as Error).message})`, { cause: err });
  }
  return rows.map((values, k) => ({ file, line: k + 1, values }));
}

/**
 * A record with typed accessors that throw a {@link DataRecordError} naming the file, line and field when a
 * value is missing or has the wrong type.
 */
export class RecordView {
  /** The raw record. */
  readonly record: SourceRecord;
  readonly #unit: "line" | "row";
  /** @param unit how `line` is named in messages. @default "line" */
  constructor(record: SourceRecord, unit: "line" | "row" = "line") {
    this.record = record;
    this.#unit = unit;
  }
  /** The file the record came from. */
  get file(): string {
    return this.record.file;
  }
  /** 1-based line (or Parquet row) of the record. */
  get line(): number {
    return this.record.line;
  }
  /** Whether `field` is present and not null. */
  has(field: string): boolean {
    const v = this.record.values[field];
    return v !== undefined && v !== null;
  }
  /** The raw value of `field`. */
  get(field: string): unknown {
    return this.record.values[field];
  }
  /** `field` as a string (numbers and bigints are converted). Throws when missing or of another type. */
  string(field: string): string {
    const v = this.record.values[field];
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    throw this.#error(field, "a string", v);
  }
  /** `field` as a string, or `fallback` when missing or null. */
  optionalString(field: string, fallback: string): string {
    return this.has(field) ? this.string(field) : fallback;
  }
  /** `field` as a string with some non-blank text. Throws when missing, of another type, or blank. */
  text(field: string): string {
    const v = this.string(field);
    if (v.trim() === "") throw this.#error(field, "a non-empty string", v);
    return v;
  }
  /** `field` as a non-empty list of strings of which at least one is not blank (see {@link strings}). */
  texts(field: string): string[] {
    const v = this.strings(field);
    if (v.every((x) => x.trim() === "")) throw this.#error(field, "at least one non-empty string", v);
    return v;
  }
  /** `field` as a non-empty list of strings; a single string becomes a one-element list. */
  strings(field: string): string[] {
    const v = this.record.values[field];
    if (typeof v === "string") return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return [...v];
    throw this.#error(field, "a string or a non-empty array of strings", v);
  }
  #error(field: string, expected: string, received: unknown): DataRecordError {
    const keys = Object.keys(this.record.values);
    const reason =
      received === undefined
        ? `missing field ${JSON.stringify(field)} (fields present: ${keys.map((k) => JSON.stringify(k)).join(", ") || "none"}); choose the field names with --field-source/--field-target`
        : `field ${JSON.stringify(field)} should be ${expected}, found ${preview(received)}`;
    return new DataRecordError(this.record.file, this.record.line, reason, {
      field,
      unit: this.#unit,
    });
  }
}

/** A generation example: a prompt text and one or more reference outputs. */
export interface TextPair {
  /** A stable id: the record's id field, or `<file name>:<line>`. */
  readonly id: string;
  /** The input text (the prompt). */
  readonly source: string;
  /** The first reference output. */
  readonly target: string;
  /** All reference outputs (at least one; `target` is the first). */
  readonly references: readonly string[];
}

/** Which fields of a record hold the source, the target(s) and the id. */
export interface PairFields {
  /** @default "source" */
  source?: string;
  /** A string or an array of strings (several references). @default "target" */
  target?: string;
  /** Optional; when absent the id is `<file name>:<line>`. @default "id" */
  id?: string;
}

/** A record mapper producing {@link TextPair}s from the given field names. */
export function pairMapper(fields: PairFields = {}): (r: RecordView) => TextPair {
  const source = fields.source ?? "source";
  const target = fields.target ?? "target";
  const id = fields.id ?? "id";
  return (r) => {
    const src = r.string(source);
    // an empty reference cannot be scored against (and an empty source with it is an empty record)
    const references = r.texts(target);
    return {
      id: r.optionalString(id, `${basename(r.file)}:${r.line}`),
      source: src,
      target: references[0] as string,
      references,
    };
  };
}

/** Reads (source, target) pairs with configurable field names. */
export async function readPairs(
  file: string,
  options: ReadOptions & { fields?: PairFields } = {},
): Promise<ReadReport<TextPair>> {
  return readDataset(file, pairMapper(options.fields), options);
}
