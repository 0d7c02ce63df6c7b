// Starting one app as `node dist/apps/<app>/main.js`, exactly as in production, with its
// output prefixed by its name, and restarting it once if it dies on its own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * @param {object} context  root, env, databaseUrl, width (of the name column), shout,
 *   run ({ stopping, live }: shared with the shutdown) and onEveryoneDown.
 * @returns {(service: object) => void}
 */
export function appLauncher(context) {
  const { root, env, databaseUrl, width, shout, run, onEveryoneDown } = context;
  function launch(service) {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        join(root, 'dist', 'apps', service.app, 'main.js'),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...env,
          SCHEDULEMAN_START_SUPERVISOR: undefined,
          DATABASE_URL: databaseUrl,
          PORT: String(service.port),
          ...service.env,
        },
      },
    );
    service.child = child;
    run.live.add(child);
    const prefix = `${service.name.padEnd(width)} | `;
    createInterface({ input: child.stdout }).on('line', (line) =>
      process.stdout.write(prefix + line + '\n'),
    );
    createInterface({ input: child.stderr }).on('line', (line) =>
      process.stderr.write(prefix + line + '\n'),
    );
    child.on('exit', (code, signal) => {
      run.live.delete(child);
      if (run.stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!service.restarted) {
        // One restart covers a transient failure (e.g. the DB was briefly away at boot); a
        // process that dies twice has a real problem, and looping would bury the first error.
        service.restarted = true;
        shout(
          `${service.name} exited unexpectedly (${how}); restarting it once. The others keep running.`,
        );
        setTimeout(() => run.stopping || launch(service), 1000).unref();
      } else {
        service.down = true;
        shout(
          `${service.name} exited unexpectedly again (${how}); leaving it down. The others keep running.`,
        );
        if (run.live.size === 0) onEveryoneDown();
      }
    });
  }
  return launch;
}
