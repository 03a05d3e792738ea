/**
 * `dqnlm-doctor`: prints which TensorFlow.js backend qnet runs on and why the others are not used.
 * Usage: dqnlm-doctor [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--json]
 */
import { doctor } from "./backend.js";

const args = process.argv.slice(2);
const i = args.indexOf("--backend");
const backend = i >= 0 ? args[i + 1] : undefined;
const report = await doctor(backend ? { backend: backend as "auto" } : {});
if (args.includes("--json")) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`backend: ${report.name} — ${report.reason}`);
  for (const t of report.tried) console.log(`  ${t.ok ? "ok  " : "no  "} ${t.name.padEnd(15)} ${t.reason}`);
  console.log("engines:");
  for (const e of report.engines) {
    const th = e.threads > 0 ? `${e.threads} thread${e.threads === 1 ? "" : "s"}` : "—";
    console.log(`  ${e.part}: ${e.engine}, ${th} (${e.note})`);
  }
  console.log(
    `tfjs ${report.versions["tfjs-core"] ?? "?"}, node ${report.platform.node}, ${report.platform.cpus} CPUs`,
  );
}
