import { ValidationError } from '../errors';
import {
  generateSecretsKey,
  isSealed,
  parseSecretsKey,
  SecretBox,
  SecretsKeyError,
} from '../secrets/secret-box';
import { SECRET_MASK } from './secret-headers';
import {
  maskTriggerSecrets,
  openTriggerSecrets,
  resealTriggerSecrets,
  sealTriggerSecrets,
} from './trigger-secrets';
import type { TriggerSpec, WebhookTriggerSpec } from './trigger-spec';

const ID = '6f1c2a44-5b0e-4c39-9a57-3f2d9d1e7b10';
const OTHER_ID = '9a1c2a44-5b0e-4c39-9a57-3f2d9d1e7b10';
const oldKey = parseSecretsKey(generateSecretsKey());
const newKey = parseSecretsKey(generateSecretsKey());
const box = new SecretBox(newKey);

function webhook(
  headers: Record<string, string>,
  secretHeaders?: string[],
): WebhookTriggerSpec {
  return {
    type: 'webhook',
    url: 'https://example.com/hook',
    method: 'POST',
    headers,
    ...(secretHeaders ? { secretHeaders } : {}),
  };
}

function headersOf(trigger: TriggerSpec): Record<string, string> {
  return (trigger as WebhookTriggerSpec).headers;
}

function problemOf(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const PLAIN = {
  Authorization: 'Bearer hunter2',
  'X-Api-Token': 'tok-123',
  'X-Team': 'platform',
};

describe('sealTriggerSecrets', () => {
  it('seals the always-secret and the marked values, leaves the others as given', () => {
    const trigger = webhook(PLAIN, ['X-Api-Token']);
    const stored = sealTriggerSecrets(trigger, { scheduleId: ID, box });
    const headers = headersOf(stored);
    expect(isSealed(headers['Authorization'])).toBe(true);
    expect(isSealed(headers['X-Api-Token'])).toBe(true);
    expect(headers['X-Team']).toBe('platform');
    expect(JSON.stringify(stored)).not.toContain('hunter2');
    expect(JSON.stringify(stored)).not.toContain('tok-123');
    expect(headersOf(trigger)['Authorization']).toBe('Bearer hunter2');
  });

  it('seals for this schedule and header only', () => {
    const stored = headersOf(
      sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
        scheduleId: ID,
        box,
      }),
    );
    const swapped = webhook(
      {
        Authorization: stored['Authorization'],
        'X-Api-Token': stored['Authorization'],
      },
      ['X-Api-Token'],
    );
    expect(() => openTriggerSecrets(swapped, OTHER_ID, box)).toThrow(
      SecretsKeyError,
    );
    expect(() => openTriggerSecrets(swapped, ID, box)).toThrow(
      /secret header X-Api-Token: a stored secret does not open/,
    );
  });

  it('seals a new value even when it looks sealed (a value copied from another row)', () => {
    const foreign = box.seal('theirs', 'schedule:other:header:authorization');
    const stored = sealTriggerSecrets(webhook({ Authorization: foreign }), {
      scheduleId: ID,
      box,
    });
    expect(
      headersOf(openTriggerSecrets(stored, ID, box))['Authorization'],
    ).toBe(foreign);
  });

  it('stores values as given without a box', () => {
    const trigger = webhook(PLAIN, ['X-Api-Token']);
    expect(sealTriggerSecrets(trigger, { scheduleId: ID, box: null })).toEqual(
      trigger,
    );
  });

  it('keeps the stored value of a secret header sent back as the mask, under any spelling', () => {
    const previous = sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
      scheduleId: ID,
      box,
    });
    const next = sealTriggerSecrets(
      webhook({ authorization: SECRET_MASK, 'X-Api-Token': 'tok-456' }, [
        'X-Api-Token',
      ]),
      { scheduleId: ID, box, previous },
    );
    expect(headersOf(next)['authorization']).toBe(
      headersOf(previous)['Authorization'],
    );
    expect(headersOf(openTriggerSecrets(next, ID, box))).toEqual({
      authorization: 'Bearer hunter2',
      'X-Api-Token': 'tok-456',
    });
  });

  it('keeps a value stored without a box, and seals it once there is one', () => {
    const previous = webhook({ Authorization: 'Bearer hunter2' });
    const kept = sealTriggerSecrets(webhook({ Authorization: SECRET_MASK }), {
      scheduleId: ID,
      box,
      previous,
    });
    expect(isSealed(headersOf(kept)['Authorization'])).toBe(true);
    expect(headersOf(openTriggerSecrets(kept, ID, box))['Authorization']).toBe(
      'Bearer hunter2',
    );
    expect(
      sealTriggerSecrets(webhook({ Authorization: SECRET_MASK }), {
        scheduleId: ID,
        box: null,
        previous,
      }),
    ).toEqual(previous);
  });

  it('refuses the mask where there is nothing to keep, naming the header', () => {
    const onCreate = problemOf(() =>
      sealTriggerSecrets(webhook({ Authorization: SECRET_MASK }), {
        scheduleId: ID,
        box,
      }),
    );
    expect(onCreate.field).toBe('trigger.headers.Authorization');
    expect(onCreate.message).toContain('no stored value for this header');

    const previous = webhook({ 'X-Api-Token': 'plain, not secret' });
    const notSecretBefore = problemOf(() =>
      sealTriggerSecrets(
        webhook({ 'X-Api-Token': SECRET_MASK }, ['X-Api-Token']),
        {
          scheduleId: ID,
          box,
          previous,
        },
      ),
    );
    expect(notSecretBefore.field).toBe('trigger.headers.X-Api-Token');

    const secretBefore = sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
      scheduleId: ID,
      box,
    });
    const notSecretNow = problemOf(() =>
      sealTriggerSecrets(webhook({ 'X-Api-Token': SECRET_MASK }), {
        scheduleId: ID,
        box,
        previous: secretBefore,
      }),
    );
    expect(notSecretNow.field).toBe('trigger.headers.X-Api-Token');
    expect(notSecretNow.message).toContain('list it in trigger.secretHeaders');
  });

  it('keeps a stored value only while the URL keeps its origin', () => {
    const previous = sealTriggerSecrets(webhook(PLAIN), {
      scheduleId: ID,
      box,
    });
    const masked = (url: string) => ({
      ...webhook({ Authorization: SECRET_MASK }),
      url,
    });
    expect(
      headersOf(
        sealTriggerSecrets(masked('https://example.com:443/other?path'), {
          scheduleId: ID,
          box,
          previous,
        }),
      )['Authorization'],
    ).toBe(headersOf(previous)['Authorization']);
    for (const url of [
      'https://attacker.example/hook',
      'http://example.com/hook',
      'https://example.com:8443/hook',
    ]) {
      const problem = problemOf(() =>
        sealTriggerSecrets(masked(url), { scheduleId: ID, box, previous }),
      );
      expect(problem.field).toBe('trigger.headers.Authorization');
      expect(problem.message).toContain('points to another origin');
    }
    // A new value may go anywhere: its author gave it.
    expect(
      isSealed(
        headersOf(
          sealTriggerSecrets(
            { ...webhook(PLAIN), url: 'https://elsewhere.example/' },
            { scheduleId: ID, box, previous },
          ),
        )['Authorization'],
      ),
    ).toBe(true);
  });

  it('leaves triggers without secret headers, and other trigger types, untouched', () => {
    const plain = webhook({ 'X-Team': 'platform' });
    expect(sealTriggerSecrets(plain, { scheduleId: ID, box })).toBe(plain);
    const other = { type: 'amqp', headers: { Authorization: 'x' } };
    expect(sealTriggerSecrets(other, { scheduleId: ID, box })).toBe(other);
  });
});

