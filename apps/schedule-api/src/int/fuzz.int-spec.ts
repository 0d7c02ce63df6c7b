import type { Clock, ErrorResponse } from '@scheduleman/domain';
import fc from 'fast-check';
import {
  type ApiHarness,
  type ApiResponse,
  cronBody,
  ERROR_RESPONSE_KEYS,
  startApi,
} from './api-harness';

/*
 * Property-based fuzz of POST /schedules and PATCH /schedules/:id. Bodies are generated
 * from the app's own OpenAPI document (/docs-json): an arbitrary per schema (enums,
 * examples, lengths, bounds, oneOf, nullable), then mutated (wrong types, missing and
 * extra fields, poison keys, huge and odd strings, control characters, odd numbers,
 * broken JSON text). Every answer must be < 500, every 4xx must have the contract's
 * error shape naming a field, and a 4xx must change nothing in the database.
 * Reproduce a failure with FUZZ_SEED=<the printed seed>.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_201);
/** Bodies sent at once: the API serves them concurrently, as it would in production. */
const BATCH = 4;
const POST_RUNS = Number(process.env['FUZZ_POST_RUNS'] ?? 1_500);
const PATCH_RUNS = Number(process.env['FUZZ_PATCH_RUNS'] ?? 1_000);
const PATCH_TARGETS = 10;
/** The OpenAPI examples of `at` (2030-01-01) must be in the accepted window. */
const FUZZ_CLOCK: Clock = { now: () => new Date('2029-12-01T00:00:00Z') };

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  readOnly?: boolean;
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
}

type Json = unknown;

/** Sets an own enumerable property, so a key such as `__proto__` is data, not a prototype. */
function setOwn(target: object, key: string, value: Json): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function objectFrom(entries: [string, Json][]): Record<string, Json> {
  const object: Record<string, Json> = {};
  for (const [key, value] of entries) setOwn(object, key, value);
  return object;
}

/** An arbitrary of values that conform (mostly) to `schema`. */
function arbitraryOf(
  schema: Schema,
  schemas: Record<string, Schema>,
): fc.Arbitrary<Json> {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.split('/').pop() ?? '';
    const target = schemas[name] as Schema | undefined;
    if (target === undefined) throw new Error(`unknown schema ${schema.$ref}`);
    return arbitraryOf(target, schemas);
  }
  const plain = plainArbitraryOf(schema, schemas);
  return schema.nullable === true
    ? fc.oneof(
        { arbitrary: plain, weight: 6 },
        { arbitrary: fc.constant(null), weight: 1 },
      )
    : plain;
}

function plainArbitraryOf(
  schema: Schema,
  schemas: Record<string, Schema>,
): fc.Arbitrary<Json> {
  if (schema.oneOf !== undefined)
    return fc.oneof(...schema.oneOf.map((s) => arbitraryOf(s, schemas)));
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      const any = fc.string({ maxLength: schema.maxLength ?? 40 });
      return typeof schema.example === 'string'
        ? fc.oneof(
            { arbitrary: fc.constant(schema.example), weight: 4 },
            { arbitrary: any, weight: 1 },
          )
        : any;
    }
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -1_000_000,
        max: schema.maximum ?? 1_000_000,
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 });
    case 'object':
      return objectArbitraryOf(schema, schemas);
    default:
      // No type: any JSON value (the webhook `body`).
      return fc.jsonValue({ maxDepth: 3 });
  }
}

const HEADER_NAME = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);

function objectArbitraryOf(
  schema: Schema,
  schemas: Record<string, Schema>,
): fc.Arbitrary<Json> {
  const properties = Object.entries(schema.properties ?? {}).filter(
    ([, property]) => property.readOnly !== true,
  );
  if (properties.length > 0) {
    const model = Object.fromEntries(
      properties.map(([name, property]) => [
        name,
        arbitraryOf(property, schemas),
      ]),
    );
    return fc.record(model, { requiredKeys: schema.required ?? [] });
  }
  const extra = schema.additionalProperties;
  if (typeof extra === 'object')
    return fc
      .array(fc.tuple(HEADER_NAME, arbitraryOf(extra, schemas)), {
        maxLength: 4,
      })
      .map(objectFrom);
  return fc
    .array(
      fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })),
      {
        maxLength: 4,
      },
    )
    .map(objectFrom);
}

/* ---------- mutations ---------- */

const CONTROL_CHARACTER = fc
  .integer({ min: 0, max: 0x1f })
  .map((code) => String.fromCharCode(code));
