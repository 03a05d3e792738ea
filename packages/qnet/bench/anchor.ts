/**
 * The anchor benchmark: the same GPT-2 training steps in qnet (wasm backend) and in PyTorch on the CPU, side by
 * side on this machine, interleaved round by round so that both see the same load.
 *
 *   pnpm bench:anchor [--configs 1,2,3,4,5] [--kinds lm,td] [--rounds 3] [--steps 2] [--threads 2]
 *                     [--torch-threads 2] [--ort-threads 1,2] [--engines torch,qnet,ort] [--warmup 2]
 *
 * Steps: `lm` = forward, mean softmax cross-entropy over all B·T positions, backward, Adam; `td` = the DQN TD
 * step over whole episodes (online Q(s_t, a_t), target max_a Q'(s_{t+1}, a) without gradient, Huber, Adam).
 * Each engine runs in its own child process (qnet: this file with `--worker`, one per wasm thread count; PyTorch:
 * bench/anchor/torch_anchor.py under Debian's python3 with OpenBLAS-OpenMP), so thread pools never share a
 * process. For every config and round: load average, PyTorch `steps` steps, qnet `steps` steps per thread count,
 * load average. Reported: per-round medians of steps/s, model GFLOP/s, and qnet / PyTorch.
 *
 * Model FLOPs per token (issue #12): F = 24·L·d² + 4·L·T·d + 2·d·V for one forward pass; an LM step is 3·F
 * (forward + backward), a TD step 4·F (plus the target's forward).
 *
 * `ort` = qnet's onnxruntime-node learner engine (OrtLearner: native MLAS GEMMs, forward + hand-written backward
 * graphs, Adam in JS), one child process per `--ort-threads` count, spinning of idle onnxruntime threads off. Its
 * `lm` step is one fused run (forward, cross-entropy, backward) plus Adam; its `td` step is the target's forward,
 * the online forward, dL/dQ of the Huber TD loss computed in JavaScript, the backward run and Adam. Skipped loudly
 * where onnxruntime-node cannot be loaded.
 *
 * PyTorch runs with OMP_WAIT_POLICY=PASSIVE unless set (see the engine's env below).
 * PyTorch: `DQNLM_ANCHOR_PYTHON` (default /usr/bin/python3) with `python3-torch` from Debian
 * (`apt-get install --no-install-recommends python3-torch libopenblas0-openmp`); where it cannot import torch the
 * bench says so loudly and runs the qnet side alone.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

interface AnchorConfig {
  d: number;
  layers: number;
  heads: number;
  vocab: number;
  batch: number;
  seq: number;
}
type Kind = "lm" | "td";
interface RunRequest {
  op: "run";
  cfg: AnchorConfig;
  kind: Kind;
  steps: number;
  warmup: number;
}
interface RunReply {
  ms?: number[];
  loss?: number;
  error?: string;
  [k: string]: unknown;
}

/** The five configs of issue #12: (d, layers, vocab, batch×seq); 4 heads everywhere. */
export const CONFIGS: readonly AnchorConfig[] = [
  { d: 64, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 2, heads: 4, vocab: 1024, batch: 16, seq: 32 },
  { d: 128, layers: 4, heads: 4, vocab: 8192, batch: 16, seq: 32 },
  { d: 256, layers: 2, heads: 4, vocab: 1024, batch: 32, seq: 64 },
  { d: 256, layers: 4, heads: 4, vocab: 8192, batch: 32, seq: 64 },
];

/** Forward FLOPs per token, F = 24·L·d² + 4·L·T·d + 2·d·V. */
export function forwardFlopsPerToken(c: AnchorConfig): number {
  return 24 * c.layers * c.d * c.d + 4 * c.layers * c.seq * c.d + 2 * c.d * c.vocab;
}

/** Model FLOPs of one step: 3·F (LM) or 4·F (TD) per token, B·T tokens. */
export function stepFlops(c: AnchorConfig, kind: Kind): number {
  return (kind === "lm" ? 3 : 4) * forwardFlopsPerToken(c) * c.batch * c.seq;
}

