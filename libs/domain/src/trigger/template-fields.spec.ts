import { ValidationError } from '../errors';
import type { TemplateVars } from './template';
import {
  checkTriggerTemplates,
  checkUrlTemplate,
  renderBodyJson,
  renderHeaderTemplate,
  renderUrlTemplate,
  sampleUrlOf,
} from './template-fields';

const vars: TemplateVars = {
  scheduleId: 'sched-1',
  executionId: 'exec-1',
  scheduledAt: '2031-03-01T12:00:00.000Z',
  attempt: 1,
  name: 'a/b c?d#e&f',
  owner: null,
  metadata: { tenant: 'acme', evil: 'x\r\nX-Injected: 1', uni: 'café' },
};

function fieldOf(action: () => void): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('checkUrlTemplate', () => {
  it.each([
    'https://example.com/hooks/{{scheduleId}}',
    'https://example.com:8443/{{name}}/x?run={{executionId}}&t={{metadata.tenant}}',
    'https://example.com?at={{scheduledAt}}',
    'https://example.com/static',
  ])('accepts placeholders in the path and query: %s', (url) => {
    expect(() => {
      checkUrlTemplate(url, 'trigger.url');
    }).not.toThrow();
  });

  it.each([
    'https://{{metadata.tenant}}.example.com/x',
    'https://example.com{{name}}/x',
    'https://example.com:{{attempt}}/x',
    'https://user:{{owner}}@example.com/x',
    '{{metadata.scheme}}://example.com/x',
    'https://example.com\\{{name}}',
  ])(
    'refuses a placeholder in the scheme, userinfo, host or port: %s',
    (url) => {
      expect(
        fieldOf(() => {
          checkUrlTemplate(url, 'trigger.url');
        }),
      ).toBe('trigger.url');
    },
  );

  it('refuses a placeholder in the fragment', () => {
    expect(() => {
      checkUrlTemplate('https://example.com/x#{{attempt}}', 'trigger.url');
    }).toThrow('not allowed in the fragment');
  });
});

describe('sampleUrlOf', () => {
  it('keeps the host the scheduler will call', () => {
    const sample = new URL(
      sampleUrlOf('https://example.com:8443/{{name}}?a={{metadata.tenant}}'),
    );
    expect(sample.host).toBe('example.com:8443');
    expect(sample.pathname + sample.search).toBe('/x?a=x');
  });
});

describe('renderUrlTemplate', () => {
  it('percent-encodes values so that they cannot add a path segment, query or fragment', () => {
    const rendered = renderUrlTemplate(
      'https://example.com/s/{{name}}?t={{metadata.tenant}}&u={{metadata.uni}}',
      vars,
    );
    expect(rendered).toBe(
      'https://example.com/s/a%2Fb%20c%3Fd%23e%26f?t=acme&u=caf%C3%A9',
    );
    const url = new URL(rendered);
    expect(url.host).toBe('example.com');
    expect(url.hash).toBe('');
    expect([...url.searchParams.keys()]).toEqual(['t', 'u']);
  });
});

describe('renderHeaderTemplate', () => {
  it('renders a header value', () => {
    expect(
      renderHeaderTemplate('X-Tenant', 'tenant-{{metadata.tenant}}', vars),
    ).toBe('tenant-acme');
  });

  it('refuses a rendered value with CR/LF, naming the header', () => {
    expect(renderHeaderTemplate('X-Tenant', '{{metadata.evil}}', vars)).toEqual(
      {
        invalid: expect.stringContaining('header X-Tenant') as unknown,
      },
    );
  });
});

describe('checkTriggerTemplates', () => {
  it('checks each named field that is present, at its exact path', () => {
    const input = {
      subject: 'jobs.{{metadata.tenant}}',
      headers: { 'X-A': 'ok', 'X-B': '{{nope}}' },
      body: { a: '{{attempt}}' },
    };
    expect(
      fieldOf(() => {
        checkTriggerTemplates(input, 'trigger', ['subject', 'headers', 'body']);
      }),
    ).toBe('trigger.headers.X-B');
    expect(() => {
      checkTriggerTemplates(input, 'trigger', ['subject', 'body', 'key']);
    }).not.toThrow();
  });
});

describe('renderBodyJson', () => {
  const request = {
    executionId: 'exec-1',
    scheduleId: 'sched-1',
    scheduleName: null,
    scheduleOwner: null,
    scheduleMetadata: { n: 5 },
    scheduledAt: new Date('2031-03-01T12:00:00Z'),
    attempt: 2,
    trigger: { type: 'nats' },
  };

  it('renders the placeholders of a body into its JSON text', () => {
    expect(
      renderBodyJson(
        { a: '{{attempt}}', n: '{{metadata.n}}', s: 'x' },
        request,
      ),
    ).toBe('{"a":2,"n":5,"s":"x"}');
  });

  it('sends a body without placeholders exactly as JSON.stringify does', () => {
    const body = { text: 'a } and { b', list: [1, null, true] };
    expect(renderBodyJson(body, request)).toBe(JSON.stringify(body));
  });
});
