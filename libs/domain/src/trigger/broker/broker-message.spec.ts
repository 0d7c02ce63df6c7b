import { createHmac } from 'node:crypto';
import type { FireRequest } from '../trigger-provider';
import { parseSigningSecret } from '../webhook-signature';
import { templateVarsOf } from '../template';
import {
  type BrokerMessage,
  type BrokerMessageSigning,
  buildBrokerMessage,
  renderBrokerNames,
} from './broker-message';
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

function build(
  fire: FireRequest,
  spec: NatsTriggerSpec,
  signing: BrokerMessageSigning,
): BrokerMessage {
  const message = buildBrokerMessage(fire, spec, signing, templateVarsOf(fire));
  if ('invalid' in message) throw new Error(message.invalid);
  return message;
}

describe('buildBrokerMessage', () => {
  it('sends the default body and the metadata under the contract header names', () => {
    const message = build(request(2), trigger, {
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
    const first = build(request(1, spec), spec, {
      timestampSeconds: 10,
      secrets: [secret],
    });
    const second = build(request(2, spec), spec, {
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

  it('renders placeholders in the body and the header values', () => {
    const spec: NatsTriggerSpec = {
      ...trigger,
      headers: { 'X-Tenant': '{{metadata.tenant}}' },
      body: { run: '{{scheduledAt}}', tenant: '{{metadata.tenant}}' },
    };
    const fire = { ...request(1, spec), scheduleMetadata: { tenant: 'acme' } };
    const message = build(fire, spec, { timestampSeconds: 1, secrets: [] });
    expect(JSON.parse(message.body)).toEqual({
      run: '2027-01-01T02:30:00.000Z',
      tenant: 'acme',
    });
    expect(message.headers['X-Tenant']).toBe('acme');
  });

  it('refuses a header value that renders with CR/LF, for a permanent failure', () => {
    const spec: NatsTriggerSpec = {
      ...trigger,
      headers: { 'X-Tenant': '{{metadata.tenant}}' },
    };
    const fire = {
      ...request(1, spec),
      scheduleMetadata: { tenant: 'a\r\nInjected: yes' },
    };
    expect(
      buildBrokerMessage(
        fire,
        spec,
        { timestampSeconds: 1, secrets: [] },
        templateVarsOf(fire),
      ),
    ).toEqual({
      invalid: expect.stringContaining('header X-Tenant') as unknown,
    });
  });

  it('adds the CloudEvents attributes in the protocol binary mode, the body being the data', () => {
    const spec: NatsTriggerSpec = { ...trigger, format: 'cloudevents' };
    const message = build(request(3, spec), spec, {
      timestampSeconds: 1,
      secrets: [],
    });
    expect(JSON.parse(message.body)).toMatchObject({ executionId: 'exec-1' });
    expect(message.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'exec-1',
      'ce-source': '//scheduleman/schedules/sched-1',
      'ce-type': 'io.scheduleman.schedule.fired.v1',
      'ce-time': '2027-01-01T02:30:00.000Z',
      'ce-attempt': '3',
      'Idempotency-Key': 'exec-1',
    });
  });
});

describe('renderBrokerNames', () => {
  const templated: NatsTriggerSpec = {
    ...trigger,
    subject: 'jobs.{{metadata.tenant}}',
  };

  it('renders a templated subject and leaves an untemplated trigger as it is', () => {
    const fire = {
      ...request(1, templated),
      scheduleMetadata: { tenant: 'acme' },
    };
    expect(renderBrokerNames(templated, templateVarsOf(fire))).toMatchObject({
      subject: 'jobs.acme',
    });
    expect(renderBrokerNames(trigger, templateVarsOf(request(1)))).toBe(
      trigger,
    );
  });

  it('refuses a rendered subject that breaks the NATS rules', () => {
    const fire = {
      ...request(1, templated),
      scheduleMetadata: { tenant: 'a b' },
    };
    expect(renderBrokerNames(templated, templateVarsOf(fire))).toEqual({
      invalid: expect.stringContaining('subject') as unknown,
    });
  });
});
