import { ValidationError } from '../errors';
import {
  amqpBinaryMessage,
  cloudEventOf,
  httpBinaryHeaders,
  isCloudEventsTrigger,
  kafkaBinaryHeaders,
  mqtt5BinaryProperties,
  natsBinaryHeaders,
  parseTriggerFormat,
  percentEncodeHeaderValue,
  redisStreamFields,
  structuredCloudEvent,
} from './cloudevents';

const request = {
  executionId: '0b5f3c5e-6a0e-5d7e-9a59-6a1b2c3d4e5f',
  scheduleId: '7d8e9f00-1111-4222-8333-944455556666',
  scheduleName: 'nightly report',
  scheduledAt: new Date('2031-03-01T12:00:00Z'),
  attempt: 3,
};
const data = '{"hello":"world"}';

describe('parseTriggerFormat', () => {
  it('accepts raw and cloudevents, and nothing when absent', () => {
    expect(parseTriggerFormat('raw', 'trigger.format')).toBe('raw');
    expect(parseTriggerFormat('cloudevents', 'trigger.format')).toBe(
      'cloudevents',
    );
    expect(parseTriggerFormat(undefined, 'trigger.format')).toBeUndefined();
    expect(parseTriggerFormat(null, 'trigger.format')).toBeUndefined();
  });

  it.each(['CloudEvents', 'json', '', 1, true, {}])(
    'refuses %j naming trigger.format',
    (value) => {
      let error: unknown;
      try {
        parseTriggerFormat(value, 'trigger.format');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('trigger.format');
      expect((error as ValidationError).message).toContain('raw, cloudevents');
    },
  );

  it('tells a CloudEvents trigger from a raw or older one', () => {
    expect(isCloudEventsTrigger({ type: 'x', format: 'cloudevents' })).toBe(
      true,
    );
    expect(isCloudEventsTrigger({ type: 'x', format: 'raw' })).toBe(false);
    expect(isCloudEventsTrigger({ type: 'x' })).toBe(false);
  });
});

describe('cloudEventOf', () => {
  it('maps one attempt to the attributes of the contract', () => {
    expect(cloudEventOf(request, data)).toEqual({
      attributes: {
        specversion: '1.0',
        id: request.executionId,
        source: `//scheduleman/schedules/${request.scheduleId}`,
        type: 'io.scheduleman.schedule.fired.v1',
        subject: 'nightly report',
        time: '2031-03-01T12:00:00.000Z',
        datacontenttype: 'application/json',
      },
      extensions: { attempt: 3 },
      data,
    });
  });

  it('has no subject without a name and no datacontenttype without data', () => {
    const event = cloudEventOf({ ...request, scheduleName: null }, undefined);
    expect(event.attributes).not.toHaveProperty('subject');
    expect(event.attributes).not.toHaveProperty('datacontenttype');
  });
});

/**
 * The rules of the CloudEvents HTTP protocol binding 1.0.2, binary content mode (§3.1.3),
 * as a reader would apply them to the headers we produce.
 */
function expectValidHttpBinary(
  headers: Record<string, string>,
  withData: boolean,
): void {
  const names = Object.keys(headers);
  for (const name of names) {
    // §3.1.3.1: "ce-" + the attribute name; attribute names are [a-z0-9]{1,20}.
    if (name.startsWith('ce-'))
      expect(name.slice(3)).toMatch(/^[a-z0-9]{1,20}$/);
    // §3.1.3.2: printable ASCII only; space, '"' and '%' appear only percent-encoded.
    const value = headers[name] ?? '';
    expect(value).toMatch(/^[\x21-\x7e]*$/);
    expect(value.replace(/%[0-9A-F]{2}/g, '')).not.toMatch(/["%]/);
  }
  for (const required of ['specversion', 'id', 'source', 'type'])
    expect(names).toContain(`ce-${required}`);
  expect(headers['ce-specversion']).toBe('1.0');
  // §3.1.1: datacontenttype is the Content-Type header, never a ce- header; data is
  // the body, never a header.
  expect(names).not.toContain('ce-datacontenttype');
  expect(names).not.toContain('ce-data');
  if (withData) expect(headers['content-type']).toBe('application/json');
  else expect(names).not.toContain('content-type');
  // RFC 3339 time.
  expect(headers['ce-time']).toMatch(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
  );
}

describe('HTTP binary mode', () => {
  it('sends the attributes as ce-* headers and datacontenttype as Content-Type', () => {
    const headers = httpBinaryHeaders(cloudEventOf(request, data));
    expect(headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': request.executionId,
      'ce-source': `//scheduleman/schedules/${request.scheduleId}`,
      'ce-type': 'io.scheduleman.schedule.fired.v1',
      'ce-subject': 'nightly%20report',
      'ce-time': '2031-03-01T12:00:00.000Z',
      'ce-attempt': '3',
      'content-type': 'application/json',
    });
    expectValidHttpBinary(headers, true);
  });

  it('percent-encodes a name with spaces, quotes, percent, newlines and non-ASCII', () => {
    const name = 'a "b" 100%\r\nX-Evil: 1 café';
    const headers = httpBinaryHeaders(
      cloudEventOf({ ...request, scheduleName: name }, undefined),
    );
    expectValidHttpBinary(headers, false);
    expect(headers['ce-subject']).toBe(
      'a%20%22b%22%20100%25%0D%0AX-Evil:%201%20caf%C3%A9',
    );
    expect(decodeURIComponent(headers['ce-subject'] ?? '')).toBe(name);
  });
});

describe('percentEncodeHeaderValue', () => {
  it('leaves printable ASCII other than space, " and % alone', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) =>
      String.fromCharCode(0x21 + i),
    )
      .filter((c) => c !== '"' && c !== '%')
      .join('');
    expect(percentEncodeHeaderValue(printable)).toBe(printable);
    expect(percentEncodeHeaderValue(' "%\t\x7f')).toBe('%20%22%25%09%7F');
  });
});