describe('maskTriggerSecrets', () => {
  it('shows the mask for every secret value and the others as stored', () => {
    const stored = sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
      scheduleId: ID,
      box,
    });
    expect(maskTriggerSecrets(stored)).toEqual(
      webhook(
        {
          Authorization: SECRET_MASK,
          'X-Api-Token': SECRET_MASK,
          'X-Team': 'platform',
        },
        ['X-Api-Token'],
      ),
    );
  });

  it('masks values stored without a box too', () => {
    expect(
      headersOf(maskTriggerSecrets(webhook({ cookie: 'session=abc' }))),
    ).toEqual({ cookie: SECRET_MASK });
  });
});

describe('openTriggerSecrets', () => {
  it('opens every sealed secret value, and sends values stored as given as they are', () => {
    const stored = sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
      scheduleId: ID,
      box,
    });
    expect(headersOf(openTriggerSecrets(stored, ID, box))).toEqual(PLAIN);
    expect(headersOf(openTriggerSecrets(webhook(PLAIN), ID, box))).toEqual(
      PLAIN,
    );
  });

  it('fails naming the header, never the value, when a value does not open', () => {
    const sealedElsewhere = sealTriggerSecrets(webhook(PLAIN), {
      scheduleId: ID,
      box: new SecretBox(oldKey),
    });
    const error = (() => {
      try {
        openTriggerSecrets(sealedElsewhere, ID, box);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(error).toBeInstanceOf(SecretsKeyError);
    expect(error.message).toContain('secret header Authorization');
    expect(error.message).toContain(oldKey.id);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain(
      headersOf(sealedElsewhere)['Authorization'],
    );
    expect(() => openTriggerSecrets(sealedElsewhere, ID, null)).toThrow(
      /secret header Authorization is sealed, but SECRETS_KEY is not set/,
    );
  });
});

describe('resealTriggerSecrets', () => {
  const rotating = new SecretBox(newKey, [oldKey]);

  it('re-seals values of the previous key and values stored as given, once', () => {
    const old = sealTriggerSecrets(webhook(PLAIN, ['X-Api-Token']), {
      scheduleId: ID,
      box: new SecretBox(oldKey),
    });
    const first = resealTriggerSecrets(old, ID, rotating);
    expect(first).toMatchObject({ resealed: 2, unopenable: 0 });
    const resealed = first.trigger;
    if (resealed === undefined) throw new Error('expected a resealed trigger');
    for (const value of Object.values(headersOf(resealed)).slice(0, 2))
      expect(rotating.needsResealing(value)).toBe(false);
    expect(headersOf(openTriggerSecrets(resealed, ID, box))).toEqual(PLAIN);
    expect(resealTriggerSecrets(resealed, ID, rotating)).toEqual({
      trigger: undefined,
      resealed: 0,
      unopenable: 0,
    });

    const plain = resealTriggerSecrets(webhook({ Cookie: 'c=1' }), ID, box);
    expect(plain.resealed).toBe(1);
    expect(isSealed(headersOf(plain.trigger ?? webhook({}))['Cookie'])).toBe(
      true,
    );
  });

  it('counts values of an unknown key and leaves them as they are', () => {
    const unknown = sealTriggerSecrets(webhook({ Authorization: 'x' }), {
      scheduleId: ID,
      box: new SecretBox(parseSecretsKey(generateSecretsKey())),
    });
    expect(resealTriggerSecrets(unknown, ID, rotating)).toEqual({
      trigger: undefined,
      resealed: 0,
      unopenable: 1,
    });
  });
});
