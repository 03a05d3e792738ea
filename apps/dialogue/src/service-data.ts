/**
 * Dialogue data with the services of each dialogue (Schema-Guided Dialogue's `services` field), which the hard
 * negatives of selection mode need. Same files and options as {@link loadDialogue}; the built-in demonstration
 * data has no services (hard negatives then fall back to the same stage in any domain).
 */
import { loadSplits, type RecordView, SPLITS, type SplitName } from "@dqnlm/appkit";
import { type DialogueData, dialogueMapper, type LoadDialogueOptions, loadDialogue } from "./data.js";
import type { ServiceExample } from "./hard-negatives.js";

/** Options of {@link loadDialogueWithServices}. */
export interface LoadServiceDialogueOptions extends LoadDialogueOptions {
  /** Record field of the services list (missing or not a list of strings = no services). @default "services" */
  readonly servicesField?: string;
}

/** The services of a record: the strings of `field` (a list or one string), or none. */
function servicesOf(r: RecordView, field: string): string[] {
  const v = r.get(field);
  if (typeof v === "string") return v === "" ? [] : [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Loads the dialogue splits like {@link loadDialogue}, keeping each record's services. */
export async function loadDialogueWithServices(
  options: LoadServiceDialogueOptions = {},
): Promise<DialogueData & { readonly splits: Readonly<Record<SplitName, ServiceExample[]>> }> {
  if (options.dataDir === undefined) return loadDialogue(options);
  const base = dialogueMapper(options.fields);
  const field = options.servicesField ?? "services";
  const loaded = await loadSplits(
    options.dataDir,
    (r): ServiceExample => ({ ...base(r), services: servicesOf(r, field) }),
    { skipBadLines: options.skipBadLines ?? false, limits: options.limits ?? {} },
  );
  const splits = {} as Record<SplitName, ServiceExample[]>;
  for (const s of SPLITS) splits[s] = loaded.splits[s];
  return { origin: options.dataDir, demo: false, splits, skipped: loaded.skipped };
}