describe('the broker bindings', () => {
  const event = cloudEventOf(request, data);

  it('Kafka: ce_* record headers and content-type, values unencoded', () => {
    expect(kafkaBinaryHeaders(event)).toEqual({
      ce_specversion: '1.0',
      ce_id: request.executionId,
      ce_source: `//scheduleman/schedules/${request.scheduleId}`,
      ce_type: 'io.scheduleman.schedule.fired.v1',
      ce_subject: 'nightly report',
      ce_time: '2031-03-01T12:00:00.000Z',
      ce_attempt: '3',
      'content-type': 'application/json',
    });
  });

  it('AMQP 0-9-1: cloudEvents_* headers and the content_type property', () => {
    const message = amqpBinaryMessage(event);
    expect(message.contentType).toBe('application/json');
    expect(Object.keys(message.headers)).toEqual([
      'cloudEvents_specversion',
      'cloudEvents_id',
      'cloudEvents_source',
      'cloudEvents_type',
      'cloudEvents_time',
      'cloudEvents_subject',
      'cloudEvents_attempt',
    ]);
    expect(message.headers['cloudEvents_id']).toBe(request.executionId);
  });

  it('MQTT 5: user properties named as the attributes and the content type', () => {
    const properties = mqtt5BinaryProperties(event);
    expect(properties.contentType).toBe('application/json');
    expect(properties.userProperties).toMatchObject({
      specversion: '1.0',
      id: request.executionId,
      subject: 'nightly report',
      attempt: '3',
    });
    expect(properties.userProperties).not.toHaveProperty('datacontenttype');
  });

  it('NATS: ce-* headers as in HTTP', () => {
    expect(natsBinaryHeaders(event)).toEqual(httpBinaryHeaders(event));
  });

  it('Redis stream: fields named like the HTTP headers, values unencoded', () => {
    expect(redisStreamFields(event)).toMatchObject({
      'ce-id': request.executionId,
      'ce-subject': 'nightly report',
      'ce-attempt': '3',
      'content-type': 'application/json',
    });
  });
});

describe('structured mode', () => {
  it('is the whole event as JSON with data embedded and without the attempt', () => {
    const body = structuredCloudEvent(cloudEventOf(request, data));
    expect(JSON.parse(body)).toEqual({
      specversion: '1.0',
      id: request.executionId,
      source: `//scheduleman/schedules/${request.scheduleId}`,
      type: 'io.scheduleman.schedule.fired.v1',
      subject: 'nightly report',
      time: '2031-03-01T12:00:00.000Z',
      datacontenttype: 'application/json',
      data: { hello: 'world' },
    });
    expect(
      structuredCloudEvent(cloudEventOf({ ...request, attempt: 9 }, data)),
    ).toBe(body);
  });

  it('has no data member without data', () => {
    expect(
      JSON.parse(structuredCloudEvent(cloudEventOf(request, undefined))),
    ).not.toHaveProperty('data');
  });
});
