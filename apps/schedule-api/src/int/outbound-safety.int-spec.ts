import type { ScheduleResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

// Loopback only (rule 8): the other forbidden ranges are classified by the domain's unit
// tests (network-policy.spec.ts). Nothing here is ever fired: no scheduler runs.
const LOOPBACK_SPELLINGS = [
  'http://127.0.0.1:3100/tasks',
  'http://127.1:3100/tasks',
  'http://2130706433:3100/tasks',
  'http://0x7f000001:3100/tasks',
  'http://0177.0.0.1:3100/tasks',
  'http://[::ffff:127.0.0.1]:3100/tasks',
  'http://[::ffff:7f00:1]:3100/tasks',
  'http://[::1]:3100/tasks',
];

const webhook = (url: string) => ({ type: 'webhook', url });

describe('outbound safety at create and PATCH', () => {
  describe('with WEBHOOK_ALLOWED_NETWORKS unset', () => {
    let api: ApiHarness;
    let existing: ScheduleResponse;

    beforeAll(async () => {
      api = await startApi('egress_strict', { allowedNetworks: '' });
      const created = await api.request<ScheduleResponse>(
        'POST',
        '/schedules',
        cronBody({ trigger: webhook('http://localhost:3100/tasks') }),
      );
      expect(created.status).toBe(201);
      existing = created.body;
    });
    afterAll(() => api.close());

    it.each(LOOPBACK_SPELLINGS)(
      'refuses %s at create with 400 naming trigger.url, storing nothing',
      async (url) => {
        const before = await api.count('schedules');
        const res = await api.request(
          'POST',
          '/schedules',
          cronBody({ trigger: webhook(url) }),
        );
        const body = expectProblem(res, 400, 'trigger.url');
        expect(body.errors[0].message).toMatch(
          /^destination not allowed: .* \(loopback\)/,
        );
        expect(await api.count('schedules')).toBe(before);
      },
    );

    it.each(LOOPBACK_SPELLINGS)(
      'refuses %s at PATCH with 400 naming trigger.url, changing nothing',
      async (url) => {
        const res = await api.request('PATCH', `/schedules/${existing.id}`, {
          trigger: webhook(url),
        });
        expectProblem(res, 400, 'trigger.url');
        const after = await api.request<ScheduleResponse>(
          'GET',
          `/schedules/${existing.id}`,
        );
        expect(after.body.trigger).toEqual(existing.trigger);
        expect(after.body.updatedAt).toBe(existing.updatedAt);
      },
    );

    it('accepts a host name, which is checked when the scheduler connects', () => {
      expect(existing.trigger).toMatchObject({
        url: 'http://localhost:3100/tasks',
      });
    });
  });

  describe('with WEBHOOK_ALLOWED_NETWORKS holding loopback', () => {
    let api: ApiHarness;

    beforeAll(async () => {
      api = await startApi('egress_loopback', {
        allowedNetworks: '127.0.0.0/8,::1/128',
      });
    });
    afterAll(() => api.close());

    it.each(LOOPBACK_SPELLINGS)(
      'accepts %s at create and at PATCH',
      async (url) => {
        const created = await api.request<ScheduleResponse>(
          'POST',
          '/schedules',
          cronBody({ trigger: webhook(url) }),
        );
        expect({ status: created.status, url: created.body.trigger }).toEqual({
          status: 201,
          url: expect.objectContaining({ url }) as unknown,
        });
        const patched = await api.request<ScheduleResponse>(
          'PATCH',
          `/schedules/${created.body.id}`,
          { trigger: webhook(url.replace('/tasks', '/other')) },
        );
        expect(patched.status).toBe(200);
        expect(patched.body.trigger).toMatchObject({
          url: url.replace('/tasks', '/other'),
        });
      },
    );
  });
});
