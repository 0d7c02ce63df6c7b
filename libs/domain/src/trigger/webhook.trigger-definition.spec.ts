import { ValidationError } from '../errors';
import { LOOPBACK_NETWORKS, networkPolicyOf } from './network-policy';
import { DEFAULT_TRIGGER_PARSE_CONTEXT } from './trigger-validation';
import {
  isReservedWebhookHeader,
  WEBHOOK_LIMITS,
  WEBHOOK_TRIGGER,
} from './webhook.trigger-definition';

const URL = 'https://example.com/hook';

function parse(
  input: Record<string, unknown>,
  context = DEFAULT_TRIGGER_PARSE_CONTEXT,
) {
  return WEBHOOK_TRIGGER.parse(
    { type: 'webhook', ...input },
    'trigger',
    context,
  );
}

function errorOf(input: Record<string, unknown>): ValidationError {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('WEBHOOK_TRIGGER', () => {
  describe('url', () => {
    it('accepts absolute http and https URLs', () => {
      expect(parse({ url: 'http://localhost:3100/tasks?x=1' }).url).toBe(
        'http://localhost:3100/tasks?x=1',
      );
      expect(parse({ url: URL }).url).toBe(URL);
    });

    it.each([
      [undefined, 'is required'],
      [42, 'must be a string'],
      ['/relative/path', 'is not an absolute URL'],
      ['ftp://example.com/file', 'scheme "ftp" is not allowed'],
      ['javascript:alert(1)', 'scheme "javascript" is not allowed'],
      ['https://user:secret@example.com/', 'must not contain credentials'],
      [
        `https://example.com/${'a'.repeat(WEBHOOK_LIMITS.maxUrlLength)}`,
        `at most ${WEBHOOK_LIMITS.maxUrlLength} characters`,
      ],
      ['https://example.com/a\r\nHost: evil', 'contains a control character'],
      ['https://exa\tmple.com/', 'contains a control character'],
      ['https://example.com/\u0000', 'contains a control character'],
      ['https://example.com/\x7f', 'contains a control character'],
      ['https://example.com/\u0085', 'contains a control character'],
    ])('rejects %p naming trigger.url', (url, message) => {
      const error = errorOf({ url });
      expect(error.field).toBe('trigger.url');
      expect(error.message).toContain(message);
    });
  });

  it('caps the URL at exactly maxUrlLength characters, after trimming', () => {
    const prefix = 'https://example.com/';
    const longest =
      prefix + 'a'.repeat(WEBHOOK_LIMITS.maxUrlLength - prefix.length);
    expect(longest).toHaveLength(2048);
    expect(parse({ url: `  ${longest}\n` }).url).toBe(longest);
    expect(errorOf({ url: `${longest}a` }).field).toBe('trigger.url');
  });

  describe('url destination', () => {
    const loopbackAllowed = {
      networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
    };

    it.each([
      'http://127.0.0.1:3000/',
      'http://127.1:3000/',
      'http://2130706433:3000/',
      'http://0x7f000001:3000/',
      'http://[::ffff:127.0.0.1]:3000/',
      'http://[::1]:3000/',
      'http://169.254.169.254/latest/meta-data/',
      'https://[fd00:ec2::254]/',
      'http://10.0.0.1/hook',
      'http://0.0.0.0:3000/',
    ])('refuses the literal %s naming trigger.url', (url) => {
      const error = errorOf({ url });
      expect(error.field).toBe('trigger.url');
      expect(error.message).toContain('destination not allowed');
    });

    it.each([
      'http://127.1:3000/',
      'http://2130706433:3000/',
      'http://0x7f000001:3000/',
      'http://[::ffff:127.0.0.1]:3000/',
      'http://[::1]:3000/',
    ])('accepts %s when the allow-list holds loopback', (url) => {
      expect(parse({ url }, loopbackAllowed).url).toBe(url);
    });

    it('still refuses other ranges when the allow-list holds loopback', () => {
      expect(() =>
        parse({ url: 'http://169.254.169.254/' }, loopbackAllowed),
      ).toThrow('trigger.url: destination not allowed');
    });

    it('remembers an accepted URL for its own network policy only', () => {
      const url = 'http://127.0.0.1:4100/remembered';
      for (let i = 0; i < 3; i++)
        expect(parse({ url }, loopbackAllowed).url).toBe(url);
      expect(errorOf({ url }).message).toContain('destination not allowed');
      expect(parse({ url: `  ${url} ` }, loopbackAllowed).url).toBe(url);
      expect(errorOf({ url: ` ${url}` }).field).toBe('trigger.url');
    });

    it('leaves host names to the connect-time check', () => {
      expect(parse({ url: 'http://localhost:3100/tasks' }).url).toBe(
        'http://localhost:3100/tasks',
      );
    });
  });

  describe('method', () => {
    it('defaults to POST and upper-cases what it is given', () => {
      expect(parse({ url: URL }).method).toBe('POST');
      expect(parse({ url: URL, method: 'put' }).method).toBe('PUT');
    });

    it.each(['TRACE', 'CONNECT', 7, ''])(
      'rejects %p naming trigger.method and the allowed methods',
      (method) => {
        const error = errorOf({ url: URL, method });
        expect(error.field).toBe('trigger.method');
        expect(error.message).toContain(
          'must be one of GET, POST, PUT, PATCH, DELETE',
        );
      },
    );
  });

  describe('headers', () => {
    it('keeps valid headers as given', () => {
      expect(
        parse({
          url: URL,
          headers: { Authorization: 'Bearer x', 'X-Trace': 'a b\tc' },
        }).headers,
      ).toEqual({
        Authorization: 'Bearer x',
        'X-Trace': 'a b\tc',
      });
    });

    it.each([
      ['Idempotency-Key', 'k'],
      ['idempotency-key', 'k'],
      ['X-Scheduleman-Attempt', '9'],
      ['x-scheduleman-anything', 'v'],
      ['webhook-signature', 'v1,Zm9yZ2Vk'],
      ['Webhook-Id', 'forged'],
      ['Webhook-Timestamp', '1'],
      ['Host', 'evil.example'],
      ['Content-Length', '0'],
      ['Content-Type', 'text/plain'],
      ['content-type', 'application/xml'],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'close'],
    ])(
      'refuses to let a user override the reserved header %s',
      (name, value) => {
        const error = errorOf({ url: URL, headers: { [name]: value } });
        expect(error.field).toBe(`trigger.headers.${name}`);
        expect(error.message).toContain('cannot be overridden');
      },
    );

    it.each([
      ['X Foo', 'v', 'is not a valid header name'],
      ['X-Foo:', 'v', 'is not a valid header name'],
      ['', 'v', 'is not a valid header name'],
      ['X-Foo', 5, 'must be a string'],
      ['X-Foo', 'a\r\nInjected: yes', 'contains characters not allowed'],
      ['X-Foo', 'snow ☃', 'contains characters not allowed'],
      ['X-Foo', 'a\rb', 'contains characters not allowed'],
      ['X-Foo', 'a\nb', 'contains characters not allowed'],
      ['X-Foo', 'a\u0000b', 'contains characters not allowed'],
      ['X-Foo', 'a\u001bb', 'contains characters not allowed'],
      ['X-Foo', 'a\u007fb', 'contains characters not allowed'],
      ['X-Foo\r\nX-Injected', 'v', 'is not a valid header name'],
      ['X-Foo\n', 'v', 'is not a valid header name'],
      ['X-Foo\t', 'v', 'is not a valid header name'],
      ['X-\u0000', 'v', 'is not a valid header name'],
      ['X-\u007f', 'v', 'is not a valid header name'],
      ['X-Fóo', 'v', 'is not a valid header name'],
    ])('rejects header %p with value %p naming it', (name, value, message) => {
      const error = errorOf({ url: URL, headers: { [name]: value } });
      expect(error.field).toBe(`trigger.headers.${name}`);
      expect(error.message).toContain(message);
    });

    it('allows horizontal tab, the one control character a value may hold', () => {
      expect(parse({ url: URL, headers: { 'X-T': '\ta\tb' } }).headers).toEqual(
        { 'X-T': '\ta\tb' },
      );
    });

    it('rejects two headers whose names differ only in case', () => {
      expect(
        errorOf({ url: URL, headers: { 'X-Foo': 'a', 'x-foo': 'b' } }).field,
      ).toBe('trigger.headers.x-foo');
    });

    it('rejects headers that are not an object', () => {
      expect(errorOf({ url: URL, headers: ['X-Foo: a'] }).field).toBe(
        'trigger.headers',
      );
      expect(errorOf({ url: URL, headers: 'X-Foo: a' }).field).toBe(
        'trigger.headers',
      );
    });

    it('enforces the header count and size limits', () => {
      const many = Object.fromEntries(
        Array.from({ length: WEBHOOK_LIMITS.maxHeaders + 1 }, (_, i) => [
          `X-H${i}`,
          'v',
        ]),
      );
      expect(errorOf({ url: URL, headers: many }).message).toContain(
        `at most ${WEBHOOK_LIMITS.maxHeaders}`,
      );
      const big = { 'X-A': 'a'.repeat(5000), 'X-B': 'b'.repeat(5000) };
      expect(errorOf({ url: URL, headers: big }).message).toContain(
        `at most ${WEBHOOK_LIMITS.maxHeaderBytes} are allowed`,
      );
    });
  });

  describe('body', () => {
    it('accepts any JSON value and leaves it out when absent', () => {
      for (const body of [{ a: [1, 'x', null] }, 'text', 0, false, null, []]) {
        expect(parse({ url: URL, body }).body).toEqual(body);
      }
      expect('body' in parse({ url: URL })).toBe(false);
    });

    it('measures the body as UTF-8 JSON against the size limit', () => {
      const fits = 'x'.repeat(WEBHOOK_LIMITS.maxBodyBytes - 2);
      expect(parse({ url: URL, body: fits }).body).toBe(fits);
      const error = errorOf({
        url: URL,
        body: 'é'.repeat(WEBHOOK_LIMITS.maxBodyBytes / 2),
      });
      expect(error.field).toBe('trigger.body');
      expect(error.message).toContain(
        `at most ${WEBHOOK_LIMITS.maxBodyBytes} are allowed`,
      );
    });

    it('rejects a body on a GET webhook', () => {
      expect(errorOf({ url: URL, method: 'GET', body: { a: 1 } }).field).toBe(
        'trigger.body',
      );
    });
  });

  it('rejects unknown fields by name', () => {
    const error = errorOf({ url: URL, timeout: 5 });
    expect(error.field).toBe('trigger.timeout');
    expect(error.message).toContain('unknown field');
  });
});

