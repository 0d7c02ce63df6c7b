import { ValidationError } from '../errors';
import {
  checkTemplate,
  findPlaceholders,
  hasTemplate,
  renderTemplate,
  renderTemplateString,
  type TemplateVars,
  templateVarsOf,
} from './template';

const vars: TemplateVars = {
  scheduleId: 'sched-1',
  executionId: 'exec-1',
  scheduledAt: '2031-03-01T12:00:00.000Z',
  attempt: 2,
  name: 'nightly',
  owner: 'team-a',
  metadata: {
    tenant: 'acme',
    count: 3,
    flag: false,
    nested: { a: [1, 2] },
    empty: null,
  },
};

function problemOf(value: unknown, field = 'trigger.body'): ValidationError {
  try {
    checkTemplate(value, field);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('checkTemplate', () => {
  it.each([
    'plain text',
    '{{scheduleId}}',
    '{{executionId}}/{{scheduledAt}}/{{attempt}}/{{name}}/{{owner}}',
    '{{metadata.tenant}}',
    '{{metadata.some_key-2}}',
    'a lone } and { and }} are literal',
    '',
  ])('accepts %j', (text) => {
    expect(() => {
      checkTemplate(text, 'trigger.url');
    }).not.toThrow();
  });

  it.each([
    ['{{unknown}}', 'unknown placeholder {{unknown}}'],
    ['{{ attempt }}', 'write {{attempt}} without spaces inside the braces'],
    [
      '{{ metadata.tenant}}',
      'write {{metadata.tenant}} without spaces inside the braces',
    ],
    [`{{${'x'.repeat(100)}}}`, `unknown placeholder {{${'x'.repeat(40)}…}}`],
    ['{{{attempt}}}', '"{{{" is not a placeholder'],
    ['tail {{attempt', '"{{" at position 5 is never closed'],
    ['{{}}', 'unknown placeholder {{}}'],
    ['{{metadata.}}', 'must name one top-level metadata key'],
    ['{{metadata.a.b}}', 'must name one top-level metadata key'],
    ['{{Attempt}}', 'unknown placeholder {{Attempt}}'],
    ['{{process.env.HOME}}', 'unknown placeholder {{process.env.HOME}}'],
  ])('refuses %j', (text, message) => {
    const error = problemOf(text, 'trigger.url');
    expect(error.field).toBe('trigger.url');
    expect(error.message).toContain(message);
  });

  it('lists the allowed placeholders in the message', () => {
    expect(problemOf('{{nope}}').message).toContain(
      'allowed placeholders: {{scheduleId}}, {{executionId}}, {{scheduledAt}}, {{attempt}}, {{name}}, {{owner}}, {{metadata.<field>}}',
    );
  });

  it('names the exact path of the bad string in a JSON value', () => {
    expect(problemOf({ items: ['ok', '{{attempt}}', '{{bad}}'] }).field).toBe(
      'trigger.body.items[2]',
    );
    expect(problemOf({ a: { b: [{ c: '{{x}}' }] } }).field).toBe(
      'trigger.body.a.b[0].c',
    );
    expect(
      problemOf({ 'X-Tenant': '{{tenant}}' }, 'trigger.headers').field,
    ).toBe('trigger.headers.X-Tenant');
  });

  it('never looks at keys, numbers, booleans or null', () => {
    expect(() => {
      checkTemplate({ '{{bad}}': 1, n: 2, t: true, z: null }, 'trigger.body');
    }).not.toThrow();
  });
});

describe('findPlaceholders', () => {
  it('lists the placeholders of a string in order', () => {
    expect(
      findPlaceholders('/{{scheduleId}}/x?t={{metadata.tenant}}&a={{attempt}}'),
    ).toEqual(['scheduleId', 'metadata.tenant', 'attempt']);
    expect(findPlaceholders('none')).toEqual([]);
  });
});

describe('hasTemplate', () => {
  it('finds "{{" in strings at any depth, not in keys', () => {
    expect(hasTemplate('a{{b')).toBe(true);
    expect(hasTemplate({ a: [1, { b: '{{attempt}}' }] })).toBe(true);
    expect(hasTemplate({ '{{k}}': 'v' })).toBe(false);
    expect(hasTemplate(42)).toBe(false);
  });
});

describe('renderTemplateString', () => {
  it('replaces every placeholder, stringified', () => {
    expect(
      renderTemplateString(
        '{{scheduleId}} {{executionId}} {{scheduledAt}} {{attempt}} {{name}} {{owner}}',
        vars,
      ),
    ).toBe('sched-1 exec-1 2031-03-01T12:00:00.000Z 2 nightly team-a');
  });

  it('stringifies metadata values: strings as they are, JSON for the rest', () => {
    expect(
      renderTemplateString(
        't={{metadata.tenant}} c={{metadata.count}} f={{metadata.flag}} n={{metadata.nested}}',
        vars,
      ),
    ).toBe('t=acme c=3 f=false n={"a":[1,2]}');
  });

  it('renders a missing metadata field, a null one, no metadata and a null name as ""', () => {
    expect(
      renderTemplateString('[{{metadata.missing}}][{{metadata.empty}}]', vars),
    ).toBe('[][]');
    expect(
      renderTemplateString('[{{metadata.tenant}}][{{name}}][{{owner}}]', {
        ...vars,
        metadata: null,
        name: null,
        owner: null,
      }),
    ).toBe('[][][]');
  });

  it('does not read inherited properties of the metadata', () => {
    expect(renderTemplateString('[{{metadata.constructor}}]', vars)).toBe('[]');
  });

  it('passes values, not literal text, through the encoder', () => {
    expect(
      renderTemplateString('/a b/{{metadata.tenant}}', vars, (value) =>
        value.toUpperCase(),
      ),
    ).toBe('/a b/ACME');
  });

  it('leaves a string that is not a valid template as it is (rows stored before templates)', () => {
    expect(renderTemplateString('{{unknown}} {{attempt}}', vars)).toBe(
      '{{unknown}} {{attempt}}',
    );
    expect(renderTemplateString('{{attempt', vars)).toBe('{{attempt');
  });

  it('renders long strings too (parsed each time, not cached), the same every time', () => {
    const long = `${'x'.repeat(5000)}{{attempt}}`;
    expect(renderTemplateString(long, vars)).toBe(`${'x'.repeat(5000)}2`);
    expect(renderTemplateString(long, { ...vars, attempt: 3 })).toBe(
      `${'x'.repeat(5000)}3`,
    );
  });

  it('does not render values again (a value holding "{{" stays literal)', () => {
    expect(
      renderTemplateString('{{metadata.tenant}}', {
        ...vars,
        metadata: { tenant: '{{attempt}}' },
      }),
    ).toBe('{{attempt}}');
  });
});

describe('renderTemplate (a JSON body)', () => {
  it('keeps the JSON type of a string that is exactly one placeholder', () => {
    expect(
      renderTemplate(
        {
          attempt: '{{attempt}}',
          count: '{{metadata.count}}',
          flag: '{{metadata.flag}}',
          nested: '{{metadata.nested}}',
          missing: '{{metadata.missing}}',
          empty: '{{metadata.empty}}',
          name: '{{name}}',
        },
        { ...vars, name: null },
      ),
    ).toEqual({
      attempt: 2,
      count: 3,
      flag: false,
      nested: { a: [1, 2] },
      missing: null,
      empty: null,
      name: null,
    });
  });

  it('stringifies placeholders inside a larger string', () => {
    expect(
      renderTemplate(['try {{attempt}}', 'n={{metadata.count}}'], vars),
    ).toEqual(['try 2', 'n=3']);
  });

  it('renders at any depth, leaves keys and non-strings alone, never mutates the input', () => {
    const body = {
      '{{attempt}}': 'k',
      list: [{ id: '{{executionId}}' }, 7, true, null],
    };
    const copy = structuredClone(body);
    expect(renderTemplate(body, vars)).toEqual({
      '{{attempt}}': 'k',
      list: [{ id: 'exec-1' }, 7, true, null],
    });
    expect(body).toEqual(copy);
  });

  it('keeps a "__proto__" key a plain key', () => {
    const body = JSON.parse(
      '{"__proto__":{"polluted":"{{attempt}}"}}',
    ) as object;
    const rendered = renderTemplate(body, vars) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(JSON.stringify(rendered)).toBe('{"__proto__":{"polluted":2}}');
  });

  it('returns a body without "{{" unchanged', () => {
    const body = { a: 'b' };
    expect(renderTemplate(body, vars)).toEqual(body);
  });
});

describe('templateVarsOf', () => {
  it('takes the variables from a fire request', () => {
    expect(
      templateVarsOf({
        executionId: 'e',
        scheduleId: 's',
        scheduleName: null,
        scheduleOwner: 'o',
        scheduledAt: new Date('2031-03-01T12:00:00Z'),
        attempt: 1,
        trigger: { type: 'webhook' },
      }),
    ).toEqual({
      executionId: 'e',
      scheduleId: 's',
      name: null,
      owner: 'o',
      scheduledAt: '2031-03-01T12:00:00.000Z',
      attempt: 1,
      metadata: null,
    });
  });
});