const median = (a: readonly number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// ---------------------------------------------------------------------------------------------------------
// qnet worker (child process): builds the step for a config and times it, on the wasm backend.

async function worker(): Promise<void> {
  const { QNetwork, OrtLearner, gatherQ, loadOnnxRuntime, maxQ, selectBackend, softmaxCrossEntropy, tf } =
    await import("../src/index.js");
  const report = await selectBackend({ backend: process.env.DQNLM_BACKEND ?? "wasm", strict: true } as never);
  const useOrt = process.env.DQNLM_ANCHOR_ENGINE === "ort";
  const ortThreads = Number(process.env.DQNLM_ORT_THREADS ?? 1);
  type Task = { step: () => number | Promise<number>; dispose: () => void | Promise<void> };
  let current: { key: string; task: Task } | undefined;
  /** The same steps on the onnxruntime-node learner (same seeds and data as the tfjs worker). */
  const buildOrt = async (cfg: AnchorConfig, kind: Kind): Promise<Task> => {
    const { batch: B, seq: T, vocab: V } = cfg;
    const config = { vocabSize: V, nPositions: T, nEmbd: cfg.d, nLayer: cfg.layers, nHead: cfg.heads };
    const net = QNetwork.random(config, 1234);
    const learner = await OrtLearner.create(net, { threads: ortThreads, learningRate: 1e-4 });
    const target = kind === "td" ? await OrtLearner.create(net, { threads: ortThreads }) : undefined;
    net.dispose();
    let s = 99;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    const ids = Int32Array.from({ length: B * T }, () => rnd(V));
    const targets = Int32Array.from({ length: B * T }, () => rnd(V));
    const rewards = Float32Array.from({ length: B * (T - 1) }, () => rnd(1000) / 1000);
    const batch = { ids, batch: B, seq: T };
    const step = async (): Promise<number> => {
      if (kind === "lm") return learner.step(batch, targets);
      // TD: y = r + 0.99·notDone·max_a Q'(s_{t+1}, a); Huber(δ = 1) mean over B·(T−1), gradient only at a_t
      const qn = await (target as Awaited<ReturnType<typeof OrtLearner.create>>).forward(batch);
      const y = new Float32Array(B * (T - 1));
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T - 1; t++) {
          let m = Number.NEGATIVE_INFINITY;
          const o = (b * T + t + 1) * V;
          for (let a = 0; a < V; a++) m = Math.max(m, qn[o + a] as number);
          const k = b * (T - 1) + t;
          y[k] = (rewards[k] as number) + (t === T - 2 ? 0 : 0.99 * m);
        }
      }
      let loss = 0;
      const n = B * (T - 1);
      const { grads } = await learner.gradients(batch, (logits) => {
        const dl = new Float32Array(logits.length);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < T - 1; t++) {
            const i = (b * T + t) * V + (ids[b * T + t + 1] as number);
            const d = (logits[i] as number) - (y[b * (T - 1) + t] as number);
            loss += Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
            dl[i] = Math.max(-1, Math.min(1, d)) / n;
          }
        }
        return dl;
      });
      learner.applyGradients(grads);
      return loss / n;
    };
    return {
      step,
      dispose: async () => {
        await learner.dispose();
        await target?.dispose();
      },
    };
  };
  const build = (cfg: AnchorConfig, kind: Kind): Task => {
    const { batch: B, seq: T, vocab: V } = cfg;
    const config = { vocabSize: V, nPositions: T, nEmbd: cfg.d, nLayer: cfg.layers, nHead: cfg.heads };
    const net = QNetwork.random(config, 1234);
    const target = kind === "td" ? net.clone() : undefined;
    // Seeded pseudo-random tokens (the same work on every run; not the PyTorch side's values).
    let s = 99;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    const ids = tf.tensor2d(
      Int32Array.from({ length: B * T }, () => rnd(V)),
      [B, T],
      "int32",
    );
    const targets = tf.tensor1d(
      Int32Array.from({ length: B * T }, () => rnd(V)),
      "int32",
    );
    const actions = tf.slice(ids, [0, 1], [B, T - 1]) as typeof ids;
    const rewards = tf.tensor2d(
      Float32Array.from({ length: B * (T - 1) }, () => rnd(1000) / 1000),
      [B, T - 1],
    );
    const notDone = tf.tensor2d(
      Float32Array.from({ length: B * (T - 1) }, (_, i) => (i % (T - 1) === T - 2 ? 0 : 1)),
      [B, T - 1],
    );
    const opt = tf.train.adam(1e-4);
    const step = (): number => {
      if (kind === "lm") {
        return net.trainStep(opt, () =>
          tf.mean(softmaxCrossEntropy(tf.reshape(net.forward(ids), [B * T, V]) as never, targets)),
        );
      }
      const y = tf.tidy(() => {
        const next = maxQ(tf.slice((target as typeof net).forward(ids), [0, 1, 0], [B, T - 1, V]));
        return tf.add(rewards, tf.mul(tf.mul(notDone, 0.99), next));
      });
      try {
        return net.trainStep(opt, () => {
          const q = tf.slice(net.forward(ids), [0, 0, 0], [B, T - 1, V]) as ReturnType<typeof net.forward>;
          return tf.losses.huberLoss(y, gatherQ(q, actions)) as never;
        });
      } finally {
        y.dispose();
      }
    };
    return {
      step,
      dispose: () => {
        tf.dispose([ids, targets, actions, rewards, notDone]);
        opt.dispose();
        net.dispose();
        target?.dispose();
      },
    };
  };
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const req = JSON.parse(line) as RunRequest | { op: "info" } | { op: "quit" };
    if (req.op === "quit") break;
    if (req.op === "info") {
      if (useOrt) {
        try {
          const ort = loadOnnxRuntime();
          console.log(
            JSON.stringify({
              backend: "onnxruntime-node",
              reason: `onnxruntime ${ort.env.versions?.common ?? "?"}, ${ortThreads} intra-op threads, no spinning`,
            }),
          );
        } catch (err) {
          console.log(JSON.stringify({ error: (err as Error).message }));
        }
      } else console.log(JSON.stringify({ backend: report.name, reason: report.reason }));
      continue;
    }
    const key = JSON.stringify([req.cfg, req.kind]);
    if (current?.key !== key) {
      await current?.task.dispose();
      current = { key, task: useOrt ? await buildOrt(req.cfg, req.kind) : build(req.cfg, req.kind) };
    }
    let loss = 0;
    for (let i = 0; i < req.warmup; i++) loss = await current.task.step();
    const ms: number[] = [];
    for (let i = 0; i < req.steps; i++) {
      const t0 = performance.now();
      loss = await current.task.step();
      ms.push(performance.now() - t0);
    }
    console.log(JSON.stringify({ ms, loss }));
  }
  await current?.task.dispose();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// Driver.

