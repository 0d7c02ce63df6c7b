import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import {
  fingerprintSigningSecret,
  generateSigningSecret,
  InvalidSigningSecretError,
  parseSigningSecret,
  SIGNING_SECRET_PREFIX,
  signWebhook,
} from './webhook-signature';

// The example of the Standard Webhooks specification (and of its reference libraries'
// tests): secret, id, timestamp and body give exactly this signature.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

// Computed once with the `standardwebhooks` npm library 1.1.1 (`new Webhook(secret).sign(
// id, new Date(ts * 1000), body)`), pinned here: a delivery of ours, non-ASCII body, two
// secrets of different lengths (24 and 41 bytes).
const SECOND_SECRET =
  'whsec_c2NoZWR1bGVtYW4ga25vd24tYW5zd2VyIHZlY3RvciwgMm5kIGtleSE=';
const OUR_ID = '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f';
const OUR_TIMESTAMP = 1893553445;
const OUR_BODY =
  '{"scheduleId":"5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f","name":"café ☕"}';
const OUR_SIGNATURE_1 = 'v1,tu2xWUbXIaKZkiG1BLGjxrBs0lomrIS8xIQ8ujceFVc=';
const OUR_SIGNATURE_2 = 'v1,fio8zR6DVRT1oSifmxAw9rsA0nHpwweOzwjMN5ea30Q=';

function invalidReason(text: string): string {
  try {
    parseSigningSecret(text);
  } catch (error) {
    if (error instanceof InvalidSigningSecretError) return error.message;
    throw error;
  }
  throw new Error('expected the secret to be rejected');
}

describe('signWebhook', () => {
  it('gives the Standard Webhooks specification example signature', () => {
    expect(
      signWebhook({
        id: SPEC_ID,
        timestampSeconds: SPEC_TIMESTAMP,
        body: SPEC_BODY,
        secrets: [parseSigningSecret(SPEC_SECRET)],
      }),
    ).toBe(SPEC_SIGNATURE);
  });

  it('signs once per active secret, space-separated, in the order given', () => {
    const secrets = [
      parseSigningSecret(SPEC_SECRET),
      parseSigningSecret(SECOND_SECRET),
    ];

    const value = signWebhook({
      id: OUR_ID,
      timestampSeconds: OUR_TIMESTAMP,
      body: OUR_BODY,
      secrets,
    });

    expect(value).toBe(`${OUR_SIGNATURE_1} ${OUR_SIGNATURE_2}`);
  });

  it('signs a Buffer body exactly as the same bytes given as a string', () => {
    const secrets = [parseSigningSecret(SPEC_SECRET)];
    const common = { id: OUR_ID, timestampSeconds: OUR_TIMESTAMP, secrets };

    expect(
      signWebhook({ ...common, body: Buffer.from(OUR_BODY, 'utf8') }),
    ).toBe(OUR_SIGNATURE_1);
  });

  it('signs an empty body as "<id>.<timestamp>."', () => {
    const key = Buffer.from(
      SPEC_SECRET.slice(SIGNING_SECRET_PREFIX.length),
      'base64',
    );
    const expected = createHmac('sha256', key)
      .update(`${OUR_ID}.${String(OUR_TIMESTAMP)}.`)
      .digest('base64');

    expect(
      signWebhook({
        id: OUR_ID,
        timestampSeconds: OUR_TIMESTAMP,
        body: '',
        secrets: [parseSigningSecret(SPEC_SECRET)],
      }),
    ).toBe(`v1,${expected}`);
  });

  it('changes when the id, the timestamp or one byte of the body changes', () => {
    const secrets = [parseSigningSecret(SPEC_SECRET)];
    const base = {
      id: OUR_ID,
      timestampSeconds: OUR_TIMESTAMP,
      body: OUR_BODY,
      secrets,
    };

    const variants = [
      signWebhook({ ...base, id: OUR_ID.replace('0b7e', '0b7f') }),
      signWebhook({ ...base, timestampSeconds: OUR_TIMESTAMP + 1 }),
      signWebhook({ ...base, body: OUR_BODY.replace('café', 'cafe') }),
    ];

    for (const variant of variants) expect(variant).not.toBe(OUR_SIGNATURE_1);
  });

  it('gives no signature without a secret: the delivery goes unsigned', () => {
    expect(
      signWebhook({
        id: OUR_ID,
        timestampSeconds: OUR_TIMESTAMP,
        body: OUR_BODY,
        secrets: [],
      }),
    ).toBeUndefined();
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() =>
      signWebhook({
        id: OUR_ID,
        timestampSeconds: 1.5,
        body: '',
        secrets: [parseSigningSecret(SPEC_SECRET)],
      }),
    ).toThrow(RangeError);
  });
});

describe('parseSigningSecret', () => {
  it('accepts whsec_ with standard base64 of 24 to 64 bytes', () => {
    for (const length of [24, 32, 41, 64]) {
      const text = `whsec_${Buffer.alloc(length, 7).toString('base64')}`;
      expect(parseSigningSecret(text).key.symmetricKeySize).toBe(length);
    }
  });

  it('keeps the key out of logs and JSON', () => {
    const secret = parseSigningSecret(SPEC_SECRET);
    const encoded = SPEC_SECRET.slice(SIGNING_SECRET_PREFIX.length);
    const key = Buffer.from(encoded, 'base64');

    expect(JSON.stringify(secret)).not.toContain(encoded);
    expect(inspect(secret)).not.toContain(encoded);
    expect(inspect(secret)).not.toContain(key.toString('hex'));
  });

  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with "whsec_"'],
    ['WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with "whsec_"'],
    ['whsec_', 'encode 24 to 64 bytes (got 0)'],
    ['whsec_c2hvcnQ=', 'encode 24 to 64 bytes (got 5)'],
    [`whsec_${Buffer.alloc(65).toString('base64')}`, '(got 65)'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'standard base64'],
    ['whsec_c2NoZWR1bGVtYW4ga25vd24tYW5zd2VyIHZlY3RvciwgMm5kIGtleSE', 'base64'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-_Sw', 'standard base64'],
    ['whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw', 'standard base64'],
  ])('rejects %p: %s, without echoing it', (text, reason) => {
    const message = invalidReason(text);

    expect(message).toContain(reason);
    const encoded = text.slice(SIGNING_SECRET_PREFIX.length);
    if (encoded.length > 0) expect(message).not.toContain(encoded);
  });
});

describe('generateSigningSecret', () => {
  it('draws a new secret each time that parses back to its length', () => {
    const first = generateSigningSecret();
    const second = generateSigningSecret(64);

    expect(first).not.toBe(generateSigningSecret());
    expect(parseSigningSecret(first).key.symmetricKeySize).toBe(32);
    expect(parseSigningSecret(second).key.symmetricKeySize).toBe(64);
  });

  it.each([23, 65, 32.5])('refuses a length of %p bytes', (length) => {
    expect(() => generateSigningSecret(length)).toThrow(RangeError);
  });
});

describe('fingerprintSigningSecret', () => {
  it('is the first 12 hex digits of SHA-256 of the whole text', () => {
    const expected = createHash('sha256')
      .update(SPEC_SECRET)
      .digest('hex')
      .slice(0, 12);

    expect(fingerprintSigningSecret(SPEC_SECRET)).toBe(expected);
    expect(fingerprintSigningSecret(SPEC_SECRET)).toMatch(/^[0-9a-f]{12}$/);
    expect(fingerprintSigningSecret(SECOND_SECRET)).not.toBe(expected);
  });
});