const ODD_NUMBER = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const ODD_STRING = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: CONTROL_CHARACTER, minLength: 1, maxLength: 5 }),
  fc
    .tuple(
      fc.string({ maxLength: 5 }),
      CONTROL_CHARACTER,
      fc.string({ maxLength: 5 }),
    )
    .map((parts) => parts.join('')),
  fc.constantFrom(
    '',
    ' ',
    '\ud800',
    'a\u0000b',
    '\r\nX-Injected: 1',
    '🐱'.repeat(100),
    '\u202e\u200b\ufeff',
    'http://127.0.0.1:1/',
    'javascript:alert(1)',
    '*/1 * * * * *',
    'P1000D',
    '9999-12-31T23:59:59Z',
  ),
  fc
    .tuple(
      fc.constantFrom('x', 'é', '☃', '🐱'),
      fc.integer({ min: 200, max: 40_000 }),
    )
    .map(([unit, n]) => unit.repeat(n)),
);
const POISON_KEY = fc.constantFrom('__proto__', 'constructor', 'prototype');
const KNOWN_KEY = fc.constantFrom(
  'id',
  'status',
  'type',
  'name',
  'owner',
  'metadata',
  'schedule',
  'trigger',
  'url',
  'headers',
  'body',
  'method',
  'expression',
  'timezone',
  'at',
  'delay',
  'misfirePolicy',
  'maxAttempts',
);
const ODD_KEY = fc.oneof(
  POISON_KEY,
  KNOWN_KEY,
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const WEIRD_VALUE: fc.Arbitrary<Json> = fc.oneof(
  ODD_NUMBER,
  ODD_STRING,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 3 }),
  fc
    .tuple(POISON_KEY, fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]) => objectFrom([[k, v]])),
);

type Mutation =
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: Json };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    value: WEIRD_VALUE,
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: ODD_KEY,
    value: WEIRD_VALUE,
  }),
);

/** How the JSON text itself is spoiled, after the value mutations. */
type TextMutation = 'none' | 'truncate' | 'big-number' | 'leading-zero';
const TEXT_MUTATION = fc.oneof(
  { arbitrary: fc.constant<TextMutation>('none'), weight: 20 },
  {
    arbitrary: fc.constantFrom<TextMutation>(
      'truncate',
      'big-number',
      'leading-zero',
    ),
    weight: 1,
  },
);

interface Slot {
  parent: Record<string, Json> | Json[] | undefined;
  key: string | number;
  value: Json;
}

/** Every value in the tree with the container that holds it (the root has none). */
function slotsOf(root: Json): Slot[] {
  const slots: Slot[] = [{ parent: undefined, key: '', value: root }];
  for (let i = 0; i < slots.length; i++) {
    const { value } = slots[i];
    if (Array.isArray(value))
      value.forEach((child, index) =>
        slots.push({ parent: value, key: index, value: child }),
      );
    else if (value !== null && typeof value === 'object')
      for (const [key, child] of Object.entries(value))
        slots.push({
          parent: value as Record<string, Json>,
          key,
          value: child,
        });
  }
  return slots;
}

/** A deep copy; JSON.parse keeps a `__proto__` key as an own property. */
function copyOf(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/**
 * Applies the mutations to a copy of `body`. Generated values are copied before they go
 * in: fast-check reuses them (fc.constant({}) is one object), and inserting one object
 * twice could make the tree cyclic.
 */
function mutate(body: Json, generated: Mutation[]): Json {
  let root = copyOf(body);
  for (const original of generated) {
    const mutation =
      original.kind === 'delete'
        ? original
        : { ...original, value: copyOf(original.value) };
    const slots = slotsOf(root);
    const slot = slots[mutation.at % slots.length];
    const { parent, key } = slot;
    if (mutation.kind === 'replace') {
      if (parent === undefined) root = mutation.value;
      else if (Array.isArray(parent)) parent[key as number] = mutation.value;
      else setOwn(parent, String(key), mutation.value);
    } else if (mutation.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== undefined)
        Reflect.deleteProperty(parent, String(key));
    } else if (
      slot.value !== null &&
      typeof slot.value === 'object' &&
      !Array.isArray(slot.value)
    ) {
      setOwn(slot.value, mutation.key, mutation.value);
    }
  }
  return root;
}

function textOf(body: Json, mutation: TextMutation): string {
  const text = JSON.stringify(body);
  switch (mutation) {
    case 'none':
      return text;
    case 'truncate':
      return text.slice(0, Math.floor(text.length / 2));
    case 'big-number':
      return text.replace(/:(-?\d+(\.\d+)?)/, ':1e400');
    case 'leading-zero':
      return text.replace(/:(\d+)/, ':00$1');
  }
}

/** A generated request body: a value from the schema, mutated, as JSON text. */
function bodyArbitrary(schema: Schema, schemas: Record<string, Schema>) {
  return fc
    .tuple(
      arbitraryOf(schema, schemas),
      fc.oneof(
        { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
        {
          arbitrary: fc.array(MUTATION, { minLength: 1, maxLength: 3 }),
          weight: 3,
        },
      ),
      TEXT_MUTATION,
    )
    .map(([valid, mutations, text]) => textOf(mutate(valid, mutations), text));
}

/* ---------- assertions ---------- */

/** A poison key as a key of the JSON text (a quote inside a string is escaped). */
const POISON_KEY_IN_TEXT = /"(__proto__|constructor|prototype)"\s*:/;

/** The contract's error shape, naming a field in every entry. */
function expectErrorShape(res: ApiResponse): void {
  const body = res.body as ErrorResponse;
  expect(Object.keys(body).sort()).toEqual(ERROR_RESPONSE_KEYS);
  expect(body.statusCode).toBe(res.status);
  expect([typeof body.error, typeof body.code, typeof body.message]).toEqual([
    'string',
    'string',
    'string',
  ]);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(Object.keys(error).sort()).toEqual(['field', 'message']);
    expect(typeof error.field).toBe('string');
    expect(error.field).not.toBe('');
    expect(typeof error.message).toBe('string');
  }
}

