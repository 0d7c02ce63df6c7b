import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { benchMain, workspaceRoot } from '../infra/workspace';
import type { Evaluation } from '../stats/evaluate';

export interface Finished {
  code: number | null;
  output: string;
}

/** Runs the built harness (`npm test` builds it) and collects its output. */
export function runHarness(args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchMain(), ...args], {
      cwd: workspaceRoot(),
      env: process.env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** The JSON report the run wrote (its path is on the `written:` line). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the report's shape; parsed JSON has none to infer
export function writtenJson<T>(output: string): T {
  // The path may hold spaces (a clone in `my clone/`): it ends at `.json`.
  const path = /^written: (.+?\.json)(?:, |$)/m.exec(output)?.[1];
  if (!path || !existsSync(path))
    throw new Error(`no report written; output:\n${output}`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function expectKeptPromises(e: Evaluation): void {
  expect(e.expected).toBeGreaterThan(0);
  expect(e.missing).toBe(0);
  expect(e.outsideBound).toBe(0);
  expect(e.unexpected).toBe(0);
  // At-least-once: repeats are allowed, but only under the occurrence's one key.
  expect(e.duplicatesWithDifferentKeys).toBe(0);
}

/**
 * Correctness only: the smoke runs are far too small, and the machine too shared, for
 * speed. The generous timeout is for a machine busy with every other test file at once.
 */
export const SMOKE_TIMEOUT_MS = 300_000;
