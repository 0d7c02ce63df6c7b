import { createHmac } from 'node:crypto';
import type { FireRequest } from '../trigger-provider';
import { parseSigningSecret } from '../webhook-signature';
import { buildBrokerMessage } from './broker-message';
import type { NatsTriggerSpec } from './broker-trigger-spec';

const trigger: NatsTriggerSpec = {
  type: 'nats',
  connectionId: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  subject: 'jobs.created',
  headers: { 'X-Tenant': 'a', 'idempotency-key': 'forged' },
};

function request(attempt: number, spec = trigger): FireRequest {
  return {
    executionId: 'exec-1',
    scheduleId: 'sched-1',
    scheduleName: 'nightly',
    scheduleOwner: 'team-a',
    scheduledAt: new Date('2027-01-01T02:30:00.000Z'),
    attempt,
    trigger: spec,
  };
}

describe('buildBrokerMessage', () => {
  it('sends the default body and the metadata under the contract header names', () => {
    const message = buildBrokerMessage(request(2), trigger, {
      timestampSeconds: 1_800_000_000,
      secrets: [],
    });
    expect(JSON.parse(message.body)).toEqual({
      scheduleId: 'sched-1',
      executionId: 'exec-1',
      scheduledAt: '2027-01-01T02:30:00.000Z',
      attempt: 2,
      name: 'nightly',
    });
    expect(message.headers).toEqual({
      'X-Tenant': 'a',
      'Idempotency-Key': 'exec-1',
      'X-Scheduleman-Schedule-Id': 'sched-1',
      'X-Scheduleman-Execution-Id': 'exec-1',
      'X-Scheduleman-Scheduled-At': '2027-01-01T02:30:00.000Z',
      'X-Scheduleman-Attempt': '2',
      'webhook-id': 'exec-1',
      'webhook-timestamp': '1800000000',
    });
    expect(message.contentType).toBe('application/json');
  });

  it('keeps a configured body byte-identical across attempts and signs exactly it', () => {
    const spec = { ...trigger, body: { report: 'daily', n: 1 } };
    const secret = parseSigningSecret(
      `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    );
    const first = buildBrokerMessage(request(1, spec), spec, {
      timestampSeconds: 10,
      secrets: [secret],
    });
    const second = buildBrokerMessage(request(2, spec), spec, {
      timestampSeconds: 11,
      secrets: [secret],
    });
    expect(first.body).toBe('{"report":"daily","n":1}');
    expect(second.body).toBe(first.body);
    const expected = createHmac('sha256', Buffer.alloc(32, 7))
      .update(`exec-1.10.${first.body}`)
      .digest('base64');
    expect(first.headers['webhook-signature']).toBe(`v1,${expected}`);
  });
});
