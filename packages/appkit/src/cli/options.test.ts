import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CliCommand,
  ConfigFileError,
  DataRecordError,
  EXIT_CODES,
  type OptionSpec,
  parseOptions,
  parseSet,
  runTaskCli,
  UsageError,
} from "../index.js";

const specs: OptionSpec[] = [
  { name: "config", kind: "string", help: "" },
  { name: "seed", kind: "int", default: 1, help: "" },
  { name: "lr", kind: "number", min: 0, help: "" },
  { name: "preset", kind: "string", choices: ["stable", "seed"], default: "stable", help: "" },
  { name: "seeds", kind: "ints", default: [1, 2, 3], help: "" },
  { name: "skip-bad-lines", kind: "boolean", default: false, help: "" },
  { name: "set", kind: "string", multiple: true, help: "" },
];
const catchSync = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("parseOptions", () => {
  it("applies defaults, then the config file, then the command line", () => {
    const dir = mkdtempSync(join(tmpdir(), "appkit-opts-"));
    const cfg = join(dir, "c.json");
    writeFileSync(
      cfg,
      JSON.stringify({ seed: 7, lr: 0.5, seeds: [4, 5], trainer: { dqn: { updates: 10 } } }),
    );
    const p = parseOptions(
      ["--config", cfg, "--lr", "0.25", "--set", "dqn.kl-weight=0.1", "--set", "dqn.loss=mse"],
      specs,
    );
    expect(p.values).toMatchObject({
      seed: 7,
      lr: 0.25,
      preset: "stable",
      seeds: [4, 5],
      "skip-bad-lines": false,
    });
    expect(p.trainerOverrides).toEqual({ dqn: { updates: 10, klWeight: 0.1, loss: "mse" } });
    expect([...p.explicit].sort()).toEqual(["config", "lr", "seed", "seeds", "set"]);
  });

  it("names the option, the expectation and the value on bad input", () => {
    const e = catchSync(() => parseOptions(["--seed", "1.5"], specs)) as UsageError;
    expect(e).toBeInstanceOf(UsageError);
    expect(e.field).toBe("seed");
    expect(e.message).toBe('Invalid --seed: expected an integer, received "1.5".');
    expect((catchSync(() => parseOptions(["--preset", "fast"], specs)) as UsageError).message).toContain(
      "expected one of stable, seed",
    );
    expect((catchSync(() => parseOptions(["--lr=-1"], specs)) as UsageError).message).toContain(
      "a number ≥ 0",
    );
    expect((catchSync(() => parseOptions(["--nope"], specs)) as UsageError).field).toBe("nope");
    expect((catchSync(() => parseSet("noequals")) as UsageError).field).toBe("set");
  });

  it("rejects unknown config-file keys and bad JSON with the file name", () => {
    const dir = mkdtempSync(join(tmpdir(), "appkit-opts-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"sead": 2}');
    const e = catchSync(() => parseOptions(["--config", bad], specs)) as ConfigFileError;
    expect(e).toBeInstanceOf(ConfigFileError);
    expect(e.field).toBe("sead");
    expect(e.message).toContain(`${bad}: unknown key "sead"`);
    writeFileSync(bad, "{oops");
    expect((catchSync(() => parseOptions(["--config", bad], specs)) as Error).message).toContain(
      "not valid JSON",
    );
  });
});

describe("runTaskCli", () => {
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
  const command = (f: () => void): CliCommand => ({
    summary: "test",
    options: specs,
    run: async () => f(),
  });
  const spec = {
    bin: "dqnlm-test",
    description: "a test CLI",
    commands: {
      ok: command(() => undefined),
      data: command(() => {
        throw new DataRecordError("f.jsonl", 3, "bad");
      }),
      boom: command(() => {
        throw new Error("unexpected");
      }),
    },
  };

  it("maps errors to exit codes and prints the error code", async () => {
    expect(await runTaskCli(spec, ["ok", "--seed", "2"], io)).toBe(EXIT_CODES.ok);
    expect(await runTaskCli(spec, ["ok", "--seed", "x"], io)).toBe(EXIT_CODES.usage);
    expect(await runTaskCli(spec, ["nope"], io)).toBe(EXIT_CODES.usage);
    expect(await runTaskCli(spec, ["ok", "stray"], io)).toBe(EXIT_CODES.usage);
    out.length = 0;
    expect(await runTaskCli(spec, ["data"], io)).toBe(EXIT_CODES.data);
    expect(out.join("")).toContain("error[DQNLM_APPKIT_BAD_RECORD]: f.jsonl:3: bad");
    expect(await runTaskCli(spec, ["boom"], io)).toBe(EXIT_CODES.failure);
  });

  it("prints help for the program and for a command", async () => {
    out.length = 0;
    expect(await runTaskCli(spec, ["--help"], io)).toBe(EXIT_CODES.ok);
    expect(out.join("")).toContain("Usage: dqnlm-test <command> [options]");
    out.length = 0;
    expect(await runTaskCli(spec, ["ok", "--help"], io)).toBe(EXIT_CODES.ok);
    expect(out.join("")).toMatch(/--preset <stable\|seed>\s+\(default: stable\)/);
  });
});
