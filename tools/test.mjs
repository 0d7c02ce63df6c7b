// `npm test`: lint, build the apps (end-to-end tests run the built processes), then run
// every project's Jest tests against one real PostgreSQL: TEST_DATABASE_URL when set,
// otherwise an embedded server started here on a port that is not 5432.
// Each test file creates its own database on that server.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_FLAGS, startEmbeddedPostgres } from './embedded-pg.mjs';

const root = join(import.meta.dirname, '..');
const jestArgs = process.argv.slice(2);

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  return result.status ?? 1;
}

let server;
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
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

let status = 0;
try {
  if (!env.SKIP_LINT)
    status = run(
      'npx',
      ['nx', 'run-many', '-t', 'lint', '--outputStyle=static'],
      env,
    );
  if (status === 0)
    status = run(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        '--projects=schedule-api,scheduler,task-pretender,bench',
        '--outputStyle=static',
      ],
      env,
    );
  if (status === 0) {
    const report = join(tmpdir(), `scheduleman-jest-${process.pid}.json`);
    status = run(
      'npx',
      [
        'jest',
        '--config',
        'jest.config.ts',
        '--json',
        `--outputFile=${report}`,
        ...jestArgs,
      ],
      env,
    );
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      rmSync(report, { force: true });
      // A plain closing line that any CI reader understands.
      console.log(
        `\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
      );
      if (r.numTotalTests === 0) status = status || 1;
    }
  }
} finally {
  await server?.stop();
}
process.exit(status);
