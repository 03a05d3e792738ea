/**
 * Training checkpoints: online net, target net, optimizer state and free-form extra JSON in one folder,
 * written atomically — everything goes to a temporary sibling folder that is renamed into place, so a
 * crash leaves either the old checkpoint or the new one. The swap takes two renames (the old folder aside to
 * `.<name>.old.*`, the new one into place); a crash between them leaves no `<name>` folder, and readers then take
 * the complete `.old` one ({@link recoverFolder}). Leftover `.tmp` folders are removed on the next save or load.
 *
 *   dir/online/{config.json, model.safetensors}
 *   dir/target/{config.json, model.safetensors}
 *   dir/optimizer.safetensors   (tensors in getWeights() order; class, config and names in __metadata__)
 *   dir/extra.json
 *   dir/checkpoint.json         (format version and CRC-32 of every file)
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { crc32, writeFileAtomic } from "@dqnlm/core";
import * as tf from "@tensorflow/tfjs-core";
import { QnetCheckpointError } from "./errors.js";
import { QNetwork } from "./qnetwork.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";

/** What goes into a checkpoint. */
export interface CheckpointContents {
  /** The online network Q_θ. */
  online: QNetwork;
  /** The target network Q_θ' (omit when training without one). */
  target?: QNetwork;
  /** The optimizer whose state (e.g. Adam moments and step) is saved. */
  optimizer?: tf.Optimizer;
  /** JSON-serialisable extra state (step counters, RNG states, config). */
  extra?: unknown;
}

/** A loaded checkpoint. The caller owns (and disposes) the networks and optimizer. */
export interface LoadedCheckpoint {
  online: QNetwork;
  target?: QNetwork;
  optimizer?: tf.Optimizer;
  extra?: unknown;
}

const FORMAT = "dqnlm-qnet-checkpoint/1";

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // some filesystems do not allow fsync on directories; the rename is still atomic
  }
}

/** The steps of {@link replaceFolderAtomic} at which a test may simulate a crash. */
export type SwapStep = "before-swap" | "after-move-old" | "after-move-new";

/** Test hook: when set, {@link replaceFolderAtomic} throws at that step, leaving the folders as a crash would. */
export const swapCrash: { at: SwapStep | null } = { at: null };

function crashAt(step: SwapStep): void {
  if (swapCrash.at === step) throw new Error(`simulated crash at ${step}`);
}

