import { SystemClock } from '@scheduleman/domain';
import { ConfigError } from './env-reader';

/**
 * Runs an app's config loader at boot. A ConfigError ends the process at once with exit
 * code 1 and a message naming every bad variable (one JSON log line on stdout like every
 * other log, and the same text for humans on stderr), with no stack trace: the problem
 * is the deployment, not the code.
 */
export function loadConfigOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(
      `${JSON.stringify({ time: new SystemClock().now().toISOString(), level: 'error', app, context: 'Config', msg: 'invalid configuration', problems: error.problems })}\n`,
    );
    process.stderr.write(`${app}: ${error.message}\n`);
    process.exit(1);
  }
}
