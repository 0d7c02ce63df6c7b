import { spawnSync } from 'node:child_process';
import { patroniMissing } from './patroni-cluster';

const PACKAGES = ['patroni', 'etcd-server', 'postgresql'];

/**
 * Patroni, etcd and a PostgreSQL server, installed with apt-get when missing and this
 * process runs as root; otherwise it throws, naming the packages, so a test that needs
 * the cluster fails loudly instead of skipping.
 */
export function ensurePatroni(): void {
  if (patroniMissing() === undefined) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `PATRONI MISSING: ${patroniMissing()} (as root, or run this test as root to have it installed)`,
    );
  const install = () =>
    spawnSync('apt-get', ['install', '-y', ...PACKAGES], {
      stdio: 'ignore',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let installed = install();
  if (installed.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 180_000 });
    installed = install();
  }
  const still = patroniMissing();
  if (still)
    throw new Error(
      `PATRONI MISSING: "apt-get install -y ${PACKAGES.join(' ')}" failed (status ${String(installed.status)}): ${still}`,
    );
}
