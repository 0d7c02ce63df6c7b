import { existsSync, readFileSync } from 'node:fs';
import { AppProcess } from '@scheduleman/testkit';
import { benchMain } from '../infra/workspace';
import type { Evaluation } from '../stats/evaluate';

export interface Finished {
  code: number | null;
  output: string;
}

/** Runs the built harness (`npm test` builds it) and collects its output. */
export async function runHarness(args: string[]): Promise<Finished> {
  const bench = new AppProcess({
    name: `bench ${args.join(' ')}`,
    main: benchMain(),
    args,
  }).start();
  const { code } = await bench.waitExit(SMOKE_TIMEOUT_MS);
  return { code, output: bench.output() };
}

/** The JSON report the run wrote (its path is on the `written:` line); callers state its shape. */
export function writtenJson(output: string): unknown {
  // The path may hold spaces (a clone in `my clone/`): it ends at `.json`.
  const path = /^written: (.+?\.json)(?:, |$)/m.exec(output)?.[1];
  if (!path || !existsSync(path))
    throw new Error(`no report written; output:\n${output}`);
  return JSON.parse(readFileSync(path, 'utf8'));
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
