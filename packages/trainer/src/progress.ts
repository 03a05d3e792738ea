/**
 * A progress bar with ETA and the live metric (cli-progress). Quiet when stderr is not a TTY or when running
 * in CI (env `CI`), unless forced on.
 */
import cliProgress from "cli-progress";

/** Minimal progress interface the trainer drives. */
export interface Progress {
  start(total: number, label: string): void;
  update(value: number, metrics: Readonly<Record<string, number | string>>): void;
  stop(): void;
}

/** Whether a bar should be drawn for mode `auto`/`on`/`off`. */
export function progressEnabled(mode: "auto" | "on" | "off", env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode === "on") return true;
  if (mode === "off") return false;
  return Boolean(process.stderr.isTTY) && !env.CI;
}

function fmt(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/** A cli-progress bar writing to stderr, or a no-op when disabled. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {live}`,
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          // "on" also draws when stderr is not a TTY (a line every 2 s)
          noTTYOutput: true,
          notTTYSchedule: 2000,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { live: "" });
    },
    update(value, metrics) {
      const live = Object.entries(metrics)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(" ");
      bar?.update(value, { live });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
