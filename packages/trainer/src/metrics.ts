/**
 * JSONL metric logging. Each record is one line `{"phase": ..., "step": ..., "time": ..., ...values}` appended to
 * `metrics.jsonl` in the run folder. Non-finite numbers are written as strings ("NaN", "Infinity") so every line
 * stays valid JSON and a divergence is visible in the log.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "@dqnlm/core";

/** One metrics record. `phase` is `mle`, `dqn`, `validation`, `test`, `alarm`, `guard` or `info`. */
export interface LogRecord {
  readonly phase: string;
  readonly step: number;
  readonly [key: string]: number | string | boolean | null | undefined;
}

function encodeValue(_k: string, v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

/** Appends records as JSON lines to a file (created with its folder). */
export class MetricsLogger {
  readonly path: string;
  readonly #records: LogRecord[] = [];

  /** @param path the `.jsonl` file; existing lines are kept (a resumed run appends). */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Writes one record and returns it. */
  log(record: LogRecord): LogRecord {
    appendFileSync(this.path, `${JSON.stringify(record, encodeValue)}\n`);
    this.#records.push(record);
    return record;
  }

  /** Records written through this logger in this process. */
  get records(): readonly LogRecord[] {
    return this.#records;
  }
}

/** Reads a metrics JSONL file back (string "NaN"/"Infinity" become numbers again). */
export function readMetrics(path: string): LogRecord[] {
  if (!existsSync(path)) return [];
  const out: LogRecord[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line, (_k, v) =>
      v === "NaN" || v === "Infinity" || v === "-Infinity" ? Number(v) : v,
    ) as LogRecord;
    out.push(rec);
  }
  return out;
}

/**
 * Keeps only the records whose step is ≤ `step` for phases logged per update, so that a resumed run's
 * metrics file equals an uninterrupted one's (the lines written after the checkpoint are dropped).
 */
export function truncateMetrics(path: string, keep: (rec: LogRecord) => boolean): void {
  const recs = readMetrics(path).filter(keep);
  const text = recs.map((r) => JSON.stringify(r, encodeValue)).join("\n");
  // Rewritten in place (not appended) so a resumed run does not duplicate lines.
  writeFileAtomic(path, text.length ? `${text}\n` : "");
}
