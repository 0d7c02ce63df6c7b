import type { LookupAddress } from 'node:dns';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  type FireOutcome,
  type FireRequest,
  LOOPBACK_NETWORKS,
  type NetworkPolicy,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
} from '@scheduleman/domain';
import { CanaryListener, waitFor } from '@scheduleman/testkit';
import { UndiciHttpClient } from '../webhook/undici.http-client';
import { WebhookTriggerProvider } from '../webhook/webhook.trigger-provider';
import { guardedLookup, type ResolveAll } from './destination-guard';

// Loopback only (rule 8): 127.0.0.0/8 and ::1, in every spelling. With the allow-list
// unset loopback is forbidden, so a forbidden destination here is a real listener (the
// canary) that must see no connection. Other ranges are classified by the domain's
// unit tests without any socket.

const REFUSED = {
  kind: 'permanent',
  error: expect.stringMatching(/^destination not allowed/) as string,
};

function fireRequest(url: string): FireRequest {
  return {
    executionId: '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
    scheduleId: '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f',
    scheduleName: 'outbound',
    scheduleOwner: null,
    scheduledAt: new Date('2030-01-02T03:04:05.678Z'),
    attempt: 1,
    trigger: { type: 'webhook', url, method: 'POST', headers: {} },
  };
}

/** An HTTP receiver on a loopback address; `handler` decides each answer. */
class Receiver {
  requests = 0;
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    res.writeHead(204, { connection: 'close' }).end();
  private server?: Server;

