/**
 * Validates the deployment files with the real tools, offline: `docker-compose config`
 * (through tools/validate-compose.sh, which installs Debian's docker-compose when it is
 * missing and it may) and `kubectl kustomize`. A tool that cannot be had makes its test
 * SKIPPED, with the reason printed: never a silent pass.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './workspace-facts';

const SKIPPED = 77;

// Run while Jest collects the file, so the outcome can decide between `it` and `it.skip`.
const compose = spawnSync(
  'bash',
  [join(ROOT, 'tools', 'validate-compose.sh')],
  { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
);
const composeLog =
  `${compose.stderr ?? ''}${compose.error ? String(compose.error) : ''}`.trim();
const composeSkipped = compose.status === SKIPPED;
// Say what ran (it may have installed a package), not only when something is wrong.
if (composeSkipped)
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
const kubectlMissing =
  kubectl.error !== undefined &&
  (kubectl.error as NodeJS.ErrnoException).code === 'ENOENT';
if (kubectlMissing)
  console.warn('deploy/k8s NOT rendered: kubectl is not installed');

describe('deployment files, checked by their own tools', () => {
  (composeSkipped ? it.skip : it)(
    'docker-compose config accepts docker-compose.yml with its defaults alone',
    () => {
      expect({ status: compose.status, log: composeLog }).toEqual({
        status: 0,
        log: expect.stringContaining('docker-compose.yml is valid'),
      });
      expect(compose.stdout).toMatch(/replicas: 3/);
    },
  );

  (kubectlMissing ? it.skip : it)(
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
