import {
  generateSigningSecret,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  parseSigningSecret,
} from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import { Webhook } from 'standardwebhooks';
import {
  type Seen,
  WebhookReceiver,
  webhookFireRequest as fireRequest,
} from '../../testing/webhook-receiver';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

// Templates and format cloudevents over real HTTP to a loopback receiver: what arrives,
// and that the signature covers the rendered bytes as they arrived.

const SECRET = generateSigningSecret();
const EXECUTION_ID = '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f';
const SCHEDULE_ID = '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f';
const METADATA = { tenant: 'acme corp', count: 3, region: 'eu/west' };

function headersOf(seen: Seen): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(seen.headers))
    if (typeof value === 'string') headers[name] = value;
  return headers;
}

describe('WebhookTriggerProvider templates and CloudEvents', () => {
  const receiver = new WebhookReceiver();
  const client = new UndiciHttpClient({
    maxSockets: 4,
    keepAliveMs: 10_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  const signal = () => AbortSignal.timeout(3000);
  const provider = new WebhookTriggerProvider(client, {
    clock: new FakeClock(new Date()),
    signingSecrets: [parseSigningSecret(SECRET)],
  });

  beforeAll(() => receiver.start());
  afterAll(async () => {
    await client.close();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.seen.length = 0;
  });

  it('renders url, header values and body, and signs the rendered bytes', async () => {
    const outcome = await provider.fire(
      fireRequest(
        {
          url: receiver.url(
            '/runs/{{metadata.region}}/{{scheduleId}}?tenant={{metadata.tenant}}&n={{attempt}}',
          ),
          headers: { 'X-Tenant': 'tenant {{metadata.tenant}}' },
          body: {
            attempt: '{{attempt}}',
            count: '{{metadata.count}}',
            missing: '{{metadata.missing}}',
            note: 'run {{executionId}} of {{name}}',
            '{{attempt}}': 'keys stay',
          },
        },
        { scheduleMetadata: METADATA },
      ),
      { signal: signal() },
    );

    expect(outcome.kind).toBe('delivered');
    const [seen] = receiver.seen;
    expect(seen.url).toBe(
      `/runs/eu%2Fwest/${SCHEDULE_ID}?tenant=acme%20corp&n=2`,
    );
    expect(seen.headers['x-tenant']).toBe('tenant acme corp');
    const body: unknown = JSON.parse(seen.body);
    expect(body).toEqual({
      attempt: 2,
      count: 3,
      missing: null,
      note: `run ${EXECUTION_ID} of nightly report`,
      '{{attempt}}': 'keys stay',
    });
    expect(new Webhook(SECRET).verify(seen.raw, headersOf(seen))).toEqual(body);
    expect(seen.headers).not.toHaveProperty('ce-id');
  });

  it('fails permanently, sending nothing, when a rendered header value would carry CR/LF', async () => {
    const outcome = await provider.fire(
      fireRequest(
        { url: receiver.url(), headers: { 'X-Tenant': '{{metadata.tenant}}' } },
        { scheduleMetadata: { tenant: 'acme\r\nX-Injected: 1' } },
      ),
      { signal: signal() },
    );

    expect(outcome).toEqual({
      kind: 'permanent',
      error: expect.stringContaining('header X-Tenant') as unknown,
    });
    expect(receiver.seen).toHaveLength(0);
  });

  it('sends a cloudevents trigger in HTTP binary mode with every contract header, signed', async () => {
    const outcome = await provider.fire(
      fireRequest(
        {
          url: receiver.url('/events'),
          headers: {
            'X-Tenant': '{{metadata.tenant}}',
            'ce-id': 'forged',
            'ce-myextension': 'kept',
          },
          body: { tenant: '{{metadata.tenant}}' },
          format: 'cloudevents',
        },
        { scheduleMetadata: METADATA },
      ),
      { signal: signal() },
    );

    expect(outcome.kind).toBe('delivered');
    const [seen] = receiver.seen;
    expect(seen.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': EXECUTION_ID,
      'ce-source': `//scheduleman/schedules/${SCHEDULE_ID}`,
      'ce-type': 'io.scheduleman.schedule.fired.v1',
      'ce-subject': 'nightly%20report',
      'ce-time': '2030-01-02T03:04:05.678Z',
      'ce-attempt': '2',
      'content-type': 'application/json',
      'idempotency-key': EXECUTION_ID,
      'x-scheduleman-execution-id': EXECUTION_ID,
      'x-scheduleman-attempt': '2',
      'webhook-id': EXECUTION_ID,
      'x-tenant': 'acme corp',
      'ce-myextension': 'kept',
    });
    expect(seen.headers).not.toHaveProperty('ce-datacontenttype');
    // The body is the event's data, exactly what raw format would send.
    expect(JSON.parse(seen.body)).toEqual({ tenant: 'acme corp' });
    expect(new Webhook(SECRET).verify(seen.raw, headersOf(seen))).toEqual({
      tenant: 'acme corp',
    });
  });

  it('sends the default body as the data of a cloudevents trigger without one', async () => {
    await provider.fire(
      fireRequest({ url: receiver.url(), format: 'cloudevents' }),
      { signal: signal() },
    );

    const [seen] = receiver.seen;
    expect(seen.headers['ce-id']).toBe(EXECUTION_ID);
    expect(JSON.parse(seen.body)).toMatchObject({
      executionId: EXECUTION_ID,
      attempt: 2,
    });
  });

  it('sends a cloudevents GET with the attributes but no body and no content type', async () => {
    await provider.fire(
      fireRequest({
        url: receiver.url(),
        method: 'GET',
        format: 'cloudevents',
      }),
      { signal: signal() },
    );

    const [seen] = receiver.seen;
    expect(seen.headers['ce-id']).toBe(EXECUTION_ID);
    expect(seen.headers).not.toHaveProperty('content-type');
    expect(seen.body).toBe('');
  });
});
