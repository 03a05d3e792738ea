/**
 * Dialogue data: records with a `history` (list of turns, oldest first, ending on a user turn) and the next
 * system `response`, read from JSONL, CSV/TSV or Parquet split files through appkit's readers with configurable
 * field names, or the built-in demonstration data. In CSV/TSV a history is one string with turns separated by
 * ` ||| ` (or a JSON array string).
 */
import { loadSplits, type RecordView, SPLITS, type SplitName } from "@dqnlm/appkit";
import { demoDialogueData } from "./demo-data.js";
import type { DialogueExample } from "./retrieval.js";

/** Record fields of a dialogue file. */
export interface DialogueFields {
  /** @default "history" */
  readonly history?: string;
  /** @default "response" */
  readonly response?: string;
  /** @default "id" */
  readonly id?: string;
}

/** Options of {@link loadDialogue}. */
export interface LoadDialogueOptions {
  /** Dataset folder with train/validation/test files; omitted = the built-in demonstration data. */
  readonly dataDir?: string;
  readonly fields?: DialogueFields;
  /** Skip malformed records and count them. @default false */
  readonly skipBadLines?: boolean;
  /** Per-split caps (a prefix of each split). @default none */
  readonly limits?: Partial<Record<SplitName, number>>;
  /** Seed of the demonstration data generator. @default 0 */
  readonly demoSeed?: number;
}

/** The loaded dialogue splits and where they came from. */
export interface DialogueData {
  readonly origin: string;
  readonly demo: boolean;
  readonly splits: Readonly<Record<SplitName, DialogueExample[]>>;
  readonly skipped: number;
}

/** Splits a history cell: a list of strings, a JSON array string, or turns joined by ` ||| `. */
function historyOf(r: RecordView, field: string): string[] {
  const v = r.get(field);
  if (typeof v === "string" && v.trimStart().startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed as string[];
    } catch {
      // Not JSON: fall through to the ||| separator.
    }
  }
  if (typeof v === "string") return v.split(" ||| ");
  return r.strings(field);
}

/** A record mapper for dialogue records with the given fields. */
export function dialogueMapper(fields: DialogueFields = {}): (r: RecordView) => DialogueExample {
  const f = { history: "history", response: "response", id: "id", ...fields };
  return (r) => ({
    id: r.optionalString(f.id, `${r.file.split("/").pop()}:${r.line}`),
    history: historyOf(r, f.history),
    response: r.text(f.response),
  });
}

/** Loads the dialogue splits from a folder, or the demonstration data when no folder is given. */
export async function loadDialogue(options: LoadDialogueOptions = {}): Promise<DialogueData> {
  const limits = options.limits ?? {};
  if (options.dataDir === undefined) {
    const seed = options.demoSeed ?? 0;
    const d = demoDialogueData(seed);
    const cap = (s: SplitName): DialogueExample[] => d[s].slice(0, limits[s] ?? d[s].length);
    return {
      origin: `built-in dialogue demonstration data (seed ${seed})`,
      demo: true,
      splits: { train: cap("train"), validation: cap("validation"), test: cap("test") },
      skipped: 0,
    };
  }
  const loaded = await loadSplits(options.dataDir, dialogueMapper(options.fields), {
    skipBadLines: options.skipBadLines ?? false,
    limits,
  });
  const splits = {} as Record<SplitName, DialogueExample[]>;
  for (const s of SPLITS) splits[s] = loaded.splits[s];
  return { origin: options.dataDir, demo: false, splits, skipped: loaded.skipped };
}
