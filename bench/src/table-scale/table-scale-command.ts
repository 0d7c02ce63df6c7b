import { cpus, loadavg, totalmem } from 'node:os';
import { SystemClock } from '@scheduleman/domain';
import { Client } from 'pg';
import { benchCommandLine } from '../bench-command';
import { startDatabaseServer } from '../infra/database-server';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { createMigratedDatabase } from '../runner/run-workload';
import {
  fillExecutionsTable,
  type FillTimings,
  relationSizes,
  type RelationSize,
} from './table-fill';
import {
  measureProbes,
  measurePrune,
  type ProbeResult,
  type PruneThroughput,
} from './table-probes';
import { renderTableScaleReport } from './table-scale-report';

/** What one size measured. */
export interface TableScaleRun {
  rows: number;
  fill: FillTimings;
  sizes: RelationSize[];
  probes: ProbeResult[];
  prune: PruneThroughput;
}

export interface TableScaleReport {
  startedAt: string;
  command: string;
  machine: Record<string, string>;
  runs: TableScaleRun[];
  wallSeconds: number;
}

/** How long the committed prune measurement may delete for, per size. */
const PRUNE_BUDGET_MS = 20_000;

async function machine(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string; sb: string }>(
      `select version() as v, current_setting('shared_buffers') as sb`,
    );
    return {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      node: process.version,
      'load average at start (1/5/15 min)': loadavg()
        .map((l) => l.toFixed(2))
        .join(' / '),
      postgres: `${rows[0].v.split(' on ')[0]}, shared_buffers ${rows[0].sb}`,
    };
  } finally {
    await client.end();
  }
}

/**
 * `npm run bench -- --table-scale [--rows=1000000,10000000]`: per size, a fresh
 * database filled with that many executions (table-fill.ts), then every hot statement
 * under EXPLAIN (ANALYZE, BUFFERS) (table-probes.ts), the table and index sizes, and the
 * committed prune rate; the database is dropped before the next size, so the disk holds
 * one size at a time (about 412 bytes per execution with its attempt row: 12 GB at 30M).
 */
export async function runTableScaleCommand(
  options: HarnessOptions,
): Promise<number> {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
  const log = (line: string) =>
    console.log(`[table-scale +${elapsed().padStart(4)}s] ${line}`);
  const clock = new SystemClock();
  const server = await startDatabaseServer(options.externalDatabaseUrl);
  const report: TableScaleReport = {
    startedAt: clock.now().toISOString(),
    command: benchCommandLine(),
    machine: await machine(server.url),
    runs: [],
    wallSeconds: 0,
  };
  try {
    for (const rows of options.tableScaleRows) {
      log(`${rows.toLocaleString('en-US')} executions: filling`);
      const url = await createMigratedDatabase(server, 'bench_table_scale');
      try {
        const now = clock.now();
        const fill = await fillExecutionsTable(url, rows, now, log);
        const sizes = await relationSizes(url);
        log('probing the hot statements');
        const probes = await measureProbes(url, now, rows);
        log('pruning for real');
        const prune = await measurePrune(url, now, PRUNE_BUDGET_MS);
        report.runs.push({ rows, fill, sizes, probes, prune });
        report.wallSeconds = (performance.now() - started) / 1000;
        log(
          `done:\n${renderTableScaleReport({ ...report, runs: [report.runs.at(-1) as TableScaleRun] })}`,
        );
      } finally {
        if (options.keepDatabase) log(`kept ${url}`);
        else await server.dropDatabase(url).catch(() => undefined);
      }
    }
  } finally {
    await server.stop();
  }
  report.wallSeconds = (performance.now() - started) / 1000;
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const markdown = renderTableScaleReport(report);
  const files = writeReport(
    resultsDir(),
    `table-scale-${stamp}`,
    report,
    markdown,
  );
  console.log(`\n${markdown}\n\nwritten: ${files.join(', ')}`);
  return 0;
}
