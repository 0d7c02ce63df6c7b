import type { Clock } from '@scheduleman/domain';
import { type ApiClient, ApiError, sleep } from '@scheduleman/testkit';
import { iso, webhookTrigger } from '../workloads/workload';

/** How long one creation is retried before it counts as given up (never acknowledged). */
const GIVE_UP_AFTER_MS = 60_000;
const RETRY_DELAY_MS = 500;
const MAX_IN_FLIGHT = 50;

export interface SteadyCreatorOptions {
  hookUrl: string;
  perSecond: number;
  /** Each one-shot is due this long after its request is sent, picked at random. */
  leadMs: [number, number];
  clock: Clock;
}

/**
 * Creates one-shots at a steady rate, as a client of a production API would: a 5xx or a
 * network error is retried (with a new due time, since the old one may have passed)
 * until a 201 comes back. Only a 201 is an acknowledgement: those ids, and their due
 * times, are what the run then expects to exist and to fire. An attempt that timed out
 * may still have been stored; its schedule is not expected, and its fires count as
 * foreign, not as a broken promise.
 */
export class SteadyCreator {
  readonly acknowledged: { id: string; dueMs: number }[] = [];
  retries = 0;
  gaveUp = 0;
  /** 4xx answers: the creation was refused, so nothing is expected of it. */
  readonly refused: string[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private sequence = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly options: SteadyCreatorOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private nowMs(): number {
    return this.options.clock.now().getTime();
  }

  private async run(): Promise<void> {
    const intervalMs = 1_000 / this.options.perSecond;
    let next = this.nowMs();
    while (this.running) {
      if (this.inFlight.size < MAX_IN_FLIGHT) {
        const one = this.createOne(this.sequence++).finally(() =>
          this.inFlight.delete(one),
        );
        this.inFlight.add(one);
      }
      next += intervalMs;
      await sleep(Math.max(0, next - this.nowMs()));
    }
  }

  private async createOne(n: number): Promise<void> {
    const [low, high] = this.options.leadMs;
    const giveUpAt = this.nowMs() + GIVE_UP_AFTER_MS;
    for (;;) {
      const dueMs = Math.round(
        this.nowMs() + low + Math.random() * (high - low),
      );
      try {
        const schedule = await this.api.createSchedule({
          name: `failover-at-${n}`,
          schedule: { type: 'at', at: iso(dueMs) },
          trigger: webhookTrigger(this.options.hookUrl),
        });
        this.acknowledged.push({ id: schedule.id, dueMs });
        return;
      } catch (error) {
        const transient = !(error instanceof ApiError) || error.status >= 500;
        if (!transient) {
          // Not acknowledged, so not expected: e.g. a due time already 5 s past when
          // a very busy API read it. Counted and shown, never a crash of the run.
          this.refused.push(String(error).slice(0, 300));
          return;
        }
        if (this.nowMs() > giveUpAt) {
          this.gaveUp++;
          return;
        }
        this.retries++;
        await sleep(RETRY_DELAY_MS);
      }
    }
  }
}