/** A child process answering one JSON line per JSON request line. */
class Engine {
  readonly name: string;
  #lines: AsyncIterator<string>;
  #child: ReturnType<typeof spawn>;
  #stderr = "";
  constructor(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv) {
    this.name = name;
    this.#child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr?.on("data", (b: Buffer) => {
      this.#stderr = (this.#stderr + b.toString()).slice(-4000);
    });
    this.#lines = createInterface({ input: this.#child.stdout as NodeJS.ReadableStream })[
      Symbol.asyncIterator
    ]();
  }
  async ask(req: object): Promise<RunReply> {
    this.#child.stdin?.write(`${JSON.stringify(req)}\n`);
    for (;;) {
      const r = await this.#lines.next();
      if (r.done)
        return { error: `${this.name} exited: ${this.#stderr.trim().split("\n").slice(-3).join(" | ")}` };
      const line = r.value.trim();
      if (line.startsWith("{")) return JSON.parse(line) as RunReply;
    }
  }
  close(): void {
    this.#child.stdin?.end(`${JSON.stringify({ op: "quit" })}\n`);
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function driver(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, "..", "..", "..");
  const configIdx = arg("configs", "1,2,3,4,5")
    .split(",")
    .map((x) => Number(x) - 1);
  const kinds = arg("kinds", "lm,td").split(",") as Kind[];
  const rounds = Number(arg("rounds", "3"));
  // Warm-up steps per engine and config before the first timed round: onnxruntime's first two runs of a session
  // allocate its memory arena (2–6× slower than later runs), so every engine gets 2.
  const warmup = Number(arg("warmup", "2"));
  const steps = Number(arg("steps", "2"));
  const threadList = arg("threads", process.env.DQNLM_WASM_THREADS ?? "2")
    .split(",")
    .map(Number);
  const torchThreadList = arg("torch-threads", "2").split(",").map(Number);
  const engines = arg("engines", "torch,qnet,ort").split(",");
  const ortThreadList = arg("ort-threads", "1,2").split(",").map(Number);

  const py =
    process.env.DQNLM_ANCHOR_PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const blasDir = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
  const all: Engine[] = [];
  const torches: Engine[] = [];
  for (const n of engines.includes("torch") ? torchThreadList : []) {
    const e = new Engine(`pytorch ${n}t`, py, [join(root, "bench", "anchor", "torch_anchor.py")], {
      LD_LIBRARY_PATH: [existsSync(blasDir) ? blasDir : "", process.env.LD_LIBRARY_PATH ?? ""]
        .filter(Boolean)
        .join(":"),
      OMP_NUM_THREADS: String(n),
      // On a machine whose cores are all busy, OpenMP's default spin-waiting collapses PyTorch's 2-thread steps
      // (measured here: 1.5 vs 11.7 steps/s on config 1 at load 10–12); passive waiting keeps it at its 1-thread
      // speed or better. Override with OMP_WAIT_POLICY=ACTIVE on a quiet machine.
      OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? "PASSIVE",
    });
    const info = await e.ask({ op: "threads", n });
    if (info.error) {
      console.warn(
        `\n!!! PyTorch side SKIPPED: ${info.error}\n!!! Install it with: apt-get install --no-install-recommends ` +
          `python3-torch libopenblas0-openmp (or set DQNLM_ANCHOR_PYTHON to a python with torch).\n`,
      );
      break;
    }
    const i2 = await e.ask({ op: "info" });
    console.log(
      `${e.name}: PyTorch ${i2.torch} (${py}), ${i2.threads} threads; ${(i2.blas as string[]).join("; ")}`,
    );
    torches.push(e);
    all.push(e);
  }
  const qnets: Engine[] = [];
  if (engines.includes("qnet")) {
    for (const n of threadList) {
      const e = new Engine(
        `qnet ${n}t`,
        process.execPath,
        ["--conditions=source", "--import", "tsx", fileURLToPath(import.meta.url), "--worker"],
        {
          DQNLM_WASM_THREADS: String(n),
          DQNLM_BACKEND: process.env.DQNLM_BACKEND ?? "wasm",
        },
      );
      const info = await e.ask({ op: "info" });
      if (info.error) throw new Error(info.error);
      console.log(`${e.name}: ${info.backend} — ${info.reason}`);
      qnets.push(e);
      all.push(e);
    }
  }
  if (engines.includes("ort")) {
    for (const n of ortThreadList) {
      const e = new Engine(
        `ort ${n}t`,
        process.execPath,
        ["--conditions=source", "--import", "tsx", fileURLToPath(import.meta.url), "--worker"],
        {
          DQNLM_ANCHOR_ENGINE: "ort",
          DQNLM_ORT_THREADS: String(n),
          DQNLM_WASM_THREADS: "1",
          DQNLM_BACKEND: process.env.DQNLM_BACKEND ?? "wasm",
        },
      );
      const info = await e.ask({ op: "info" });
      if (info.error) {
        console.warn(`\n!!! onnxruntime-node learner SKIPPED: ${info.error}\n`);
        e.close();
        break;
      }
      console.log(`${e.name}: ${info.backend} — ${info.reason}`);
      qnets.push(e);
      all.push(e);
    }
  }
  console.log(
    `${cpus().length} CPUs; configs ${configIdx.map((i) => i + 1).join(",")}, kinds ${kinds.join(",")}, ` +
      `${rounds} rounds × ${steps} timed steps per engine (${warmup} warm-up steps per engine and config)`,
  );
  const fmtLoad = (l: number[]): string => l.map((x) => x.toFixed(1)).join(" ");
  const rows: string[] = [];
  for (const ci of configIdx) {
    const cfg = CONFIGS[ci] as AnchorConfig;
    for (const kind of kinds) {
      const perEngine = new Map<string, number[]>();
      const loads: string[] = [];
      for (let r = 0; r < rounds; r++) {
        const before = loadavg();
        for (const e of all) {
          const rep = await e.ask({
            op: "run",
            cfg,
            kind,
            steps,
            warmup: r === 0 ? warmup : 0,
          } satisfies RunRequest);
          if (rep.error || !rep.ms) throw new Error(`${e.name}: ${rep.error ?? "no timings"}`);
          const a = perEngine.get(e.name) ?? [];
          // steps/s of this round: steps over their summed time
          a.push((1000 * rep.ms.length) / rep.ms.reduce((p, q) => p + q, 0));
          perEngine.set(e.name, a);
        }
        loads.push(`${fmtLoad(before)} → ${fmtLoad(loadavg())}`);
      }
      const flops = stepFlops(cfg, kind);
      const label = `(${cfg.d}, ${cfg.layers}, ${cfg.vocab >= 1024 ? `${cfg.vocab / 1024}k` : cfg.vocab}, ${cfg.batch}×${cfg.seq}) ${kind}`;
      const parts = [label.padEnd(28)];
      const rateOf = (e: Engine): number => median(perEngine.get(e.name) ?? []);
      for (const t of torches) {
        parts.push(
          `${t.name} ${rateOf(t).toFixed(2)} steps/s ${((rateOf(t) * flops) / 1e9).toFixed(1)} GFLOP/s`,
        );
      }
      for (const q of qnets) {
        const rate = rateOf(q);
        // ratio against each PyTorch engine, in the order of --torch-threads
        const ratio = torches.length
          ? ` ratio ${torches.map((t) => (rate / rateOf(t)).toFixed(2)).join("/")}`
          : "";
        parts.push(
          `${q.name} ${rate.toFixed(2)} steps/s ${((rate * flops) / 1e9).toFixed(1)} GFLOP/s${ratio}`,
        );
      }
      const line = `${parts.join(" | ")}\n    per round: ${[...perEngine].map(([k, v]) => `${k} ${v.map((x) => x.toFixed(2)).join("/")}`).join("; ")}; load ${loads.join(", ")}`;
      console.log(line);
      rows.push(line);
    }
  }
  for (const e of all) e.close();
  console.log(
    `\nanchor summary (medians over rounds; ratio = qnet or ort / PyTorch ${torches.map((t) => t.name).join(" / ")})`,
  );
  for (const r of rows) console.log(r);
}

if (process.argv.includes("--worker")) await worker();
else await driver();
