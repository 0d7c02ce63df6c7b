import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which playwright-core drives (no browser download: docs/ui.md). */
export const CHROMIUM_PATH =
  process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** apt-get fetches ~480 MB for chromium on a bare machine: minutes, not seconds. */
const INSTALL_TIMEOUT_MS = 20 * 60_000;

function aptGet(args: string[]): boolean {
  process.stderr.write(`[chromium] apt-get ${args.join(' ')}\n`);
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

let checked: string | undefined | null = null;

/**
 * Why the browser tests cannot run here, or undefined when Chromium is at CHROMIUM_PATH.
 * As root it installs Debian's `chromium` first when missing (apt-get update when the
 * install fails on stale lists), synchronously, because Jest collects `describe` blocks
 * synchronously. For describeIfAvailable: the suite is skipped loudly, never passed.
 */
export function chromiumAbsentReason(): string | undefined {
  if (checked !== null) return checked;
  if (!existsSync(CHROMIUM_PATH) && process.getuid?.() === 0) {
    if (!aptGet(['install', '-y', 'chromium']) && aptGet(['update']))
      aptGet(['install', '-y', 'chromium']);
  }
  checked = existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH}; install it (apt-get install -y chromium, as root) or set CHROMIUM_PATH`;
  return checked;
}
