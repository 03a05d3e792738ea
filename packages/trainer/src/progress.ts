/**
 * A one-line progress bar with ETA and the live metric, drawn on a TTY only. Log lines printed while a bar is
 * drawn go through {@link logAboveProgress}: it clears the bar's line, writes the text, and draws the bar again
 * below it, so neither overwrites the other. A stopped bar leaves its last state as an ordinary line.
 *
 * (cli-progress, used before, saved the cursor at start and restored it at stop; any line logged in between
 * made the restore jump back up and the next output, such as the results table, was printed into old lines.)
 */

/** Minimal progress interface the trainer drives. */
export interface Progress {
  start(total: number, label: string): void;
  update(value: number, metrics: Readonly<Record<string, number | string>>): void;
  stop(): void;
}

/** Where a bar is drawn: a writable stream, a TTY or not. */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** Whether the stream is a terminal. @default false */
  readonly isTTY?: boolean;
  /** Terminal width. @default 80 */
  readonly columns?: number;
}

/**
 * Whether a bar should be drawn for mode `auto`/`on`/`off`. `auto` draws only when both stdout and stderr are
 * terminals and `CI` is not set (so output piped to a file or another program never holds bar frames).
 */
export function progressEnabled(
  mode: "auto" | "on" | "off",
  env: NodeJS.ProcessEnv = process.env,
  streams: {
    readonly stdout: { readonly isTTY?: boolean };
    readonly stderr: { readonly isTTY?: boolean };
  } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): boolean {
  if (mode === "on") return true;
  if (mode === "off") return false;
  return Boolean(streams.stdout.isTTY) && Boolean(streams.stderr.isTTY) && !env.CI;
}

function fmt(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "--";
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

const CLEAR_LINE = "\r\x1b[2K";

interface DrawnBar {
  clear(): void;
  redraw(): void;
}

/** The bar drawn on the terminal now, if any (log lines are written above it). */
let active: DrawnBar | undefined;

/**
 * Writes `text` (which should end with a newline) to `stream` without clashing with a progress bar: when a bar
 * is drawn, its line is cleared first and the bar is drawn again after the text.
 * @param stream @default process.stderr
 */
export function logAboveProgress(text: string, stream: ProgressStream = process.stderr): void {
  const bar = active;
  bar?.clear();
  stream.write(text);
  bar?.redraw();
}

/**
 * A progress bar writing to `stream`, or a no-op when disabled. On a TTY the bar is redrawn in place (at most
 * every 100 ms); elsewhere (only when forced on) a plain line is printed every 2 s.
 * @param stream @default process.stderr
 * @param now clock in ms. @default Date.now
 */
export function createProgress(
  enabled: boolean,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  const tty = stream.isTTY === true;
  let label = "";
  let total = 0;
  let value = 0;
  let live = "";
  let t0 = 0;
  let last = Number.NEGATIVE_INFINITY;
  let running = false;
  const line = (): string => {
    const frac = total > 0 ? Math.min(1, value / total) : 0;
    const width = 30;
    const full = Math.round(frac * width);
    const elapsed = (now() - t0) / 1000;
    const eta = value > 0 ? (elapsed * (total - value)) / value : Number.NaN;
    const s = `${label} [${"█".repeat(full)}${"░".repeat(width - full)}] ${value}/${total} | ETA ${duration(eta)}${live ? ` | ${live}` : ""}`;
    const cols = Math.max(20, (stream.columns ?? 80) - 1);
    return s.length > cols ? s.slice(0, cols) : s;
  };
  const drawn: DrawnBar = {
    clear() {
      if (tty) stream.write(CLEAR_LINE);
    },
    redraw() {
      if (tty) stream.write(line());
    },
  };
  const render = (force: boolean): void => {
    const t = now();
    if (!force && t - last < (tty ? 100 : 2000)) return;
    last = t;
    stream.write(tty ? `${CLEAR_LINE}${line()}` : `${line()}\n`);
  };
  const finish = (): void => {
    if (!running) return;
    running = false;
    if (active === drawn) active = undefined;
    stream.write(tty ? `${CLEAR_LINE}${line()}\n` : `${line()}\n`);
  };
  return {
    start(n, name) {
      finish();
      label = name;
      total = n;
      value = 0;
      live = "";
      t0 = now();
      last = Number.NEGATIVE_INFINITY;
      running = true;
      if (tty) active = drawn;
      render(true);
    },
    update(v, metrics) {
      if (!running) return;
      value = v;
      live = Object.entries(metrics)
        .map(([k, x]) => `${k} ${fmt(x)}`)
        .join(" ");
      render(false);
    },
    stop() {
      finish();
    },
  };
}
