/**
 * Target network Q_θ' for the TD target max_a' Q_θ'(s_{t+1}, a'): created as a copy of the online network
 * (default) or freshly drawn from N(0, std) (the method's literal form), and synchronised either by a hard
 * copy every C steps or by Polyak averaging every step.
 */
import type { Rng } from "@dqnlm/core";
import { QnetInputError } from "./errors.js";
import { QNetwork } from "./qnetwork.js";

/** Options of {@link createTarget}. */
export interface CreateTargetOptions {
  /** `copy`: θ' = θ. `random`: every parameter drawn from N(0, std). @default "copy" */
  init?: "copy" | "random";
  /** Standard deviation for `random` init. @default 0.02 */
  std?: number;
  /** Seed (or Rng) for `random` init. @default 0 */
  seed?: number | Rng;
}

/** Creates the target network for `online` (same config, its own variables). */
export function createTarget(online: QNetwork, opts: CreateTargetOptions = {}): QNetwork {
  const init = opts.init ?? "copy";
  if (init === "copy") return online.clone();
  if (init !== "random") {
    throw new QnetInputError(
      `createTarget init must be "copy" or "random", received ${JSON.stringify(init)}`,
      "init",
    );
  }
  return QNetwork.random(online.config, opts.seed ?? 0, { std: opts.std ?? 0.02, allNormal: true });
}

/** Options of {@link syncTarget}. */
export interface SyncTargetOptions {
  /** `hard`: θ' ← θ. `polyak`: θ' ← τθ + (1−τ)θ'. @default "hard" */
  mode?: "hard" | "polyak";
  /** Polyak rate τ in [0, 1]. @default 0.005 */
  tau?: number;
}

/** Updates `target` from `online` in place. */
export function syncTarget(target: QNetwork, online: QNetwork, opts: SyncTargetOptions = {}): void {
  const mode = opts.mode ?? "hard";
  if (mode === "hard") target.copyFrom(online);
  else if (mode === "polyak") target.polyakFrom(online, opts.tau ?? 0.005);
  else
    throw new QnetInputError(
      `syncTarget mode must be "hard" or "polyak", received ${JSON.stringify(mode)}`,
      "mode",
    );
}