function siblings(dir: string, kind: "tmp" | "old"): string[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const prefix = `.${basename(dir)}.${kind}`;
  // `.<name>.tmp.<pid>.<ms>` (also `.<name>.tmp-<pid>`, an older trainer naming), newest first.
  return readdirSync(parent)
    .filter((n) => n.startsWith(`${prefix}.`) || n.startsWith(`${prefix}-`))
    .map((n) => join(parent, n))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/** A fresh temporary sibling folder of `dir` for {@link replaceFolderAtomic} (stale ones are removed first). */
export function tempSibling(dir: string): string {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  for (const t of siblings(dir, "tmp")) rmSync(t, { recursive: true, force: true });
  const tmp = join(parent, `.${basename(dir)}.tmp.${process.pid}.${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

/**
 * Moves the complete folder `tmp` to `dir`, replacing what is there. A folder cannot be renamed over a
 * non-empty one, so the old folder goes aside to `.<name>.old.*` first; a crash between the two renames leaves
 * that complete `.old` folder, which {@link recoverFolder} puts back.
 */
export function replaceFolderAtomic(tmp: string, dir: string): void {
  const parent = dirname(dir);
  fsyncDir(tmp);
  crashAt("before-swap");
  const old = join(parent, `.${basename(dir)}.old.${process.pid}.${Date.now()}`);
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  fsyncDir(parent);
  crashAt("after-move-old");
  renameSync(tmp, dir);
  fsyncDir(parent);
  crashAt("after-move-new");
  for (const o of siblings(dir, "old")) rmSync(o, { recursive: true, force: true });
}

/** What {@link recoverFolder} did. */
export interface RecoveredFolder {
  /** The `.old` folder renamed back to `dir` (a crash between the two renames of a swap), if any. */
  restored: string | null;
  /** Leftover `.tmp` / `.old` folders removed. */
  removed: string[];
}

/**
 * Makes `dir` the last complete copy after a crash: when `dir/<marker>` is missing and a `.<name>.old.*`
 * sibling holds it, that sibling is renamed back to `dir`; leftover `.tmp` and `.old` siblings are removed.
 */
export function recoverFolder(dir: string, marker: string): RecoveredFolder {
  const out: RecoveredFolder = { restored: null, removed: [] };
  if (!existsSync(join(dir, marker))) {
    const old = siblings(dir, "old").find((o) => existsSync(join(o, marker)));
    if (old) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(old, dir);
      fsyncDir(dirname(dir));
      out.restored = old;
    }
  }
  if (existsSync(join(dir, marker))) {
    for (const o of [...siblings(dir, "tmp"), ...siblings(dir, "old")]) {
      rmSync(o, { recursive: true, force: true });
      out.removed.push(o);
    }
  }
  return out;
}

/** Writes a checkpoint folder atomically (replacing an existing one at `dir`). */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  recoverFolder(dir, "checkpoint.json");
  const tmp = tempSibling(dir);
  try {
    await contents.online.save(join(tmp, "online"));
    if (contents.target) await contents.target.save(join(tmp, "target"));
    if (contents.optimizer) {
      const opt = contents.optimizer;
      const named = await opt.getWeights();
      const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
      named.forEach((w, i) => {
        const data = w.tensor.dataSync();
        tensors.set(String(i).padStart(5, "0"), {
          shape: [...w.tensor.shape],
          data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>),
        });
      });
      tf.dispose(named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
      const metadata = {
        className: opt.getClassName(),
        config: JSON.stringify(opt.getConfig()),
        names: JSON.stringify(named.map((w) => w.name)),
      };
      writeFileAtomic(join(tmp, "optimizer.safetensors"), writeSafetensors(tensors, metadata));
    }
    if (contents.extra !== undefined)
      writeFileAtomic(join(tmp, "extra.json"), JSON.stringify(contents.extra));
    const files: Record<string, number> = {};
    for (const f of listFiles(tmp)) files[f] = crc32(readFileSync(join(tmp, f)));
    writeFileAtomic(join(tmp, "checkpoint.json"), `${JSON.stringify({ format: FORMAT, files }, null, 2)}\n`);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  replaceFolderAtomic(tmp, dir);
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * Optimizer to restore the state into (must be of the saved class and built for the same variables).
   * @default a new optimizer of the saved class and config (tf.serialization registry)
   */
  optimizer?: tf.Optimizer;
  /** Verify the CRC-32 of every file. @default true */
  verify?: boolean;
}

/** Reads a checkpoint written by {@link saveCheckpoint}. */
export async function loadCheckpoint(
  dir: string,
  opts: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint> {
  const manifestPath = join(dir, "checkpoint.json");
  recoverFolder(dir, "checkpoint.json");
  if (!existsSync(manifestPath)) {
    throw new QnetCheckpointError(`${manifestPath} not found: ${dir} is not a qnet checkpoint folder`, "dir");
  }
  let manifest: { format?: string; files?: Record<string, number> };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as typeof manifest;
  } catch (err) {
    throw new QnetCheckpointError(
      `${manifestPath} is not valid JSON (truncated?): the checkpoint is incomplete; use an earlier checkpoint`,
      "checkpoint.json",
      err,
    );
  }
  if (manifest.format !== FORMAT) {
    throw new QnetCheckpointError(
      `${manifestPath}: format ${JSON.stringify(manifest.format)}, expected ${FORMAT}`,
      "format",
    );
  }
  if (opts.verify ?? true) {
    for (const [f, crc] of Object.entries(manifest.files ?? {})) {
      const p = join(dir, f);
      if (!existsSync(p) || crc32(readFileSync(p)) !== crc) {
        throw new QnetCheckpointError(`${p} is missing or corrupt (CRC-32 mismatch with checkpoint.json)`, f);
      }
    }
  }
  const online = QNetwork.load(join(dir, "online"));
  const out: LoadedCheckpoint = { online };
  if (existsSync(join(dir, "target"))) out.target = QNetwork.load(join(dir, "target"));
  const optPath = join(dir, "optimizer.safetensors");
  if (existsSync(optPath)) {
    const file = readSafetensors(readFileSync(optPath), optPath);
    const meta = file.metadata;
    let opt = opts.optimizer;
    if (!opt) {
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[meta.className ?? ""];
      if (!entry) {
        throw new QnetCheckpointError(
          `${optPath}: optimizer class ${JSON.stringify(meta.className)} is not registered; pass opts.optimizer`,
          "optimizer",
        );
      }
      const [cls, fromConfig] = entry;
      opt = fromConfig(cls, JSON.parse(meta.config ?? "{}") as tf.serialization.ConfigDict) as tf.Optimizer;
    } else if (opt.getClassName() !== meta.className) {
      throw new QnetCheckpointError(
        `${optPath}: saved optimizer is ${meta.className}, opts.optimizer is ${opt.getClassName()}`,
        "optimizer",
      );
    }
    const names = JSON.parse(meta.names ?? "[]") as string[];
    const saved = [...file.tensors.values()];
    if (saved.length !== names.length) {
      throw new QnetCheckpointError(
        `${optPath}: holds ${saved.length} optimizer tensors, its metadata names ${names.length} ` +
          `(${names.slice(saved.length, saved.length + 3).join(", ") || "none"} missing); the checkpoint is ` +
          "incomplete: use an earlier checkpoint",
        "optimizer",
      );
    }
    const weights = saved.map((t, i) => ({
      name: names[i] ?? String(i),
      tensor: tf.tensor(t.data, t.shape, "float32"),
    }));
    try {
      await opt.setWeights(weights);
    } catch (err) {
      throw new QnetCheckpointError(
        `${optPath}: the optimizer state does not fit opts.optimizer (${err instanceof Error ? err.message : String(err)})`,
        "optimizer",
        err,
      );
    } finally {
      tf.dispose(weights.map((w) => w.tensor));
    }
    out.optimizer = opt;
  }
  const extraPath = join(dir, "extra.json");
  if (existsSync(extraPath)) out.extra = JSON.parse(readFileSync(extraPath, "utf8")) as unknown;
  return out;
}
