import { describe, expect, it } from 'vitest';
import type { Schedule } from './api';
import {
  buildCreateBody,
  buildPatchBody,
  emptyForm,
  FormProblem,
  type FormState,
  formFromSchedule,
  hasSpec,
  SECRET_MASK,
} from './form-state';

const CONNECTION = '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b';

function form(patch: Partial<FormState>): FormState {
  return { ...emptyForm('Europe/Berlin'), ...patch };
}

const WEBHOOK = { url: 'https://example.com/hook' };

describe('buildCreateBody', () => {
  it('sends a cron with its zone, a webhook with its method, and leaves blank fields to the API', () => {
    expect(
      buildCreateBody(form({ expression: ' 30 2 * * * ', ...WEBHOOK })),
    ).toEqual({
      schedule: {
        type: 'cron',
        expression: '30 2 * * *',
        timezone: 'Europe/Berlin',
      },
      trigger: {
        type: 'webhook',
        url: 'https://example.com/hook',
        method: 'POST',
      },
      misfirePolicy: 'fire_once',
    });
  });

  it('sends an at as the ISO text typed and a delay as its duration, nothing of the other kinds', () => {
    const at = buildCreateBody(
      form({
        kind: 'at',
        at: '2027-01-15T09:00:00+01:00',
        expression: '0 9 * * *',
        delay: 'PT5M',
        ...WEBHOOK,
      }),
    );
    expect(at['schedule']).toEqual({
      type: 'at',
      at: '2027-01-15T09:00:00+01:00',
    });
    const delay = buildCreateBody(
      form({ kind: 'delay', delay: 'PT5M', at: 'x', ...WEBHOOK }),
    );
    expect(delay['schedule']).toEqual({ type: 'delay', delay: 'PT5M' });
  });

  it('sends name, owner, policy and max attempts, a number as a number and anything else as typed', () => {
    const body = buildCreateBody(
      form({
        name: ' nightly ',
        owner: 'team-a',
        misfirePolicy: 'skip',
        maxAttempts: '3',
        expression: '* * * * *',
        ...WEBHOOK,
      }),
    );
    expect(body).toMatchObject({
      name: 'nightly',
      owner: 'team-a',
      misfirePolicy: 'skip',
      maxAttempts: 3,
    });
    expect(
      buildCreateBody(form({ maxAttempts: 'three', ...WEBHOOK }))[
        'maxAttempts'
      ],
    ).toBe('three');
  });

  it('sends webhook headers as a map, secret ones listed (the always-secret ones are not), and the body as JSON', () => {
    const body = buildCreateBody(
      form({
        ...WEBHOOK,
        method: 'PUT',
        headers: [
          { name: 'Authorization', value: 'Bearer x', secret: true },
          { name: 'X-Api-Token', value: 't', secret: true },
          { name: 'X-Tenant', value: '{{owner}}', secret: false },
          { name: '', value: '', secret: false },
        ],
        body: '{ "report": "nightly" }',
        format: 'cloudevents',
      }),
    );
    expect(body['trigger']).toEqual({
      type: 'webhook',
      url: 'https://example.com/hook',
      method: 'PUT',
      headers: {
        Authorization: 'Bearer x',
        'X-Api-Token': 't',
        'X-Tenant': '{{owner}}',
      },
      secretHeaders: ['X-Api-Token'],
      body: { report: 'nightly' },
      format: 'cloudevents',
    });
  });

  it('refuses to send a body that is not JSON, naming trigger.body', () => {
    expect(() => buildCreateBody(form({ ...WEBHOOK, body: '{ nope' }))).toThrow(
      FormProblem,
    );
    try {
      buildCreateBody(form({ ...WEBHOOK, body: '{ nope' }));
    } catch (e) {
      expect((e as FormProblem).field).toBe('trigger.body');
    }
  });

  it.each([
    [
      'amqp',
      { exchange: '', routingKey: 'jobs' },
      { exchange: '', routingKey: 'jobs' },
    ],
    ['amqp', { exchange: 'events' }, { exchange: 'events' }],
    ['nats', { subject: 'jobs.created' }, { subject: 'jobs.created' }],
    ['redis-stream', { stream: 'jobs' }, { stream: 'jobs' }],
    [
      'redis-stream',
      { stream: 'jobs', maxLen: '1000' },
      { stream: 'jobs', maxLen: 1000 },
    ],
    [
      'mqtt',
      { topic: 'jobs/created', qos: '2', retain: true },
      { topic: 'jobs/created', qos: 2, retain: true },
    ],
    ['mqtt', { topic: 'a/b' }, { topic: 'a/b', qos: 1, retain: false }],
    ['kafka', { topic: 'jobs' }, { topic: 'jobs' }],
    [
      'kafka',
      { topic: 'jobs', key: '{{name}}' },
      { topic: 'jobs', key: '{{name}}' },
    ],
  ] as const)(
    'sends a %s trigger with its connection and its own fields (%j)',
    (type, fields, expected) => {
      const body = buildCreateBody(
        form({
          ...fields,
          ...WEBHOOK,
          triggerType: type,
          connectionId: CONNECTION,
          method: 'GET',
          headers: [{ name: 'X-Tenant', value: 'a', secret: true }],
        }),
      );
      expect(body['trigger']).toEqual({
        type,
        connectionId: CONNECTION,
        headers: { 'X-Tenant': 'a' },
        ...expected,
      });
    },
  );
});