  async start(host: string, port = 0): Promise<number> {
    const server = createServer((req, res) => {
      this.requests++;
      req.resume();
      req.on('end', () => {
        this.handler(req, res);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function providerWith(
  networkPolicy: NetworkPolicy,
  resolve?: ResolveAll,
): { provider: WebhookTriggerProvider; client: UndiciHttpClient } {
  const client = new UndiciHttpClient({
    maxSockets: 8,
    keepAliveMs: 10_000,
    networkPolicy,
    resolve,
  });
  return { provider: new WebhookTriggerProvider(client), client };
}

function fire(
  provider: WebhookTriggerProvider,
  url: string,
): Promise<FireOutcome> {
  return provider.fire(fireRequest(url), {
    signal: AbortSignal.timeout(3_000),
  });
}

/** A resolver answering from a script instead of DNS: what a rebinding name would do. */
function scriptedResolver(answers: string[][]): {
  resolve: ResolveAll;
  asked: string[];
} {
  const asked: string[] = [];
  const resolve: ResolveAll = (hostname, _options, callback) => {
    asked.push(hostname);
    const next = answers.shift() ?? [];
    const addresses: LookupAddress[] = next.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    process.nextTick(() => {
      callback(null, addresses);
    });
  };
  return { resolve, asked };
}

describe('outbound safety of webhook deliveries', () => {
  let canary: CanaryListener;

  beforeAll(async () => {
    canary = await CanaryListener.start();
  });
  afterAll(() => canary.close());
  beforeEach(() => {
    canary.connections = 0;
  });

  describe('with WEBHOOK_ALLOWED_NETWORKS unset', () => {
    const { provider, client } = providerWith(PUBLIC_ONLY_NETWORK_POLICY);
    afterAll(() => client.close());

    it.each([
      'localhost',
      '127.0.0.1',
      '127.1',
      '2130706433',
      '0x7f000001',
      '0177.0.0.1',
      '127.0.0.1.',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[0:0:0:0:0:0:0:1]',
    ])(
      'refuses %s at connect time: permanent, not allowed, canary untouched',
      async (host) => {
        const outcome = await fire(provider, canary.url(host, '/hook'));

        expect(outcome).toEqual(REFUSED);
        expect(canary.connections).toBe(0);
      },
    );

    it('says nothing about the addresses it refused', async () => {
      const outcome = await fire(provider, canary.url('localhost'));

      expect(outcome).toEqual(REFUSED);
      expect(JSON.stringify(outcome)).not.toMatch(/127\.0\.0\.1|::1|loopback/);
    });
  });

  describe('with a name that resolves differently on each connection', () => {
    // Allowed: 127.0.0.2 only. The receiver listens there and the canary on 127.0.0.1,
    // on the same port, so a rebinding name points at either with one URL.
    const policy = networkPolicyOf('127.0.0.2/32');
    const receiver = new Receiver();
    let url: string;

    beforeAll(async () => {
      await receiver.start('127.0.0.2', canary.port);
      url = `http://rebinding.test:${canary.port.toString()}/hook`;
    });
    afterAll(() => receiver.stop());

    it('checks the address of every new connection, so rebinding to loopback is refused', async () => {
      const { resolve, asked } = scriptedResolver([
        ['127.0.0.2'],
        ['127.0.0.1'],
      ]);
      const { provider, client } = providerWith(policy, resolve);
      try {
        // The receiver closes every connection, so the second fire connects again.
        expect(await fire(provider, url)).toEqual({
          kind: 'delivered',
          responseStatus: 204,
        });
        expect(await fire(provider, url)).toEqual(REFUSED);
      } finally {
        await client.close();
      }
      expect(asked).toEqual(['rebinding.test', 'rebinding.test']);
      expect(receiver.requests).toBe(1);
      expect(canary.connections).toBe(0);
    });

    it('refuses a name when any of its addresses is forbidden', async () => {
      const { resolve } = scriptedResolver([['127.0.0.2', '127.0.0.1']]);
      const { provider, client } = providerWith(policy, resolve);
      const before = receiver.requests;
      try {
        expect(await fire(provider, url)).toEqual(REFUSED);
      } finally {
        await client.close();
      }
      expect(receiver.requests).toBe(before);
      expect(canary.connections).toBe(0);
    });
  });

  describe('with the receiver allowed', () => {
    const receiver = new Receiver();
    const { provider, client } = providerWith(
      networkPolicyOf(LOOPBACK_NETWORKS),
    );
    let url: string;

    beforeAll(async () => {
      url = `http://127.0.0.1:${(await receiver.start('127.0.0.1')).toString()}/hook`;
    });
    afterAll(async () => {
      await client.close();
      await receiver.stop();
    });

    it.each([301, 302, 303, 307, 308])(
      'does not follow a %i to the canary',
      async (status) => {
        receiver.handler = (_req, res) =>
          res.writeHead(status, { location: canary.url() }).end();
        const before = receiver.requests;

        const outcome = await fire(provider, url);

        expect(outcome).toEqual({
          kind: 'permanent',
          error: `HTTP ${status.toString()}`,
          responseStatus: status,
        });
        expect(receiver.requests - before).toBe(1);
        expect(canary.connections).toBe(0);
      },
    );

    it('stops reading an endless response body and keeps none of it', async () => {
      let closed = false;
      receiver.handler = (_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        res.writeHead(200);
        const pump = () => {
          while (!closed && res.write(chunk));
        };
        res.on('drain', pump);
        res.on('close', () => {
          closed = true;
        });
        pump();
      };

      const outcome = await fire(provider, url);

      expect(outcome).toEqual({ kind: 'delivered', responseStatus: 200 });
      // The client drops the socket after MAX_DRAINED_BODY_BYTES instead of reading on.
      await waitFor('the client to drop the endless body', () => closed, {
        timeoutMs: 10_000,
        intervalMs: 20,
      });
    });
  });
});

describe('guardedLookup', () => {
  const policy = networkPolicyOf(LOOPBACK_NETWORKS);

  it('answers in the shape net asks for: one address, or all', async () => {
    const { resolve } = scriptedResolver([
      ['127.0.0.1', '::1'],
      ['127.0.0.1', '::1'],
    ]);
    const lookup = guardedLookup(policy, resolve);
    const one = await new Promise((done) => {
      lookup('x.test', {}, (error, address, family) => {
        done({ error, address, family });
      });
    });
    const all = await new Promise((done) => {
      lookup('x.test', { all: true }, (error, addresses) => {
        done({ error, addresses });
      });
    });
    expect(one).toEqual({ error: null, address: '127.0.0.1', family: 4 });
    expect(all).toEqual({
      error: null,
      addresses: [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ],
    });
  });

  it('passes a resolver error through and refuses an empty answer', async () => {
    const failing: ResolveAll = (_host, _options, callback) => {
      callback(
        Object.assign(new Error('getaddrinfo ENOTFOUND'), {
          code: 'ENOTFOUND',
        }),
        [],
      );
    };
    const codes = await Promise.all(
      [failing, scriptedResolver([[]]).resolve].map(
        (resolve) =>
          new Promise((done) => {
            guardedLookup(policy, resolve)('x.test', {}, (error) => {
              done(error?.code);
            });
          }),
      ),
    );
    expect(codes).toEqual(['ENOTFOUND', 'ERR_DESTINATION_NOT_ALLOWED']);
  });
});
