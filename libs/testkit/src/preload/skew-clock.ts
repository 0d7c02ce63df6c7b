import { join } from 'node:path';
import { workspaceRoot } from '../workspace';

/** What to add to a process's start for a host clock `skewMs` off (positive: ahead). */
export interface SkewedClock {
  nodeArgs: string[];
  env: Record<string, string>;
}

/**
 * The node flags and environment that load the clock-skew preload
 * (libs/testkit/preload/skew-clock.cjs: plain CommonJS, because `node -r` loads it
 * before any bundle or TypeScript loader runs).
 */
export function skewClock(skewMs: number): SkewedClock {
  const preload = join(
    workspaceRoot(),
    'libs',
    'testkit',
    'preload',
    'skew-clock.cjs',
  );
  return {
    nodeArgs: ['-r', preload],
    env: { TEST_CLOCK_SKEW_MS: String(skewMs) },
  };
}
