import { ValidationError } from '../errors';
import {
  ALWAYS_SECRET_HEADERS,
  secretHeaderContext,
  secretHeaderNames,
} from './secret-headers';
import { DEFAULT_TRIGGER_PARSE_CONTEXT } from './trigger-validation';
import type { WebhookTriggerSpec } from './trigger-spec';
import { WEBHOOK_TRIGGER } from './webhook.trigger-definition';

const URL = 'https://example.com/hook';

function parse(input: Record<string, unknown>): WebhookTriggerSpec {
  return WEBHOOK_TRIGGER.parse(
    { type: 'webhook', url: URL, ...input },
    'trigger',
    DEFAULT_TRIGGER_PARSE_CONTEXT,
  );
}

function problemOf(input: Record<string, unknown>): ValidationError {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('secretHeaders of a webhook trigger', () => {
  it('is stored as the headers spell the names, whatever case it uses', () => {
    const spec = parse({
      headers: { 'X-Api-Token': 't', 'X-Team': 'platform' },
      secretHeaders: ['x-api-token'],
    });
    expect(spec.secretHeaders).toEqual(['X-Api-Token']);
  });

  it('is left out when absent, null or empty', () => {
    for (const secretHeaders of [undefined, null, []])
      expect(
        parse({ headers: { 'X-Team': 'a' }, secretHeaders }),
      ).not.toHaveProperty('secretHeaders');
  });

  it('may name an always-secret header too', () => {
    expect(
      parse({
        headers: { Authorization: 'Bearer x' },
        secretHeaders: ['Authorization'],
      }).secretHeaders,
    ).toEqual(['Authorization']);
  });

  it.each([
    [{ secretHeaders: 'X-Token' }, 'trigger.secretHeaders', 'must be an array'],
    [{ secretHeaders: {} }, 'trigger.secretHeaders', 'must be an array'],
    [
      { secretHeaders: [42] },
      'trigger.secretHeaders[0]',
      'must be a header name',
    ],
    [
      { headers: { 'X-Token': 't' }, secretHeaders: ['X-Token', 'X-Other'] },
      'trigger.secretHeaders[1]',
      '"X-Other" is not a header of this trigger',
    ],
    [
      { secretHeaders: ['X-Token'] },
      'trigger.secretHeaders[0]',
      'is not a header of this trigger',
    ],
    [
      { headers: { 'X-Token': 't' }, secretHeaders: ['X-Token', 'x-token'] },
      'trigger.secretHeaders[1]',
      'duplicates trigger.secretHeaders[0]',
    ],
  ])('refuses %j naming %s', (input, field, message) => {
    const problem = problemOf(input);
    expect(problem.field).toBe(field);
    expect(problem.message).toContain(message);
  });
});

describe('secretHeaderNames', () => {
  it('holds the always-secret headers in any case, and the marked ones', () => {
    const spec = parse({
      headers: {
        authorization: 'Bearer a',
        'PROXY-AUTHORIZATION': 'Basic b',
        Cookie: 'c=1',
        'X-Api-Token': 't',
        'X-Team': 'platform',
      },
      secretHeaders: ['X-API-TOKEN'],
    });
    expect(secretHeaderNames(spec)).toEqual([
      'authorization',
      'PROXY-AUTHORIZATION',
      'Cookie',
      'X-Api-Token',
    ]);
    expect(ALWAYS_SECRET_HEADERS).toEqual([
      'Authorization',
      'Proxy-Authorization',
      'Cookie',
    ]);
  });

  it('is empty for a trigger without headers or of another type, and for malformed rows', () => {
    expect(secretHeaderNames(parse({}))).toEqual([]);
    expect(secretHeaderNames({ type: 'amqp' })).toEqual([]);
    expect(
      secretHeaderNames({
        type: 'webhook',
        headers: ['Authorization'],
      } as never),
    ).toEqual([]);
    expect(
      secretHeaderNames({
        type: 'webhook',
        headers: { 'X-Token': 't' },
        secretHeaders: 'X-Token',
      } as never),
    ).toEqual([]);
  });
});

describe('secretHeaderContext', () => {
  it('binds a value to its schedule and its header, case-insensitively', () => {
    expect(secretHeaderContext('0b7c', 'X-Api-Token')).toBe(
      'schedule:0b7c:header:x-api-token',
    );
    expect(secretHeaderContext('0b7c', 'AUTHORIZATION')).toBe(
      secretHeaderContext('0b7c', 'authorization'),
    );
  });
});