describe('WEBHOOK_TRIGGER templates and format', () => {
  it('stores placeholders in url, header values and body as written', () => {
    const spec = parse({
      url: 'https://example.com/runs/{{scheduleId}}?at={{scheduledAt}}',
      headers: { 'X-Tenant': '{{metadata.tenant}}' },
      body: { attempt: '{{attempt}}', items: ['{{name}}'] },
    });
    expect(spec).toMatchObject({
      url: 'https://example.com/runs/{{scheduleId}}?at={{scheduledAt}}',
      headers: { 'X-Tenant': '{{metadata.tenant}}' },
      body: { attempt: '{{attempt}}', items: ['{{name}}'] },
    });
  });

  it.each([
    [{ url: 'https://example.com/{{nope}}' }, 'trigger.url'],
    [
      { url: URL, headers: { 'X-Tenant': '{{ owner }}' } },
      'trigger.headers.X-Tenant',
    ],
    [
      { url: URL, body: { items: ['a', 'b', '{{x}}'] } },
      'trigger.body.items[2]',
    ],
    [{ url: URL, body: 'unclosed {{attempt' }, 'trigger.body'],
  ])('refuses a bad placeholder in %j naming %s', (input, field) => {
    const error = errorOf(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain('allowed placeholders');
  });

  it('refuses placeholders in the host or port, naming trigger.url', () => {
    for (const url of [
      'https://{{metadata.tenant}}.example.com/hook',
      'https://example.com:{{attempt}}/hook',
    ]) {
      const error = errorOf({ url });
      expect(error.field).toBe('trigger.url');
      expect(error.message).toContain('path and query only');
    }
  });

  it('checks the destination of a templated URL', () => {
    expect(
      errorOf({ url: 'http://169.254.169.254/{{metadata.path}}' }).message,
    ).toContain('destination not allowed');
  });

  it('accepts format raw or cloudevents, absent by default', () => {
    expect(parse({ url: URL })).not.toHaveProperty('format');
    expect(parse({ url: URL, format: 'cloudevents' }).format).toBe(
      'cloudevents',
    );
    expect(parse({ url: URL, format: 'raw' }).format).toBe('raw');
    expect(errorOf({ url: URL, format: 'cloud-events' }).field).toBe(
      'trigger.format',
    );
  });
});

describe('isReservedWebhookHeader', () => {
  it('matches case-insensitively and by the X-Scheduleman- prefix', () => {
    expect(isReservedWebhookHeader('IDEMPOTENCY-KEY')).toBe(true);
    expect(isReservedWebhookHeader('X-Scheduleman-Schedule-Id')).toBe(true);
    expect(isReservedWebhookHeader('X-Schedule')).toBe(false);
    expect(isReservedWebhookHeader('WEBHOOK-SIGNATURE')).toBe(true);
    expect(isReservedWebhookHeader('Webhook-Anything')).toBe(true);
    expect(isReservedWebhookHeader('X-Webhook-Token')).toBe(false);
    expect(isReservedWebhookHeader('Authorization')).toBe(false);
  });
});
