import { join } from 'node:path';
import { ApiClient } from '@scheduleman/testkit';
import { BenchCluster } from '../infra/bench-cluster';
import { treeCpuSeconds } from '../infra/proc-stats';
import type { RunEnvironment } from './run-workload';

/**
 * The setup of the commands that measure the API alone (`--creation`, `--security-cost`):
 * an API without schedulers, owner-bound keys, and the CPU of the API and of PostgreSQL
 * around what they create. The schedules they create are due tomorrow
 * (workloads/workload.ts `dueTomorrow`), so no scheduler need run.
 */

/**
 * The API alone on `databaseUrl`, its logs in `<logRoot>/<name>`, plus `apiEnv`;
 * `apiMain` another API bundle (A/B), else the built one.
 */
export function startApiOnly(
  env: RunEnvironment,
  databaseUrl: string,
  name: string,
  apiEnv: Record<string, string> = {},
  apiMain?: string,
): Promise<BenchCluster> {
  return BenchCluster.start({
    databaseUrl,
    schedulerCount: 0,
    logDir: join(env.logRoot, name),
    logLevel: env.logLevel,
    schedulerEnv: {},
    apiEnv,
    cpuProfile: env.cpuProfile,
    apiMain,
  });
}

/**
 * A client of `apiUrl` with a new key of `owner` (scope schedules:write) made through
 * `admin`: each of its requests looks its key up by hash and counts against the owner's
 * quotas, as a deployed API does. Close it when done.
 */
export async function ownerKeyClient(
  admin: ApiClient,
  apiUrl: string,
  owner: string,
  name: string,
): Promise<ApiClient> {
  const created = await admin.createApiKey({
    owner,
    scopes: ['schedules:write'],
    name,
  });
  return new ApiClient(apiUrl, { apiKey: created.key });
}

/** CPU spent in some work, in ms per item it made. */
export interface CpuPerItem {
  apiCpuMs: number;
  /** Undefined when the server's postmaster is unknown (an external database). */
  pgCpuMs: number | undefined;
}

/**
 * Runs `work` and measures the CPU of the cluster's API (the first process it meters)
 * and of PostgreSQL (the postmaster and its backends) meanwhile, per item of
 * `countOf(result)` (at least 1). Only valid while nothing else uses either.
 */
export async function meterApiCpu<T>(
  env: RunEnvironment,
  cluster: BenchCluster,
  work: () => Promise<T>,
  countOf: (result: T) => number,
): Promise<{ result: T; cpu: CpuPerItem }> {
  const postmaster = env.server.postmasterPid();
  const pgBefore = postmaster ? treeCpuSeconds(postmaster) : undefined;
  cluster.markCpu();
  const result = await work();
  const [api] = cluster.usage();
  const pgAfter = postmaster ? treeCpuSeconds(postmaster) : undefined;
  const per = Math.max(1, countOf(result));
  return {
    result,
    cpu: {
      apiCpuMs: (api.cpuSeconds * 1000) / per,
      pgCpuMs:
        pgBefore !== undefined && pgAfter !== undefined
          ? ((pgAfter - pgBefore) * 1000) / per
          : undefined,
    },
  };
}
