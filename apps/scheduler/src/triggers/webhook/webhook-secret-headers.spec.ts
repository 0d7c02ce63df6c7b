import {
  generateSecretsKey,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  parseSecretsKey,
  SecretBox,
  sealTriggerSecrets,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
import {
  WebhookReceiver as Receiver,
  webhookFireRequest as fireRequest,
} from '../../testing/webhook-receiver';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

const SCHEDULE_ID = '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f';
const key = parseSecretsKey(generateSecretsKey());
const box = new SecretBox(key);

describe('WebhookTriggerProvider with secret header values', () => {
  const receiver = new Receiver();
  const client = new UndiciHttpClient({
    maxSockets: 4,
    keepAliveMs: 1_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  const signal = () => AbortSignal.timeout(3000);

  /** The trigger as the API stores it, sealed with `sealer` for SCHEDULE_ID. */
  function stored(sealer: SecretBox | null): WebhookTriggerSpec {
    return sealTriggerSecrets(
      {
        type: 'webhook',
        url: receiver.url('/hook'),
        method: 'POST',
        headers: {
          Authorization: 'Bearer hunter2',
          'X-Api-Token': 'tok-123',
          'X-Team': 'platform',
        },
        secretHeaders: ['X-Api-Token'],
      },
      { scheduleId: SCHEDULE_ID, box: sealer },
    ) as WebhookTriggerSpec;
  }

  beforeAll(() => receiver.start());
  afterAll(async () => {
    await client.close();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.seen.length = 0;
  });

  it('sends the plaintext of each sealed value', async () => {
    const provider = new WebhookTriggerProvider(client, { secretBox: box });
    const trigger = stored(box);
    expect(JSON.stringify(trigger)).not.toContain('hunter2');
    const outcome = await provider.fire(fireRequest(trigger), {
      signal: signal(),
    });
    expect(outcome).toEqual({ kind: 'delivered', responseStatus: 202 });
    expect(receiver.seen[0].headers).toMatchObject({
      authorization: 'Bearer hunter2',
      'x-api-token': 'tok-123',
      'x-team': 'platform',
    });
  });

  it('sends values stored as given (no SECRETS_KEY when written) as they are', async () => {
    for (const secretBox of [box, null]) {
      const provider = new WebhookTriggerProvider(client, { secretBox });
      await provider.fire(fireRequest(stored(null)), { signal: signal() });
    }
    expect(receiver.seen.map((s) => s.headers['authorization'])).toEqual([
      'Bearer hunter2',
      'Bearer hunter2',
    ]);
  });

  it.each([
    [
      'sealed with another key',
      new SecretBox(parseSecretsKey(generateSecretsKey())),
      box,
      /secret header Authorization: a stored secret was sealed with key [0-9a-f]{8}/,
    ],
    [
      'sealed, and this scheduler has no box',
      box,
      null,
      /secret header Authorization is sealed, but SECRETS_KEY is not set/,
    ],
  ])(
    'fails permanently without a request when a value is %s, naming no value',
    async (_case, sealer, secretBox, message) => {
      const trigger = stored(sealer);
      const provider = new WebhookTriggerProvider(client, { secretBox });
      const outcome = await provider.fire(fireRequest(trigger), {
        signal: signal(),
      });
      expect(outcome.kind).toBe('permanent');
      const error = outcome.kind === 'permanent' ? outcome.error : '';
      expect(error).toMatch(/^cannot open a secret header value: /);
      expect(error).toMatch(message);
      expect(error).not.toContain('hunter2');
      expect(error).not.toContain(trigger.headers['Authorization']);
      expect(receiver.seen).toHaveLength(0);
    },
  );

  it('refuses a value sealed for another schedule', async () => {
    const provider = new WebhookTriggerProvider(client, { secretBox: box });
    const outcome = await provider.fire(
      fireRequest(stored(box), {
        scheduleId: '00000000-0000-4000-8000-000000000001',
      }),
      { signal: signal() },
    );
    expect(outcome).toMatchObject({ kind: 'permanent' });
    expect(receiver.seen).toHaveLength(0);
  });
});
