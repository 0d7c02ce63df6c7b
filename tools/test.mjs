// `npm test`, in this order, stopping at the first failure:
//   1. `prettier --check .`  first, because it takes seconds and fails fast;
//   2. `npm run typecheck`   tsc over every TypeScript source, tests included (Jest only
//                            transpiles: tsconfig.base.json sets isolatedModules);
//   3. `npm run lint`        nx lint of every project, and eslint of tools/**/*.mjs
//                            (SKIP_LINT=1 skips this step for a quick local rerun);
//   4. the build of the apps, the bench and the web UI (end-to-end tests run the built
//      processes; the browser test loads the built UI);
//   5. the web UI's unit tests (Vitest, jsdom: apps/schedule-ui/src/**/*.test.tsx);
//   6. every project's Jest tests, against one real PostgreSQL: TEST_DATABASE_URL when set,
//      otherwise an embedded server started here (tools/embedded-pg.mjs, which also works as
//      root and from a private folder) on TEST_EMBEDDED_PG_PORT (54330), never 5432. Each test
//      file creates its own database on that server.
// Then a plain closing line: `N passed, N failed, N skipped` (Vitest's and Jest's), and the list of broker
// suites that did not run because their broker was absent (skipped, never passed).
// Arguments go to Jest.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_FLAGS, startEmbeddedPostgres } from './embedded-pg.mjs';

const root = join(import.meta.dirname, '..');
const jestArgs = process.argv.slice(2);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

let server;
let current;
let interrupted = false;

/** How long a step may go on after writing its complete JSON report (see run). */
const EXIT_GRACE_MS = 60_000;

/** A Jest-style JSON report, once it is completely written; else undefined. */
function finishedReport(file) {
  if (!file || !existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    return typeof r.success === 'boolean' ? r : undefined;
  } catch {
    return undefined; // still being written
  }
}

/**
 * Runs a step in the foreground; resolves its exit status. With `report` (the step's
 * JSON report file): a step still running EXIT_GRACE_MS after its report is complete is
 * killed, loudly, and its status is the report's. Jest has been seen to hang forever
 * after its report, inside Node's exit (FreeEnvironment / CleanupHandles spinning at
 * 100 % CPU with every test done: 3 December 2026, docs/workspace.md "npm test").
 */
function run(title, command, args, report) {
  console.log(`[test] ${title}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    current = child;
    let doneAt;
    let hung;
    const watch = report
      ? setInterval(() => {
          const r = finishedReport(report);
          if (!r) return;
          doneAt ??= Date.now();
          if (Date.now() - doneAt < EXIT_GRACE_MS) return;
          hung = r;
          console.error(
            `[test] *** ${command} wrote its report but did not exit within ${EXIT_GRACE_MS / 1000} s: killed; its status is the report's (success: ${String(r.success)}) ***`,
          );
          child.kill('SIGKILL');
        }, 2_000)
      : undefined;
    child.once('error', (error) => {
      clearInterval(watch);
      console.error(`[test] cannot run ${command}: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      clearInterval(watch);
      current = undefined;
      if (hung) resolve(hung.success ? 0 : 1);
      else resolve(code ?? (signal ? 1 : 0));
    });
  });
}

// Ctrl-C or a kill: stop the step and the database, so no server outlives the run.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`[test] ${signal}: stopping`);
    current?.kill(signal);
    void (async () => {
      await server?.stop();
      process.exit(130);
    })();
  });
}

async function main() {
  let status = await run('formatting: prettier --check .', 'npx', [
    'prettier',
    '--check',
    '.',
  ]);
  if (status !== 0) {
    console.error('[test] misformatted files (above): run `npm run format`');
    return status;
  }
  status = await run('types: npm run typecheck', 'npm', ['run', 'typecheck']);
  if (status !== 0) return status;
  if (env.SKIP_LINT === '1') console.log('[test] lint skipped (SKIP_LINT=1)');
  else status = await run('lint: npm run lint', 'npm', ['run', 'lint']);
  if (status !== 0) return status;
  status = await run('build', 'npx', [
    'nx',
    'run-many',
    '-t',
    'build',
    '--projects=schedule-api,scheduler,task-pretender,bench,schedule-ui',
    '--outputStyle=static',
  ]);
  if (status !== 0 || interrupted) return status || 1;

  const ui = join(tmpdir(), `scheduleman-vitest-${process.pid}.json`);
  status = await run('ui unit tests: vitest', 'npx', [
    'vitest',
    'run',
    '--root',
    'apps/schedule-ui',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${ui}`,
  ]);
  const uiCounts = readCounts(ui);
  if (status !== 0 || interrupted) return status || 1;
  if (uiCounts.numTotalTests === 0) {
    console.error('[test] vitest ran no UI test');
    return 1;
  }

  if (!env.TEST_DATABASE_URL) {
    const port = Number(env.TEST_EMBEDDED_PG_PORT ?? 54330);
    server = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `scheduleman-test-pg-${port}`),
      port,
      fresh: true,
      flags: FAST_FLAGS,
    });
    env.TEST_DATABASE_URL = server.url;
    console.log(`[test] embedded PostgreSQL on port ${port}`);
  }
  const report = join(tmpdir(), `scheduleman-jest-${process.pid}.json`);
  status = await run(
    'jest',
    'npx',
    [
      'jest',
      '--config',
      'jest.config.ts',
      '--json',
      `--outputFile=${report}`,
      ...jestArgs,
    ],
    report,
  );
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    rmSync(report, { force: true });
    // A plain closing line that any CI reader understands.
    const passed = r.numPassedTests + uiCounts.numPassedTests;
    const failed = r.numFailedTests + uiCounts.numFailedTests;
    const skipped = r.numPendingTests + uiCounts.numPendingTests;
    console.log(
      `\n${passed} passed, ${failed} failed, ${skipped} skipped (of which UI unit tests: ${uiCounts.numPassedTests} passed)`,
    );
    if (r.numTotalTests === 0) status = status || 1;
    reportAbsentBrokers(r);
  }
  return status;
}

/** Vitest's JSON report has Jest's counters; a missing report counts nothing. */
function readCounts(file) {
  const none = {
    numTotalTests: 0,
    numPassedTests: 0,
    numFailedTests: 0,
    numPendingTests: 0,
  };
  if (!existsSync(file)) return none;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return { ...none, ...r };
}

/**
 * Suites whose broker was absent are skipped with a title that says so
 * (libs/testkit describeWithBroker): list them after the closing line, loudly, so a
 * reader never takes the run for a complete one.
 */
function reportAbsentBrokers(report) {
  const mark = 'BROKER ABSENT, NOT RUN';
  const suites = new Map();
  for (const file of report.testResults ?? [])
    for (const test of file.assertionResults ?? []) {
      const title = (test.ancestorTitles ?? []).find((t) => t.startsWith(mark));
      if (test.status !== 'pending' || title === undefined) continue;
      suites.set(title, (suites.get(title) ?? 0) + 1);
    }
  if (suites.size === 0) return;
  const count = [...suites.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\n*** ${count} broker tests did NOT run (counted as skipped, not passed): ***`,
  );
  for (const [title, n] of suites) console.log(`***   ${title} (${n} tests)`);
}

let status = 1;
try {
  status = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await server?.stop();
}
process.exit(status);