describe('schedule API: fuzzed create and patch bodies', () => {
  let api: ApiHarness;
  let schemas: Record<string, Schema>;
  const targets: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  let poisoned = 0;

  beforeAll(async () => {
    api = await startApi('api_fuzz', { clock: FUZZ_CLOCK });
    const docs = await api.request<OpenApiDocument>('GET', '/docs-json');
    schemas = docs.body.components.schemas;
    for (let i = 0; i < PATCH_TARGETS; i++) {
      const res = await api.request<{ id: string }>(
        'POST',
        '/schedules',
        cronBody({ name: `target ${i}` }),
      );
      expect(res.status).toBe(201);
      targets.push(res.body.id);
    }
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} to reproduce)`);
  });

  afterAll(async () => {
    console.log(
      `fuzz: ${sent} bodies (${poisoned} with a poison key), statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    await api.close();
  });

  /** Sends the batch at once; checks every answer (< 500; 4xx in the error shape). */
  async function send(
    requests: { method: 'POST' | 'PATCH'; path: string; text: string }[],
  ): Promise<ApiResponse[]> {
    const answers = await Promise.all(
      requests.map(({ method, path, text }) =>
        api.raw(method, path, text, { 'content-type': 'application/json' }),
      ),
    );
    sent += answers.length;
    answers.forEach((res, i) => {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (POISON_KEY_IN_TEXT.test(requests[i].text)) {
        poisoned++;
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
      if (res.status >= 400) expectErrorShape(res);
      else expect([200, 201]).toContain(res.status);
    });
    return answers;
  }

  async function scheduleCount(): Promise<number> {
    const [row] = await api.sql.query<
      { schedules: number; executions: number }[]
    >(
      `select (select count(*) from schedules)::int as schedules,
              (select count(*) from executions)::int as executions`,
    );
    // No scheduler runs here: nothing may ever create an execution.
    expect(row.executions).toBe(0);
    return row.schedules;
  }

  /** Every column of the given schedules, as text, by id. */
  async function rowsOf(ids: string[]): Promise<Map<string, string>> {
    const rows = await api.sql.query<{ id: string; row: string }[]>(
      'select id, row_to_json(s)::text as row from schedules s where id = any($1)',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.row]));
  }

  it('generates from typed schemas (the document gives every field a type)', () => {
    for (const dto of ['CreateScheduleDto', 'UpdateScheduleDto']) {
      const properties: Record<string, Schema | undefined> =
        (schemas[dto] as Schema | undefined)?.properties ?? {};
      expect(properties['name']?.type).toBe('string');
      expect(properties['owner']?.type).toBe('string');
      expect(properties['maxAttempts']?.type).toBe('integer');
    }
  });

  it(`answers ${POST_RUNS * BATCH} generated POST /schedules bodies below 500, storing nothing on a 4xx`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(bodyArbitrary({ $ref: 'CreateScheduleDto' }, schemas), {
          minLength: BATCH,
          maxLength: BATCH,
        }),
        async (texts) => {
          const before = await scheduleCount();
          const answers = await send(
            texts.map((text) => ({ method: 'POST', path: '/schedules', text })),
          );
          // Each 201 stored exactly one row, so a 4xx stored none.
          const created = answers.filter((res) => res.status === 201).length;
          expect(await scheduleCount()).toBe(before + created);
        },
      ),
      { seed: SEED, numRuns: POST_RUNS },
    );
  }, 300_000);

  it(`answers ${PATCH_RUNS * BATCH} generated PATCH /schedules/:id bodies below 500, changing nothing on a 4xx`, async () => {
    const target = fc.oneof(
      {
        arbitrary: fc.nat({ max: PATCH_TARGETS - 1 }).map((i) => targets[i]),
        weight: 8,
      },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        // One request per schedule in a batch, so each answer owns its row.
        fc.uniqueArray(
          fc.tuple(
            target,
            bodyArbitrary({ $ref: 'UpdateScheduleDto' }, schemas),
          ),
          { minLength: BATCH, maxLength: BATCH, selector: ([id]) => id },
        ),
        async (batch) => {
          const before = await rowsOf(targets);
          const count = await scheduleCount();
          const answers = await send(
            batch.map(([id, text]) => ({
              method: 'PATCH',
              path: `/schedules/${encodeURIComponent(id)}`,
              text,
            })),
          );
          const after = await rowsOf(targets);
          answers.forEach((res, i) => {
            const id = batch[i][0];
            if (res.status >= 400) expect(after.get(id)).toBe(before.get(id));
          });
          expect(await scheduleCount()).toBe(count);
        },
      ),
      { seed: SEED + 1, numRuns: PATCH_RUNS },
    );
  }, 300_000);

  it('sent at least 10,000 bodies in all', () => {
    expect(sent).toBeGreaterThanOrEqual(10_000);
  });
});
