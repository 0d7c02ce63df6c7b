// PostgreSQL CPU (and this process's) per fire of the scheduler's statements, without
// the fire path: ClaimsRepository and ScheduleUpkeepRepository on a pool of one
// connection, whose backend's CPU is read from /proc/<pid>/stat (clock ticks). Each cycle
// is a spread poll: `--per-poll` one-shots due now (inserted on another connection, not
// counted), ANY_SCHEDULE_DUE + the plan transaction, an idle CLAIM_DUE, the outcomes in
// writes of `--per-write` (COMPLETE_FIRES + RECORD_SCHEDULE_OUTCOMES), an idle probe.
// Rounds alternate DB_PREPARED_STATEMENTS off / on, a fresh connection each. Needs
// TEST_DATABASE_URL (a server of your own, on this machine); when it has pg_stat_statements
// loaded (embedded-pg-cli --stat-statements), each round also prints its costliest
// statements (plan + execution time per fire). From the repository root:
//   TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:<port>/postgres \
//   TS_NODE_TRANSPILE_ONLY=1 TS_NODE_PROJECT=tsconfig.base.json \
//   TS_NODE_COMPILER_OPTIONS='{"module":"commonjs"}' node -r ts-node/register \
//   -r tsconfig-paths/register -e "process.argv.splice(1,0,'x');require('./tools/scheduler-statements-cpu.ts')" \
//   -- --rounds=3 --cycles=40 --per-poll=80 --per-write=40
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDataSource } from '@scheduleman/domain/persistence';
import { setPreparedStatements } from '@scheduleman/runtime';
import { createTestDatabase } from '@scheduleman/testkit';
import type { FireRecord } from '../apps/scheduler/src/claims/claim';
import { ClaimsRepository } from '../apps/scheduler/src/claims/claims.repository';
import { ScheduleUpkeepRepository } from '../apps/scheduler/src/housekeeping/schedule-upkeep.repository';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split('=')[1]) : fallback;
}

const ROUNDS = option('rounds', 3);
const CYCLES = option('cycles', 40);
const PER_POLL = option('per-poll', 80);
const PER_WRITE = option('per-write', 40);
const NOW = new Date('2031-01-01T00:00:00.000Z');
const WINDOW = { now: NOW, lookaheadMs: 1_500, limit: 500 };

/** utime + stime of a process, ms (USER_HZ 100). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2)
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function clientMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const db = await createTestDatabase('statements_cpu');
  const setup = await db.dataSource();
  const insertDue = (n: number) =>
    setup.query(
      `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, misfire_policy, status, next_run_at)
       select gen_random_uuid(), 'at', jsonb_build_object('type', 'at', 'at', $1::text), 'webhook',
       '{"type":"webhook","url":"http://127.0.0.1:9/hook","method":"POST"}', 'fire_once', 'active', $2::timestamptz
       from generate_series(1, $3::int)`,
      [NOW.toISOString(), NOW, n],
    );

  async function round(prepared: boolean): Promise<string> {
    const ds = createDataSource({
      url: db.url,
      applicationName: 'statements-cpu',
      poolSize: 1,
    });
    await ds.initialize();
    setPreparedStatements(ds, prepared);
    const claims = new ClaimsRepository(ds, {
      owner: `cpu-${randomUUID()}`,
      leaseDurationMs: 60_000,
    });
    const upkeep = new ScheduleUpkeepRepository(ds, 'statements-cpu');
    const [{ pid }]: { pid: number }[] = await ds.query(
      'select pg_backend_pid() as pid',
    );
    const stats = await setup
      .query('create extension if not exists pg_stat_statements')
      .then(() => true)
      .catch(() => false);
    let backendMs = 0;
    let processMs = 0;
    let fires = 0;
    for (let cycle = -3; cycle < CYCLES; cycle++) {
      await insertDue(PER_POLL);
      const b0 = cpuMsOf(pid);
      const c0 = process.cpuUsage();
      const plan = await claims.planDue(WINDOW);
      await claims.claimDue(WINDOW);
      for (let i = 0; i < plan.claims.length; i += PER_WRITE) {
        const records: FireRecord[] = plan.claims
          .slice(i, i + PER_WRITE)
          .map((claim) => ({
            executionId: claim.executionId,
            leaseVersion: claim.leaseVersion,
            status: 'succeeded',
            attempts: 1,
            retryAt: null,
            firedAt: NOW,
            finishedAt: NOW,
            responseStatus: 200,
            error: null,
            attempt: {
              finishedAt: NOW,
              outcome: 'succeeded',
              response: null,
              initiationLatencyMs: 3,
              errorClass: null,
            },
          }));
        const written = await claims.completeFires(records);
        await upkeep.recordOutcomes(
          [...written].map((executionId) => ({
            executionId,
            outcome: 'succeeded' as const,
            at: NOW,
          })),
        );
      }
      await claims.planDue(WINDOW); // nothing due: the idle plan, then the probes
      if (cycle < 0) {
        // warm-up: JIT, first Parse of each named statement
        if (cycle === -1 && stats)
          await setup.query('select pg_stat_statements_reset()');
        continue;
      }
      backendMs += cpuMsOf(pid) - b0;
      processMs += clientMs(c0);
      fires += plan.claims.length;
    }
    await ds.destroy();
    if (stats) {
      const top: { calls: string; ms: number; query: string }[] =
        await setup.query(
          `select calls, total_plan_time + total_exec_time as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) as query
           from pg_stat_statements
           where dbid = (select oid from pg_database where datname = current_database())
           and query not like '%generate_series%' and query not like '%pg_stat_statements%'
           order by ms desc limit 8`,
        );
      for (const row of top)
        console.log(
          `    ${(row.ms / fires).toFixed(4)} ms/fire  ${row.calls.padStart(5)} calls  ${row.query}`,
        );
    }
    return `prepared ${String(prepared).padEnd(5)}: ${fires} fires, PostgreSQL ${(backendMs / fires).toFixed(3)} ms, this process ${(processMs / fires).toFixed(3)} ms CPU per fire`;
  }

  try {
    for (let r = 1; r <= ROUNDS; r++)
      for (const prepared of [false, true])
        console.log(
          `round ${r}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}, ${await round(prepared)}`,
        );
  } finally {
    await db.drop();
  }
}

void main();
