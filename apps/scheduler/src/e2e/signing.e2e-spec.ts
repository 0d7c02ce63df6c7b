import {
  type ExecutionResponse,
  generateSigningSecret,
  type ReceivedRequestResponse,
  SystemClock,
} from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { SIGNING_SECRETS_CACHE_MS } from '../triggers/signing/signing-secrets-cache';
import { EVERY_SECOND, useStack, webhookSchedule } from './stack';

/** A delivery as the receiver got it: the raw body and the headers, as a library reads them. */
interface Delivery {
  executionId: string;
  body: string;
  headers: Record<string, string>;
  /** webhook-timestamp in ms: the attempt was signed within the second after it. */
  signedFromMs: number;
}

/** The library's tolerance is 5 minutes either way; this is well outside it. */
const OUTSIDE_TOLERANCE_MS = 6 * 60_000;

/**
 * Per-owner signing secrets end to end: the built API creates and retires them, two
 * built schedulers sign the owners' deliveries to the built task-pretender with them,
 * and the Standard Webhooks reference library for Node verifies what arrived, exactly as
 * a receiver would. Owners without secrets get the installation secret
 * (WEBHOOK_SIGNING_SECRETS).
 */
describe('per-owner signing secrets sign deliveries, and rotate', () => {
  const INSTALLATION = generateSigningSecret();
  const stack = useStack('e2e_signing', ['signing-s1', 'signing-s2'], {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: INSTALLATION },
  });
  const { cluster } = stack;
  const clock = new SystemClock();

  /** What the reference library says: the parsed body, or why it refused. */
  function verify(
    secret: string,
    delivery: Pick<Delivery, 'body' | 'headers'>,
  ): { body: unknown } | { refused: string } {
    try {
      return {
        body: new Webhook(secret).verify(delivery.body, delivery.headers),
      };
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        return { refused: error.message };
      throw error;
    }
  }

  function deliveryOf(
    executionId: string,
    request: ReceivedRequestResponse,
  ): Delivery {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') headers[name] = value;
    return {
      executionId,
      body: request.body,
      headers,
      signedFromMs: Number(headers['webhook-timestamp']) * 1000,
    };
  }

  /** Every attempt of the schedule's executions that reached the receiver. */
  async function deliveriesOf(scheduleId: string): Promise<Delivery[]> {
    const executions = (await stack.api.executions(scheduleId)).filter(
      (e: ExecutionResponse) => e.attempts > 0,
    );
    const deliveries: Delivery[] = [];
    for (const execution of executions)
      for (const request of await stack.pretender.requests(execution.id))
        deliveries.push(deliveryOf(execution.id, request));
    return deliveries.sort((a, b) => a.signedFromMs - b.signedFromMs);
  }

  async function waitForDeliveries(
    scheduleId: string,
    what: string,
    enough: (deliveries: Delivery[]) => boolean,
  ): Promise<Delivery[]> {
    return waitFor(
      what,
      async () => {
        const deliveries = await deliveriesOf(scheduleId);
        return enough(deliveries) ? deliveries : false;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }

  it(
    'verifies with each of two active secrets; after one is retired, later deliveries verify only with the other',
    cluster.withLogs(async () => {
      const first = await stack.api.createSigningSecret('team-a');
      const second = await stack.api.createSigningSecret('team-a');
      const schedule = await stack.api.createSchedule(
        webhookSchedule(
          'team-a every second',
          EVERY_SECOND,
          stack.pretender.hookUrl('/tasks/team-a'),
          { owner: 'team-a' },
        ),
      );

      const before = await waitForDeliveries(
        schedule.id,
        'three deliveries of team-a',
        (d) => d.length >= 3,
      );
      for (const delivery of before) {
        const body: unknown = JSON.parse(delivery.body);
        expect(delivery.headers['webhook-id']).toBe(delivery.executionId);
        expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(
          2,
        );
        expect(verify(first.secret, delivery)).toEqual({ body });
        expect(verify(second.secret, delivery)).toEqual({ body });
        for (const other of [INSTALLATION, generateSigningSecret()])
          expect(verify(other, delivery)).toEqual({
            refused: 'No matching signature found',
          });
      }

      // A tampered body, under either secret.
      const [sample] = before;
      const tampered = {
        ...sample,
        body: sample.body.replace('"attempt":1', '"attempt":2'),
      };
      expect(tampered.body).not.toBe(sample.body);
      for (const secret of [first.secret, second.secret])
        expect(verify(secret, tampered)).toEqual({
          refused: 'No matching signature found',
        });

      // The same delivery received (or replayed) outside the tolerance, either way.
      const realNowMs = clock.now().getTime();
      const dateNow = jest.spyOn(Date, 'now');
      try {
        dateNow.mockReturnValue(realNowMs + OUTSIDE_TOLERANCE_MS);
        expect(verify(first.secret, sample)).toEqual({
          refused: 'Message timestamp too old',
        });
        dateNow.mockReturnValue(realNowMs - OUTSIDE_TOLERANCE_MS);
        expect(verify(second.secret, sample)).toEqual({
          refused: 'Message timestamp too new',
        });
      } finally {
        dateNow.mockRestore();
      }

      // Rotation: retire the first. The documented bound: no attempt that starts more
      // than SIGNING_SECRETS_CACHE_MS after the DELETE answered carries its signature.
      await stack.api.retireSigningSecret(first.id);
      const retiredAtMs = clock.now().getTime();
      const boundMs = retiredAtMs + SIGNING_SECRETS_CACHE_MS;
      const all = await waitForDeliveries(
        schedule.id,
        'three deliveries signed after the bound',
        (d) => d.filter((x) => x.signedFromMs >= boundMs).length >= 3,
      );
      await stack.api.pauseAndSettle(schedule.id);

      const after = all.filter((d) => d.signedFromMs >= boundMs);
      for (const delivery of after) {
        expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(
          1,
        );
        expect(verify(second.secret, delivery)).toHaveProperty('body');
        expect(verify(first.secret, delivery)).toEqual({
          refused: 'No matching signature found',
        });
      }
      // In between, the retired one may still sign; the one kept always does.
      for (const delivery of all)
        expect(verify(second.secret, delivery)).toHaveProperty('body');
    }),
    120_000,
  );

  it(
    'signs with the installation secret for an owner without secrets and for a schedule without an owner',
    cluster.withLogs(async () => {
      const ofTeamA = await stack.api.createSigningSecret('team-a');
      const schedules = await Promise.all(
        [{ owner: 'team-z' }, {}].map((extra, i) =>
          stack.api.createSchedule(
            webhookSchedule(
              `installation ${String(i)}`,
              EVERY_SECOND,
              stack.pretender.hookUrl(`/tasks/installation-${String(i)}`),
              extra,
            ),
          ),
        ),
      );
      expect(schedules.map((s) => s.owner)).toEqual(['team-z', null]);

      for (const schedule of schedules) {
        const deliveries = await waitForDeliveries(
          schedule.id,
          `two deliveries of ${schedule.name ?? ''}`,
          (d) => d.length >= 2,
        );
        await stack.api.pauseAndSettle(schedule.id);
        for (const delivery of deliveries) {
          expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(
            1,
          );
          expect(verify(INSTALLATION, delivery)).toHaveProperty('body');
          expect(verify(ofTeamA.secret, delivery)).toEqual({
            refused: 'No matching signature found',
          });
        }
      }
      await stack.api.retireSigningSecret(ofTeamA.id);
    }),
    90_000,
  );

  it(
    "keeps webhook-id on every retry of an occurrence and signs each attempt with the owner's secret",
    cluster.withLogs(async () => {
      const secret = await stack.api.createSigningSecret('team-r');
      const schedule = await stack.api.createSchedule({
        ...webhookSchedule(
          'team-r failing',
          { type: 'delay', delay: 'PT1S' },
          stack.pretender.hookUrl('/tasks/team-r', 'fail=1'),
          { owner: 'team-r' },
        ),
        maxAttempts: 3,
      });

      const [execution] = await waitFor(
        'the failing execution to end',
        async () => {
          const executions = await stack.api.executions(schedule.id);
          return executions.length === 1 && executions[0].status === 'failed'
            ? executions
            : false;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      const attempts = await deliveriesOf(schedule.id);

      expect(execution.attempts).toBe(3);
      expect(attempts).toHaveLength(3);
      expect(attempts.map((a) => a.headers['webhook-id'])).toEqual([
        execution.id,
        execution.id,
        execution.id,
      ]);
      expect(
        attempts.map((a) => a.headers['x-scheduleman-attempt']).sort(),
      ).toEqual(['1', '2', '3']);
      // Each attempt is signed afresh: its own timestamp and body (the attempt number).
      expect(
        new Set(attempts.map((a) => a.headers['webhook-signature'])).size,
      ).toBe(3);
      for (const attempt of attempts)
        expect(verify(secret.secret, attempt)).toMatchObject({
          body: {
            executionId: execution.id,
            attempt: Number(attempt.headers['x-scheduleman-attempt']),
          },
        });
    }),
    90_000,
  );
});
