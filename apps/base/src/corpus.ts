/**
 * The pretraining corpus: the text of the four task datasets' training splits (never validation or test), as
 * plain documents. Each record becomes one document of newline-separated fields; records that repeat text are
 * deduplicated so that the language model does not see a QA context once per question or a dialogue history
 * once per turn:
 * - translate (`source`, `target`): "source\ntarget";
 * - summarize (`source`, `target`): "target\nsource" (the title, then the abstract);
 * - qa (`context`, `question`, `answers`): every distinct context once, then "question\nanswer" per record;
 * - dialogue (`history`, `response`): per dialogue (the id without its `-tNN` turn suffix) only the record
 *   with the longest history, as "turn\nturn\n…\nresponse".
 * Validation documents are built the same way from the validation splits, for validation perplexity.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BaseInputError } from "./errors.js";

/** The four task folders of a data directory (each with train/validation/test JSONL files). */
export const TASKS = ["translate", "summarize", "qa", "dialogue"] as const;
/** A task folder name. */
export type TaskName = (typeof TASKS)[number];

/** Documents of one split, per task. */
export interface Corpus {
  readonly documents: readonly string[];
  /** Documents per task (same order as {@link TASKS}). */
  readonly perTask: Readonly<Record<TaskName, number>>;
  /** Characters over all documents. */
  readonly characters: number;
}

type Rec = Record<string, unknown>;

function readJsonl(file: string): Rec[] {
  if (!existsSync(file)) {
    throw new BaseInputError(
      "data-dir",
      `${file} does not exist. Fix: point --data-dir at a folder with translate/, summarize/, qa/ and dialogue/ ` +
        "subfolders, each holding train.jsonl and validation.jsonl (the layout of ../shared/data).",
    );
  }
  const text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  const out: Rec[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new BaseInputError("data-dir", `${file}:${i + 1}: not valid JSON. Fix or remove that line.`);
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new BaseInputError(
        "data-dir",
        `${file}:${i + 1}: expected a JSON object, received ${line.slice(0, 40)}.`,
      );
    }
    out.push(v as Rec);
  }
  return out;
}

const str = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** Documents of one task's records (see the module comment for the layout). */
export function taskDocuments(task: TaskName, records: readonly Rec[]): string[] {
  const docs: string[] = [];
  switch (task) {
    case "translate":
      for (const r of records) {
        const d = [str(r.source), str(r.target)].filter(Boolean).join("\n");
        if (d) docs.push(d);
      }
      break;
    case "summarize":
      for (const r of records) {
        const d = [str(r.target), str(r.source)].filter(Boolean).join("\n");
        if (d) docs.push(d);
      }
      break;
    case "qa": {
      const seen = new Set<string>();
      for (const r of records) {
        const c = str(r.context);
        if (c && !seen.has(c)) {
          seen.add(c);
          docs.push(c);
        }
        const answers = Array.isArray(r.answers) ? r.answers : [];
        const first =
          answers.map((a) => (typeof a === "string" ? a : str((a as Rec)?.text))).find(Boolean) ?? "";
        const d = [str(r.question), first].filter(Boolean).join("\n");
        if (d) docs.push(d);
      }
      break;
    }
    case "dialogue": {
      const longest = new Map<string, Rec>();
      for (const r of records) {
        const id = str(r.id).replace(/-t\d+$/, "");
        const h = Array.isArray(r.history) ? r.history.length : 0;
        const cur = longest.get(id);
        if (!cur || (cur.history as unknown[]).length < h)
          longest.set(id, { ...r, history: r.history ?? [] });
      }
      for (const r of longest.values()) {
        const turns = [...(r.history as unknown[]).map(str), str(r.response)].filter(Boolean);
        if (turns.length > 0) docs.push(turns.join("\n"));
      }
      break;
    }
  }
  return docs;
}

/** Reads the documents of `split` of every task under `dataDir`. */
export function readCorpus(dataDir: string, split: "train" | "validation"): Corpus {
  const documents: string[] = [];
  const perTask = {} as Record<TaskName, number>;
  for (const task of TASKS) {
    const docs = taskDocuments(task, readJsonl(join(dataDir, task, `${split}.jsonl`)));
    perTask[task] = docs.length;
    documents.push(...docs);
  }
  if (documents.length === 0) {
    throw new BaseInputError("data-dir", `${dataDir}: the ${split} splits hold no usable text.`);
  }
  return { documents, perTask, characters: documents.reduce((s, d) => s + d.length, 0) };
}
