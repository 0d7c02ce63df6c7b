/**
 * Validates the deployment files with the real tools, offline: `docker-compose config`
 * (through tools/validate-compose.sh, which installs Debian's docker-compose when it is
 * missing and it may) and `kubectl kustomize`. Slow (an install may run) and dependent on
 * the machine, so it is an integration test, not a unit test.
 *
 * A tool that cannot be had makes its test SKIPPED, never a silent pass: the reason is
 * printed as a warning and written into the skipped test's title, so it shows in Jest's
 * report next to the skip count.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './workspace-facts';

const SKIPPED = 77;

/** `it`, or `it.skip` with the reason in the title when the check could not run. */
function itUnless(
  skipReason: string | undefined,
  title: string,
  fn: () => void,
) {
  if (skipReason === undefined) it(title, fn);
  else it.skip(`${title} [SKIPPED: ${skipReason}]`, fn);
}

// Run while Jest collects the file, so the outcome can decide between `it` and `it.skip`.
const compose = spawnSync(
  'bash',
  [join(ROOT, 'tools', 'validate-compose.sh')],
  { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
);
// Null, despite the type, when bash itself could not be spawned.
const composeStderr = compose.stderr as string | null;
const composeLog =
  `${composeStderr ?? ''}${compose.error ? String(compose.error) : ''}`.trim();
const composeSkip =
  compose.status === SKIPPED
    ? (composeLog
        .split('\n')
        .find((line) => line.includes('SKIPPED'))
        ?.replace(/^validate-compose: SKIPPED, /, '') ?? 'see the log')
    : undefined;
// Say what ran (it may have installed a package), not only when something is wrong.
if (composeSkip !== undefined)
  console.warn(`docker-compose config NOT validated:\n${composeLog}`);
else
  console.info(
    composeLog
      .split('\n')
      .filter((line) => line.startsWith('validate-compose:'))
      .join('\n'),
  );

const kubectl = spawnSync(
  'kubectl',
  ['kustomize', join(ROOT, 'deploy', 'k8s')],
  { encoding: 'utf8', timeout: 60_000 },
);
const kubectlSkip =
  kubectl.error !== undefined &&
  (kubectl.error as NodeJS.ErrnoException).code === 'ENOENT'
    ? 'kubectl is not installed'
    : undefined;
if (kubectlSkip !== undefined)
  console.warn(`deploy/k8s NOT rendered: ${kubectlSkip}`);

describe('deployment files, checked by their own tools', () => {
  itUnless(
    composeSkip,
    'docker-compose config accepts docker-compose.yml with its defaults alone',
    () => {
      // The log shows in the failure message when the status is wrong.
      expect({ status: compose.status, log: composeLog }).toMatchObject({
        status: 0,
      });
      expect(composeLog).toContain('docker-compose.yml is valid');
      expect(compose.stdout).toMatch(/replicas: 3/);
    },
  );

  itUnless(
    kubectlSkip,
    'kubectl kustomize renders deploy/k8s into the namespaced objects',
    () => {
      expect({ status: kubectl.status, stderr: kubectl.stderr }).toEqual({
        status: 0,
        stderr: '',
      });
      for (const kind of [
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'ConfigMap',
        'Secret',
      ]) {
        expect(kubectl.stdout).toContain(`kind: ${kind}`);
      }
      expect(
        kubectl.stdout.match(/namespace: scheduleman/g)?.length,
      ).toBeGreaterThanOrEqual(8);
    },
  );
});
