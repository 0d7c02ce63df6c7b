import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';

/** Root config: `npm test` runs every project's tests in one Jest run (see tools/test.mjs). */
export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
});
