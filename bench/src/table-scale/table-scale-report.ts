import { fmt, markdownTable } from '../report/table';
import type { TableScaleReport, TableScaleRun } from './table-scale-command';

const MB = 2 ** 20;

export function rowsLabel(rows: number): string {
  if (rows >= 1_000_000 && rows % 100_000 === 0) return `${rows / 1_000_000}M`;
  if (rows >= 1_000 && rows % 100 === 0) return `${rows / 1_000}k`;
  return String(rows);
}

function sizeOf(run: TableScaleRun, name: string) {
  const size = run.sizes.find((s) => s.name === name);
  if (!size) throw new Error(`no size of ${name}`);
  return size;
}

/** Sizes per run: bytes per row are pg_total_relation_size / count(*). */
export function sizesTable(runs: readonly TableScaleRun[]): string {
  return markdownTable(
    [
      'executions',
      'executions heap MB',
      'executions indexes MB',
      'bytes/execution',
      'attempts rows',
      'attempts MB',
      'bytes/attempt',
      'bytes/fired execution (both tables)',
      'load s',
      'keys + indexes s',
    ],
    runs.map((run) => {
      const e = sizeOf(run, 'executions');
      const a = sizeOf(run, 'execution_attempts');
      return [
        e.rows.toLocaleString('en-US'),
        fmt(e.tableBytes / MB),
        fmt(e.indexBytes / MB),
        fmt(e.totalBytes / e.rows),
        a.rows.toLocaleString('en-US'),
        fmt(a.totalBytes / MB),
        fmt(a.totalBytes / Math.max(a.rows, 1)),
        fmt(e.totalBytes / e.rows + a.totalBytes / Math.max(a.rows, 1)),
        fmt(run.fill.loadSeconds),
        fmt(run.fill.indexSeconds),
      ];
    }),
  );
}

/** Each statement's median execution time and buffers, one column per size. */
export function probesTable(runs: readonly TableScaleRun[]): string {
  const names = runs[0]?.probes.map((p) => p.name) ?? [];
  return markdownTable(
    [
      'statement',
      ...runs.map((r) => `${rowsLabel(r.rows)}: ms (buffers, read)`),
      'rows',
    ],
    names.map((name, i) => [
      // The heavy schedule's history length is in its name: show the size-free part.
      name.replace(/ \([\d,]+ executions\)/, ''),
      ...runs.map((r) => {
        const p = r.probes[i];
        return `${p.executionMs.toFixed(2)} (${p.buffers}, ${p.read})`;
      }),
      String(runs[0].probes[i].rows),
    ]),
  );
}

export function pruneTable(runs: readonly TableScaleRun[]): string {
  return markdownTable(
    [
      'executions',
      'batches of 1000',
      'rows deleted',
      'seconds',
      'rows/s',
      'first batch ms',
      'last batch ms',
    ],
    runs.map((r) => [
      r.rows.toLocaleString('en-US'),
      String(r.prune.batches),
      r.prune.rows.toLocaleString('en-US'),
      fmt(r.prune.seconds, 1),
      fmt(r.prune.rowsPerSecond),
      fmt(r.prune.firstBatchMs, 1),
      fmt(r.prune.lastBatchMs, 1),
    ]),
  );
}

export function indexesTable(run: TableScaleRun): string {
  return markdownTable(
    ['index', 'MB', 'bytes/row'],
    run.sizes
      .filter((s) => s.name !== 'schedules')
      .flatMap((s) =>
        s.indexes.map((i) => [
          i.name,
          fmt(i.bytes / MB),
          fmt(i.bytes / Math.max(s.rows, 1), 1),
        ]),
      ),
  );
}

export function renderTableScaleReport(report: TableScaleReport): string {
  const largest = report.runs.at(-1);
  return [
    `# table-scale, ${report.startedAt}`,
    '',
    `\`${report.command}\``,
    '',
    ...Object.entries(report.machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Sizes',
    '',
    sizesTable(report.runs),
    '',
    '## Hot statements, EXPLAIN (ANALYZE, BUFFERS), median of 5, rolled back',
    '',
    probesTable(report.runs),
    '',
    '## Retention: PRUNE_EXECUTIONS committed, back to back',
    '',
    pruneTable(report.runs),
    ...(largest
      ? [
          '',
          `## Indexes at ${rowsLabel(largest.rows)}`,
          '',
          indexesTable(largest),
        ]
      : []),
    '',
    `wall time ${report.wallSeconds.toFixed(0)} s`,
  ].join('\n');
}
