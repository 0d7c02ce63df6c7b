import {
  generateSigningSecret,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  parseSigningSecret,
} from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  type Seen,
  WebhookReceiver,
  webhookFireRequest,
} from '../../testing/webhook-receiver';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';
import type {
  OwnerSigningSecrets,
  SigningSecretSource,
} from '../signing/signing-secret-source';

// Deliveries over real HTTP to a loopback receiver, verified by the Standard Webhooks
// reference library for Node (`standardwebhooks`), exactly as a receiver would: on the
// raw bytes and the headers that arrived.

const FIRST = generateSigningSecret();
const SECOND = generateSigningSecret(24);
const OTHER = generateSigningSecret();

/** The library's tolerance is 5 minutes either way; this is well outside it. */
const OUTSIDE_TOLERANCE_MS = 6 * 60_000;

function headersOf(seen: Seen): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(seen.headers))
    if (typeof value === 'string') headers[name] = value;
  return headers;
}

/** What the reference library says of a delivery: its parsed body, or why it refused. */
function verify(
  secret: string,
  raw: Buffer | string,
  headers: Record<string, string>,
): { body: unknown } | { refused: string } {
  try {
    return { body: new Webhook(secret).verify(raw, headers) };
  } catch (error) {
    if (error instanceof WebhookVerificationError)
      return { refused: error.message };
    throw error;
  }
}

