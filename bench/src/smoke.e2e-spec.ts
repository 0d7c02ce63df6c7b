import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { benchMain, workspaceRoot } from './infra/workspace';
import type { Evaluation } from './stats/evaluate';

interface Finished {
  code: number | null;
  output: string;
}

/** Runs the built harness (`npm test` builds it) and collects its output. */
function runHarness(args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchMain(), ...args], { cwd: workspaceRoot(), env: process.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function writtenJson<T>(output: string): T {
  const path = /written: (\S+\.json)/.exec(output)?.[1];
  if (!path || !existsSync(path)) throw new Error(`no report written; output:\n${output}`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function expectKeptPromises(e: Evaluation): void {
  expect(e.expected).toBeGreaterThan(0);
  expect(e.missing).toBe(0);
  expect(e.outsideBound).toBe(0);
  expect(e.unexpected).toBe(0);
  // At-least-once: repeats are allowed, but only under the occurrence's one key.
  expect(e.duplicatesWithDifferentKeys).toBe(0);
}

// Correctness only: the smoke runs are far too small, and the machine too shared, for speed.
// The generous timeouts are for a machine busy with every other test file at once.
describe('the benchmark and chaos harness, smoke sized', () => {
  it('bench --smoke delivers every occurrence of every workload exactly under its key', async () => {
    const { code, output } = await runHarness(['bench', '--smoke']);
    const report = writtenJson<{ runs: { workload: string; evaluation: Evaluation; unexpectedExits: string[] }[] }>(output);
    expect(report.runs.map((r) => r.workload)).toEqual(['burst', 'spread', 'cron', 'scale-20k']);
    for (const run of report.runs) {
      expectKeptPromises(run.evaluation);
      expect(run.unexpectedExits).toEqual([]);
    }
    expect({ code, output }).toMatchObject({ code: 0 });
  }, 300_000);

  it('chaos --smoke loses nothing through a scheduler kill, a database restart and a freeze', async () => {
    // --own-db: the chaos run restarts its database server, which must not be the shared one.
    const { code, output } = await runHarness(['chaos', '--smoke', '--own-db']);
    const report = writtenJson<{ evaluation: Evaluation; events: { what: string }[]; crashes: string[] }>(output);
    const events = report.events.map((e) => e.what).join('\n');
    expect(events).toMatch(/SIGKILL scheduler/);
    expect(events).toMatch(/restarted the database server/);
    expect(events).toMatch(/SIGSTOP scheduler/);
    expectKeptPromises(report.evaluation);
    expect(report.crashes).toEqual([]);
    expect({ code, output }).toMatchObject({ code: 0 });
  }, 300_000);
});
