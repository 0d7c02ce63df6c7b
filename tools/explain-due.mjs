#!/usr/bin/env node
// The 1,000,000-schedules check: are the plan stage's due query and the list pages still
// index-driven at that size? Creates a scratch database on the server named by
// TEST_DATABASE_URL or DATABASE_URL, migrates it with the production migrations, fills it
// with generate_series, ANALYZEs, then prints EXPLAIN (ANALYZE, BUFFERS) of each statement
// (the production SQL text, loaded from the TypeScript sources) and a summary table.
// Exits 1 if a due query does not use schedules_due_idx (or any listed query misses its index).
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node tools/explain-due.mjs [--rows 1000000] [--keep]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const OWNERS = 1000;
const SPREAD_DAYS = 7;
const BATCH = 100_000;

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    'Set TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL server (a scratch database is created there).',
  );
  process.exit(2);
}
if (!Number.isInteger(ROWS) || ROWS < 1000) {
  console.error('--rows must be an integer of at least 1000');
  process.exit(2);
}

// Load the TypeScript sources as they are (transpile only), resolving the workspace's path
// aliases, so this script checks the very SQL text the apps run.
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: {
    module: 'commonjs',
    moduleResolution: 'bundler',
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
  },
});
const aliases = JSON.parse(
  readFileSync(join(root, 'tsconfig.base.json'), 'utf8'),
).compilerOptions.paths;
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const target = aliases[request]?.[0];
  return resolve.call(this, target ? join(root, target) : request, ...rest);
};
require('reflect-metadata');
const { createDataSource, runMigrations } = require(
  join(root, 'libs/domain/src/persistence/index.ts'),
);
const { INSERT_BULK_SCHEDULES, NTH_SCHEDULE_KEY } = require(
  join(root, 'apps/schedule-api/src/query-plans/bulk-schedules.sql.ts'),
);
const { planCases } = require(
  join(root, 'apps/schedule-api/src/query-plans/query-plans.ts'),
);
const { Client } = require('pg');

const dbName = `explain_due_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const log = (...parts) =>
  console.log(
    `[explain-due ${new Date().toISOString().slice(11, 19)}]`,
    ...parts,
  );
const secondsSince = (t) => ((performance.now() - t) / 1000).toFixed(1);

async function withAdmin(fn) {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

let failed = false;
await withAdmin((admin) => admin.query(`create database ${dbName}`));
try {
  const ds = createDataSource({ url: dbUrl, applicationName: 'explain-due' });
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
  log(`scratch database ${dbName} migrated`);

  const client = new Client({ connectionString: dbUrl });
  await client.connect();
  const server = (await client.query('show server_version')).rows[0]
    .server_version;
  let t = performance.now();
  for (let from = 1; from <= ROWS; from += BATCH) {
    const to = Math.min(ROWS, from + BATCH - 1);
    await client.query(INSERT_BULK_SCHEDULES, [
      from,
      to,
      OWNERS,
      SPREAD_DAYS,
      ROWS,
    ]);
    log(
      `inserted ${to.toLocaleString('en')} / ${ROWS.toLocaleString('en')} schedules (${secondsSince(t)} s)`,
    );
  }
  const insertSeconds = secondsSince(t);
  t = performance.now();
  await client.query('vacuum analyze schedules');
  log(`vacuum analyze in ${secondsSince(t)} s`);

  const size = (
    await client.query(
      `select pg_size_pretty(pg_total_relation_size('schedules')) as total, pg_size_pretty(pg_relation_size('schedules_due_idx')) as due_idx`,
    )
  ).rows[0];
  const counts = (
    await client.query(
      `select status, count(*)::int as n from schedules group by status order by status`,
    )
  ).rows;
  const now = (await client.query('select now() as now')).rows[0].now;
  const owner = 'owner-7';
  const deepCursor = (
    await client.query(NTH_SCHEDULE_KEY, [Math.floor(ROWS * 0.9), null])
  ).rows[0];
  const ownerDeepCursor = (
    await client.query(NTH_SCHEDULE_KEY, [
      Math.floor((ROWS / OWNERS) * 0.9),
      owner,
    ])
  ).rows[0];
  const cases = planCases({
    now,
    deepCursor,
    ownerDeepCursor,
    owner,
    pageSize: 50,
  });

  const summary = [];
  for (const c of cases) {
    // The due query locks rows (FOR UPDATE): explain it inside a transaction and roll back.
    await client.query('begin');
    let plan;
    try {
      await client.query('explain (analyze, buffers) ' + c.sql, c.params); // warm-up run, as a steady-state process would be
      const res = await client.query(
        'explain (analyze, buffers) ' + c.sql,
        c.params,
      );
      plan = res.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.query('rollback');
    }
    const usesIndex = plan.includes(c.index);
    const rows = /actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan)?.[1];
    const execMs = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
    const hits = /Buffers: shared hit=(\d+)(?: read=(\d+))?/.exec(plan);
    summary.push({
      query: c.name,
      index: usesIndex ? c.index : `NOT ${c.index}`,
      rows,
      ms: execMs,
      buffers: hits
        ? `${hits[1]} hit${hits[2] ? `, ${hits[2]} read` : ''}`
        : '',
    });
    console.log(
      `\n=== ${c.name}\nparams: ${JSON.stringify(c.params)}\n${c.sql.trim()}\n--- plan\n${plan}`,
    );
    if (!usesIndex) failed = true;
  }
  await client.end();

  console.log(
    `\n## Summary (${ROWS.toLocaleString('en')} schedules, PostgreSQL ${server}, ${os.cpus().length} CPUs, ${new Date().toISOString()})`,
  );
  console.log(
    `insert ${insertSeconds} s; table + indexes ${size.total}; schedules_due_idx ${size.due_idx}; ${counts.map((c) => `${c.status} ${c.n}`).join(', ')}\n`,
  );
  console.log('| query | index | rows | execution ms | buffers |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const s of summary)
    console.log(
      `| ${s.query} | ${s.index} | ${s.rows} | ${s.ms} | ${s.buffers} |`,
    );
  if (failed)
    console.error('\nFAIL: a query does not use its index (see NOT above)');
} finally {
  if (args.keep) log(`kept ${dbUrl}`);
  else
    await withAdmin((admin) =>
      admin.query(`drop database if exists ${dbName} with (force)`),
    );
}
process.exit(failed ? 1 : 0);