describe('WebhookTriggerProvider signing (Standard Webhooks)', () => {
  const receiver = new WebhookReceiver();
  const client = new UndiciHttpClient({
    maxSockets: 4,
    keepAliveMs: 10_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  const signal = () => AbortSignal.timeout(3000);
  const clock = new FakeClock(new Date());
  const signed = new WebhookTriggerProvider(client, {
    clock,
    signingSecrets: [parseSigningSecret(FIRST), parseSigningSecret(SECOND)],
  });

  beforeAll(() => receiver.start());
  afterAll(async () => {
    await client.close();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.seen.length = 0;
    clock.set(new Date());
  });

  async function deliver(
    provider: WebhookTriggerProvider,
    ...args: Parameters<typeof webhookFireRequest>
  ): Promise<Seen> {
    const outcome = await provider.fire(webhookFireRequest(...args), {
      signal: signal(),
    });
    expect(outcome.kind).toBe('delivered');
    const seen = receiver.seen.at(-1);
    if (seen === undefined) throw new Error('nothing arrived');
    return seen;
  }

  it('verifies under each of two active secrets, and not under a third', async () => {
    const seen = await deliver(signed, { url: receiver.url() });
    const headers = headersOf(seen);

    expect(headers['webhook-id']).toBe('0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f');
    expect(headers['webhook-timestamp']).toBe(
      String(Math.floor(clock.now().getTime() / 1000)),
    );
    expect(headers['webhook-signature']).toMatch(
      /^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/,
    );
    const body: unknown = JSON.parse(seen.body);
    expect(verify(FIRST, seen.raw, headers)).toEqual({ body });
    expect(verify(SECOND, seen.raw, headers)).toEqual({ body });
    expect(verify(OTHER, seen.raw, headers)).toEqual({
      refused: 'No matching signature found',
    });
  });

  it('signs the exact bytes sent: a configured non-ASCII body verifies, one changed byte does not', async () => {
    const seen = await deliver(signed, {
      url: receiver.url(),
      method: 'PUT',
      body: { report: 'café ☕', n: [1, 2] },
    });
    const headers = headersOf(seen);

    expect(verify(FIRST, seen.raw, headers)).toEqual({
      body: { report: 'café ☕', n: [1, 2] },
    });
    const tampered = Buffer.from(seen.raw);
    tampered[tampered.indexOf('1')] = '3'.charCodeAt(0);
    expect(verify(FIRST, tampered, headers)).toEqual({
      refused: 'No matching signature found',
    });
    expect(verify(SECOND, tampered, headers)).toEqual({
      refused: 'No matching signature found',
    });
  });

  it('signs a delivery without a body over the empty body', async () => {
    const seen = await deliver(signed, { url: receiver.url(), method: 'GET' });

    expect(seen.raw).toHaveLength(0);
    expect(verify(FIRST, '', headersOf(seen))).toEqual({ body: undefined });
    expect(verify(FIRST, '{}', headersOf(seen))).toEqual({
      refused: 'No matching signature found',
    });
  });

  it('is refused when its timestamp is outside the tolerance', async () => {
    clock.advance(-OUTSIDE_TOLERANCE_MS);
    const old = headersOf(await deliver(signed, { url: receiver.url() }));
    clock.advance(2 * OUTSIDE_TOLERANCE_MS);
    const future = headersOf(await deliver(signed, { url: receiver.url() }));
    const [first, second] = receiver.seen;

    expect(verify(FIRST, first.raw, old)).toEqual({
      refused: 'Message timestamp too old',
    });
    expect(verify(FIRST, second.raw, future)).toEqual({
      refused: 'Message timestamp too new',
    });
  });

  it('keeps webhook-id on a retry of the same execution and stamps it afresh', async () => {
    const first = await deliver(
      signed,
      { url: receiver.url() },
      { attempt: 1 },
    );
    clock.advance(7_000);
    const retry = await deliver(
      signed,
      { url: receiver.url() },
      { attempt: 2 },
    );
    const [firstHeaders, retryHeaders] = [headersOf(first), headersOf(retry)];

    expect(retryHeaders['webhook-id']).toBe(firstHeaders['webhook-id']);
    expect(
      Number(retryHeaders['webhook-timestamp']) -
        Number(firstHeaders['webhook-timestamp']),
    ).toBe(7);
    expect(retryHeaders['webhook-signature']).not.toBe(
      firstHeaders['webhook-signature'],
    );
    expect(verify(FIRST, retry.raw, retryHeaders)).toMatchObject({
      body: { attempt: 2 },
    });
    // The first attempt's signature does not carry over to the retry's timestamp.
    expect(
      verify(FIRST, first.raw, {
        ...firstHeaders,
        'webhook-timestamp': retryHeaders['webhook-timestamp'],
      }),
    ).toEqual({ refused: 'No matching signature found' });
  });

  it('sends webhook-id and webhook-timestamp but no signature without a secret', async () => {
    const unsigned = new WebhookTriggerProvider(client, { clock });

    const headers = headersOf(await deliver(unsigned, { url: receiver.url() }));

    expect(headers['webhook-id']).toBe('0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toBeUndefined();
  });

  it('drops webhook-* headers of a stored trigger that predates the rule', async () => {
    const seen = await deliver(signed, {
      url: receiver.url(),
      headers: {
        'Webhook-Signature': 'v1,Zm9yZ2Vk',
        'webhook-id': 'forged',
        'X-Kept': 'yes',
      },
    });
    const headers = headersOf(seen);

    expect(headers['x-kept']).toBe('yes');
    expect(headers['webhook-id']).toBe('0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f');
    expect(headers['webhook-signature']).not.toContain('Zm9yZ2Vk');
    expect(verify(FIRST, seen.raw, headers)).toHaveProperty('body');
  });

  describe('per owner', () => {
    const OWNER_FIRST = generateSigningSecret();
    const OWNER_SECOND = generateSigningSecret();
    const INSTALLATION = generateSigningSecret();

    /** Answers each owner from `byOwner`; records whom it was asked for. */
    class FakeSource implements SigningSecretSource {
      readonly asked: string[] = [];
      constructor(
        private readonly byOwner: Record<string, OwnerSigningSecrets | Error>,
      ) {}
      activeFor(owner: string): Promise<OwnerSigningSecrets> {
        this.asked.push(owner);
        const found = this.byOwner[owner] ?? { secrets: [], unusable: 0 };
        return found instanceof Error
          ? Promise.reject(found)
          : Promise.resolve(found);
      }
    }

    const source = new FakeSource({
      'team-a': {
        secrets: [
          parseSigningSecret(OWNER_FIRST),
          parseSigningSecret(OWNER_SECOND),
        ],
        unusable: 0,
      },
      'team-half': {
        secrets: [parseSigningSecret(OWNER_FIRST)],
        unusable: 1,
      },
      'team-locked': { secrets: [], unusable: 2 },
      'team-down': new Error(
        'the signing secrets could not be read from the database',
      ),
    });
    const provider = new WebhookTriggerProvider(client, {
      clock,
      signingSecrets: [parseSigningSecret(INSTALLATION)],
      ownerSecrets: source,
    });

    beforeEach(() => {
      source.asked.length = 0;
    });

    it("signs an owner's delivery with each of its active secrets, not the installation's", async () => {
      const seen = await deliver(
        provider,
        { url: receiver.url() },
        { scheduleOwner: 'team-a' },
      );
      const headers = headersOf(seen);

      expect(source.asked).toEqual(['team-a']);
      expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(verify(OWNER_FIRST, seen.raw, headers)).toHaveProperty('body');
      expect(verify(OWNER_SECOND, seen.raw, headers)).toHaveProperty('body');
      expect(verify(INSTALLATION, seen.raw, headers)).toEqual({
        refused: 'No matching signature found',
      });
    });

    it('signs with the installation secrets for an owner without any, and without an owner', async () => {
      const none = await deliver(
        provider,
        { url: receiver.url() },
        { scheduleOwner: 'team-new' },
      );
      const ownerless = await deliver(
        provider,
        { url: receiver.url() },
        { scheduleOwner: null },
      );

      expect(source.asked).toEqual(['team-new']);
      for (const seen of [none, ownerless]) {
        expect(verify(INSTALLATION, seen.raw, headersOf(seen))).toHaveProperty(
          'body',
        );
        expect(verify(OWNER_FIRST, seen.raw, headersOf(seen))).toEqual({
          refused: 'No matching signature found',
        });
      }
    });

    it('signs with the secrets that open and leaves out one that does not', async () => {
      const seen = await deliver(
        provider,
        { url: receiver.url() },
        { scheduleOwner: 'team-half' },
      );

      expect(headersOf(seen)['webhook-signature'].split(' ')).toHaveLength(1);
      expect(verify(OWNER_FIRST, seen.raw, headersOf(seen))).toHaveProperty(
        'body',
      );
    });

    it.each([
      [
        'team-locked',
        "not sent: none of the owner's 2 active signing secrets opens with this scheduler's SECRETS_KEY",
      ],
      [
        'team-down',
        'not sent: the signing secrets could not be read from the database',
      ],
    ])(
      'sends nothing, neither unsigned nor with the installation secrets, for %s',
      async (owner, error) => {
        const outcome = await provider.fire(
          webhookFireRequest({ url: receiver.url() }, { scheduleOwner: owner }),
          { signal: signal() },
        );

        expect(outcome).toEqual({ kind: 'retryable', error });
        expect(receiver.seen).toHaveLength(0);
      },
    );
  });
});
