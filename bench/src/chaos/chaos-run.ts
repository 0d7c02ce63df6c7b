import type { Clock, MisfirePolicy } from '@scheduleman/domain';
import { type ApiClient, sleep } from '@scheduleman/testkit';
import type { ReceiverClient } from '../receiver/receiver-client';
import type { ReceiverStats } from '../receiver/receiver-stats';
import {
  everyNSecondsCron,
  everyNSecondsOccurrences,
} from '../stats/cron-occurrences';
import { type Evaluation, evaluate, type Expectation } from '../stats/evaluate';
import { webhookTrigger } from '../workloads/workload';

/**
 * The run skeleton `npm run chaos` and `npm run chaos -- --failover` share: a judged
 * window that starts on a whole second after the crons are created, every-second crons
 * whose occurrences inside it are all expected, a wait for stragglers after it, and the
 * report's markdown.
 */

/** Lead of the judged window over the end of cron creation. */
export const CREATION_LEAD_MS = 3_000;

/** The start of the judged window: the first whole second at least CREATION_LEAD_MS + 1 s ahead. */
export function windowStartMs(clock: Clock): number {
  return (
    Math.ceil((clock.now().getTime() + CREATION_LEAD_MS + 1_000) / 1000) * 1000
  );
}

export interface EverySecondCrons {
  ids: string[];
  /** Schedule id → every second of [fromMs, toMs]. */
  occurrences: Map<string, number[]>;
  failures: string[];
  /** Creations retried after a 5xx or a network error. */
  retried: number;
}

/** `count` every-second crons named `<label>-<i>`, each expected at every second of [fromMs, toMs]. */
export async function createEverySecondCrons(
  api: ApiClient,
  hookUrl: string,
  crons: {
    count: number;
    label: string;
    fromMs: number;
    toMs: number;
    misfirePolicy?: MisfirePolicy;
  },
): Promise<EverySecondCrons> {
  const { misfirePolicy } = crons;
  const created = await api.createMany(
    Array.from({ length: crons.count }, (_, i) => i),
    (i) => ({
      name: `${crons.label}-${i}`,
      schedule: { type: 'cron', expression: everyNSecondsCron(1) },
      trigger: webhookTrigger(hookUrl),
      ...(misfirePolicy ? { misfirePolicy } : {}),
    }),
  );
  const occurrences = new Map<string, number[]>();
  for (const { schedule } of created.created)
    occurrences.set(
      schedule.id,
      everyNSecondsOccurrences(1, crons.fromMs, crons.toMs),
    );
  return {
    ids: [...occurrences.keys()],
    occurrences,
    failures: created.failures,
    retried: created.retried.length,
  };
}

/**
 * The receiver's figures judged against `expectation`, read again every second until
 * nothing is missing or the clock passes `deadlineMs` (stragglers of a crash or a
 * failover arrive late).
 */
export async function awaitStragglers(
  receiver: ReceiverClient,
  expectation: Expectation,
  clock: Clock,
  deadlineMs: number,
): Promise<{ stats: ReceiverStats; evaluation: Evaluation }> {
  for (;;) {
    const stats = await receiver.stats();
    const evaluation = evaluate(expectation, stats);
    if (evaluation.missing === 0 || clock.now().getTime() > deadlineMs)
      return { stats, evaluation };
    await sleep(1_000);
  }
}

/** The markdown of a chaos report: the machine, the plan, the result and the events. */
export function renderRunMarkdown(report: {
  title: string;
  startedAt: string;
  machine: Record<string, string>;
  plan: unknown;
  result: string;
  events: readonly string[];
}): string {
  return [
    `# ${report.title}, ${report.startedAt}`,
    Object.entries(report.machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    `Plan: ${JSON.stringify(report.plan)}`,
    `## Result\n\n${report.result}`,
    `## Events\n\n${report.events.map((e) => `- ${e}`).join('\n')}`,
  ].join('\n\n');
}