const STORED: Schedule = {
  id: 'b3c1',
  name: 'nightly',
  owner: 'team-a',
  schedule: { type: 'cron', expression: '30 2 * * *', timezone: 'Asia/Tokyo' },
  trigger: {
    type: 'webhook',
    url: 'https://example.com/hook',
    method: 'POST',
    headers: {
      Authorization: SECRET_MASK,
      'X-Api-Token': SECRET_MASK,
      'X-A': '1',
    },
    secretHeaders: ['X-Api-Token'],
    body: { a: 1 },
  } as Schedule['trigger'],
  status: 'active',
  nextRunAt: '2027-01-01T17:30:00.000Z',
  misfirePolicy: 'fire_once',
  maxAttempts: 5,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('formFromSchedule and buildPatchBody', () => {
  it('fills the form from a stored schedule, secrets masked as answered', () => {
    const filled = formFromSchedule(STORED);
    expect(filled).toMatchObject({
      name: 'nightly',
      expression: '30 2 * * *',
      timezone: 'Asia/Tokyo',
      maxAttempts: '5',
      headers: [
        { name: 'Authorization', value: SECRET_MASK, secret: false },
        { name: 'X-Api-Token', value: SECRET_MASK, secret: true },
        { name: 'X-A', value: '1', secret: false },
      ],
    });
    expect(JSON.parse(filled.body)).toEqual({ a: 1 });
  });

  it('sends nothing when nothing changed', () => {
    const filled = formFromSchedule(STORED);
    expect(buildPatchBody(filled, { ...filled })).toEqual({});
  });

  it('sends only the changed fields: a new name and expression, not the trigger', () => {
    const filled = formFromSchedule(STORED);
    expect(
      buildPatchBody(filled, {
        ...filled,
        name: 'renamed',
        expression: '0 3 * * *',
      }),
    ).toEqual({
      name: 'renamed',
      schedule: {
        type: 'cron',
        expression: '0 3 * * *',
        timezone: 'Asia/Tokyo',
      },
    });
  });

  it('clears a blanked name with null, and sends a changed trigger whole with its masks', () => {
    const filled = formFromSchedule(STORED);
    const body = buildPatchBody(filled, {
      ...filled,
      name: '',
      url: 'https://example.com/hook2',
    });
    expect(body['name']).toBeNull();
    expect(body['trigger']).toMatchObject({
      url: 'https://example.com/hook2',
      headers: { Authorization: SECRET_MASK, 'X-Api-Token': SECRET_MASK },
      secretHeaders: ['X-Api-Token'],
    });
    expect(Object.keys(body).sort()).toEqual(['name', 'trigger']);
  });

  it('keeps a stored delay unchanged (not restarted) until its duration changes', () => {
    const delay = formFromSchedule({
      ...STORED,
      schedule: {
        type: 'delay',
        delay: 'PT5M',
        at: '2026-12-01T00:05:00.000Z',
      },
    });
    expect(delay.kind).toBe('delay');
    expect(buildPatchBody(delay, { ...delay, owner: 'team-b' })).toEqual({
      owner: 'team-b',
    });
    expect(buildPatchBody(delay, { ...delay, delay: 'PT10M' })).toEqual({
      schedule: { type: 'delay', delay: 'PT10M' },
    });
  });
});

describe('hasSpec', () => {
  it('is false while the field of the chosen kind is blank', () => {
    expect(hasSpec(form({}))).toBe(false);
    expect(hasSpec(form({ expression: '* * * * *' }))).toBe(true);
    expect(hasSpec(form({ kind: 'delay', expression: '* * * * *' }))).toBe(
      false,
    );
  });
});
