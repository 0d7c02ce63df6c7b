import { ValidationError } from '../errors';
import {
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
} from '../trigger/network-policy';
import type { ConnectionType } from './connection-type';
import {
  type ConnectionUrl,
  MAX_CONNECTION_URL_LENGTH,
  parseConnectionUrl,
} from './connection-url';

const LOOPBACK = networkPolicyOf(LOOPBACK_NETWORKS);

function parse(
  type: ConnectionType,
  url: string,
  policy = LOOPBACK,
): ConnectionUrl {
  return parseConnectionUrl(type, url, policy);
}

/** The message of the ValidationError that parsing `url` throws (fails if none). */
function problem(
  type: ConnectionType,
  url: unknown,
  policy = LOOPBACK,
): string {
  try {
    parseConnectionUrl(type, url, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('url');
    return (error as ValidationError).message;
  }
  throw new Error(`accepted: ${JSON.stringify(url)}`);
}

describe('connection URLs: accepted forms', () => {
  it('reads an AMQP URL with credentials, port and the default virtual host', () => {
    expect(parse('amqp', 'amqp://guest:guest@127.0.0.1:5672/')).toEqual({
      type: 'amqp',
      url: 'amqp://guest:guest@127.0.0.1:5672/',
      masked: 'amqp://guest:***@127.0.0.1:5672/',
      tls: false,
      brokers: [{ host: '127.0.0.1', port: 5672 }],
      username: 'guest',
      password: 'guest',
      vhost: '/',
      params: {},
    });
  });

  it.each<[string, Partial<ConnectionUrl>]>([
    ['amqp://rabbit.example.com', { vhost: '/', tls: false }],
    ['amqp://rabbit.example.com/', { vhost: '/' }],
    ['amqp://rabbit.example.com/%2F', { vhost: '/' }],
    ['amqp://rabbit.example.com/prod', { vhost: 'prod' }],
    ['amqp://rabbit.example.com/a%2Fb', { vhost: 'a/b' }],
    [
      'amqps://rabbit.example.com',
      { tls: true, brokers: [{ host: 'rabbit.example.com', port: 5671 }] },
    ],
    [
      'AMQPS://rabbit.example.com:443',
      {
        url: 'amqps://rabbit.example.com:443',
        tls: true,
        brokers: [{ host: 'rabbit.example.com', port: 443 }],
      },
    ],
    [
      'amqp://rabbit.example.com?heartbeat=30&frameMax=131072',
      { params: { heartbeat: 30, frameMax: 131072 } },
    ],
    ['amqp://u@rabbit.example.com', { username: 'u' }],
    [
      'amqp://us%40er:p%3Ass%2Fw%23rd@rabbit.example.com',
      { username: 'us@er', password: 'p:ss/w#rd' },
    ],
    ['amqp://u:p:q@rabbit.example.com', { password: 'p:q' }],
    [
      'amqp://[::1]:5673/',
      { brokers: [{ host: '::1', port: 5673 }], masked: 'amqp://[::1]:5673/' },
    ],
    ['  amqp://rabbit.example.com  ', { url: 'amqp://rabbit.example.com' }],
  ])('amqp: %s', (url, expected) => {
    expect(parse('amqp', url)).toMatchObject(expected);
  });

  it.each<[ConnectionType, string, Partial<ConnectionUrl>]>([
    [
      'nats',
      'nats://127.0.0.1:4222',
      { tls: false, brokers: [{ host: '127.0.0.1', port: 4222 }] },
    ],
    [
      'nats',
      'nats://nats.example.com',
      { brokers: [{ host: 'nats.example.com', port: 4222 }] },
    ],
    ['nats', 'tls://nats.example.com:4443', { tls: true }],
    [
      'nats',
      'nats://alice:s3cret@nats.example.com',
      {
        username: 'alice',
        password: 's3cret',
        masked: 'nats://alice:***@nats.example.com',
      },
    ],
    [
      'nats',
      'nats://t0ken@nats.example.com/',
      {
        token: 't0ken',
        masked: 'nats://***@nats.example.com/',
      },
    ],
    ['redis', 'redis://127.0.0.1:6379', { database: 0, tls: false }],
    ['redis', 'redis://redis.example.com/3', { database: 3 }],
    [
      'redis',
      'rediss://:pw@redis.example.com:6380/0',
      {
        tls: true,
        username: '',
        password: 'pw',
        masked: 'rediss://:***@redis.example.com:6380/0',
      },
    ],
    [
      'redis',
      'redis://default:pw@redis.example.com',
      { brokers: [{ host: 'redis.example.com', port: 6379 }] },
    ],
    [
      'mqtt',
      'mqtt://127.0.0.1',
      { brokers: [{ host: '127.0.0.1', port: 1883 }] },
    ],
    [
      'mqtt',
      'mqtts://u:p@mqtt.example.com',
      {
        tls: true,
        brokers: [{ host: 'mqtt.example.com', port: 8883 }],
        masked: 'mqtts://u:***@mqtt.example.com',
      },
    ],
    [
      'mqtt',
      'mqtt://mqtt_broker.internal.',
      { brokers: [{ host: 'mqtt_broker.internal.', port: 1883 }] },
    ],
  ])('%s: %s', (type, url, expected) => {
    expect(parse(type, url)).toMatchObject(expected);
  });

  it('reads a Kafka bootstrap list with TLS and SASL', () => {
    const url =
      'kafka://alice:pa%24%24@kafka1.example.com:9093,kafka2.example.com,[2606:4700::1111]:9094?tls=true&sasl=scram-sha-512';
    expect(parse('kafka', url, PUBLIC_ONLY_NETWORK_POLICY)).toEqual({
      type: 'kafka',
      url,
      masked:
        'kafka://alice:***@kafka1.example.com:9093,kafka2.example.com,[2606:4700::1111]:9094?tls=true&sasl=scram-sha-512',
      tls: true,
      brokers: [
        { host: 'kafka1.example.com', port: 9093 },
        { host: 'kafka2.example.com', port: 9092 },
        { host: '2606:4700::1111', port: 9094 },
      ],
      username: 'alice',
      password: 'pa$$',
      sasl: 'scram-sha-512',
      params: {},
    });
  });

  it.each<[string, Partial<ConnectionUrl>]>([
    ['kafka://127.0.0.1:9092', { tls: false }],
    ['kafka://127.0.0.1:9092/', { tls: false }],
    ['kafka://127.0.0.1:9092?tls=false', { tls: false }],
    ['kafka://kafka.example.com?tls=true', { tls: true }],
    ['kafka://u:p@kafka.example.com?sasl=plain', { sasl: 'plain', tls: false }],
  ])('kafka: %s', (url, expected) => {
    expect(parse('kafka', url)).toMatchObject(expected);
  });
  it('leaves out what a URL does not give', () => {
    const token = parse('nats', 'nats://t0ken@nats.example.com');
    expect(token).not.toHaveProperty('username');
    expect(token).not.toHaveProperty('password');
    const user = parse('amqp', 'amqp://u@rabbit.example.com');
    expect(user).not.toHaveProperty('password');
    expect(user).not.toHaveProperty('token');
    const plain = parse('kafka', 'kafka://127.0.0.1:9092');
    expect(plain).not.toHaveProperty('sasl');
    expect(plain).not.toHaveProperty('username');
    expect(plain).not.toHaveProperty('vhost');
  });
});

describe('connection URLs: masking', () => {
  const secret = 'Sup3r-S3cret_pw';
  it.each<[ConnectionType, string]>([
    ['amqp', `amqp://app:${secret}@rabbit.example.com:5672/prod?heartbeat=10`],
    ['amqp', `amqps://app:${secret}@rabbit.example.com`],
    ['nats', `nats://app:${secret}@nats.example.com:4222`],
    ['nats', `nats://${secret}@nats.example.com:4222`],
    ['nats', `tls://${secret}@nats.example.com`],
    ['redis', `redis://:${secret}@redis.example.com/1`],
    ['redis', `rediss://app:${secret}@redis.example.com`],
    ['mqtt', `mqtt://app:${secret}@mqtt.example.com`],
    ['mqtt', `mqtts://app:${secret}@mqtt.example.com:8883`],
    [
      'kafka',
      `kafka://app:${secret}@k1.example.com:9092,k2.example.com:9092?sasl=plain`,
    ],
    [
      'kafka',
      `kafka://app:${encodeURIComponent('p@ss/w?rd#1')}@k1.example.com?sasl=scram-sha-256`,
    ],
  ])('%s: never shows the secret of %s', (type, url) => {
    const parsed = parse(type, url, PUBLIC_ONLY_NETWORK_POLICY);
    expect(parsed.masked).toContain('***');
    expect(parsed.masked).not.toContain(secret);
    expect(parsed.masked).not.toContain('p%40ss');
    expect(parsed.url).toBe(url);
  });

  it('keeps a URL without credentials as it is', () => {
    expect(parse('amqp', 'amqp://127.0.0.1:5672/').masked).toBe(
      'amqp://127.0.0.1:5672/',
    );
    expect(parse('mqtt', 'mqtt://user@127.0.0.1').masked).toBe(
      'mqtt://user@127.0.0.1',
    );
  });

  it('never quotes the URL or its password in an error', () => {
    const secretish = 'hunter2hunter2';
    for (const url of [
      `amqp://u:${secretish}/x@host`,
      `amqp://u:${secretish}@host:99999`,
      `amqp://u:${secretish}@host/a/b`,
      `amqp://u:${secretish}@@host`,
      `amqp://u:${secretish}#@host`,
      `amqp://u:${secretish}%zz@host`,
      `nats://u:${secretish}@host?x=1`,
      `amqp://u:${secretish}@127.0.0.1.5`,
      `amqp://u:${secretish}@[::1`,
    ]) {
      const message = problem('amqp', url.replace(/^\w+/, 'amqp'));
      expect(message).not.toContain(secretish);
    }
  });
});

describe('connection URLs: refused', () => {
  it.each<[ConnectionType, unknown, RegExp]>([
    ['amqp', undefined, /is required/],
    ['amqp', '   ', /is required/],
    ['amqp', 42, /must be a string/],
    ['amqp', 'rabbit.example.com:5672', /must be a URL of the form amqp:\/\//],
    [
      'amqp',
      'redis://127.0.0.1',
      /scheme "redis" does not match type "amqp"; use amqp:\/\/ or amqps:\/\//,
    ],
    ['amqp', 'http://127.0.0.1', /scheme "http" does not match/],
    ['redis', 'amqp://127.0.0.1', /does not match type "redis"/],
    [
      'kafka',
      'kafkas://127.0.0.1',
      /does not match type "kafka"; use kafka:\/\//,
    ],
    ['nats', 'ws://127.0.0.1', /use nats:\/\/ or tls:\/\//],
    ['mqtt', 'mqtt:127.0.0.1', /must be a URL of the form/],
    ['amqp', 'amqp://', /must name a host/],
    ['amqp', 'amqp:///vhost', /must name a host/],
    ['amqp', 'amqp://u:p@', /must name a host/],
    ['amqp', 'amqp://:5672', /is empty; name a host/],
    ['amqp', 'amqp://@host', /empty user-info/],
    ['amqp', 'amqp://host:0', /port must be a number from 1 to 65535/],
    ['amqp', 'amqp://host:65536', /port must be a number/],
    ['amqp', 'amqp://host:', /port must be a number/],
    ['amqp', 'amqp://host:56x', /port must be a number/],
    ['amqp', 'amqp://ho st', /ASCII without spaces/],
    ['amqp', 'amqp://hóst', /ASCII without spaces/],
    ['amqp', 'amqp://host\n.evil', /control character/],
    ['amqp', 'amqp://ho\tst', /control character/],
    ['amqp', 'amqp://ho%73t', /not a host name/],
    ['amqp', 'amqp://host/a/b', /one path segment/],
    ['amqp', 'amqp://host?locale=en_US', /unknown query parameter "locale"/],
    ['amqp', 'amqp://host?heartbeat=-1', /integer from 0 to 65535/],
    ['amqp', 'amqp://host?heartbeat=10&heartbeat=20', /repeated/],
    ['amqp', 'amqp://host?password=x', /would carry a credential/],
    ['amqp', 'amqp://host#frag', /must not contain "#"/],
    ['amqp', 'amqp://u:p@ss@host', /"@" that does not end the user-info/],
    ['amqp', 'amqp://u:p/ss@host', /"@" that does not end the user-info/],
    ['amqp', 'amqp://u:p?ss@host', /"@" that does not end the user-info/],
    ['amqp', 'amqp://u:p%g0@host', /malformed percent-encoding/],
    ['amqp', 'amqp://u:p[1]@host', /characters a URL cannot carry/],
    [
      'amqp',
      'amqp://a.example.com,b.example.com',
      /names 2 hosts; a amqp connection has one/,
    ],
    ['amqp', 'amqp://::1', /IPv6 address in brackets/],
    ['amqp', 'amqp://[::1', /lacks its "\]"/],
    ['amqp', 'amqp://[::1]x', /only ":port" may follow/],
    ['amqp', 'amqp://[fe80::1%25eth0]', /not a valid IPv6 address/],
    ['amqp', 'amqp://[::g]', /not a valid IPv6 address/],
    ['amqp', 'amqp://1.2.3.256', /not a valid one/],
    ['amqp', 'amqp://host..example', /not a host name/],
    ['amqp', `amqp://${'a'.repeat(254)}`, /not a host name/],
    ['nats', 'nats://host/path', /a nats URL has no path/],
    ['nats', 'nats://host?tls=true', /a nats URL takes no query parameters/],
    ['mqtt', 'mqtt://host?clientId=x', /takes no query parameters/],
    ['redis', 'redis://host/db1', /database number/],
    ['redis', 'redis://host/01', /database number/],
    ['redis', 'redis://host?password=x', /would carry a credential/],
    ['kafka', 'kafka://k1:9092,', /broker 2: is empty/],
    ['kafka', 'kafka://k1:9092,k2:x', /broker 2: the port must be a number/],
    ['kafka', 'kafka://k1:9092/topic', /a kafka URL has no path/],
    ['kafka', 'kafka://k1?tls=yes', /"tls" must be true or false/],
    [
      'kafka',
      'kafka://u:p@k1?sasl=gssapi',
      /"sasl" must be one of plain, scram-sha-256, scram-sha-512/,
    ],
    ['kafka', 'kafka://k1?sasl=plain', /needs a user name and a password/],
    ['kafka', 'kafka://u@k1?sasl=plain', /needs a user name and a password/],
    ['kafka', 'kafka://u:p@k1', /credentials need a SASL mechanism/],
    ['kafka', 'kafka://k1?username=u&password=p', /would carry a credential/],
    ['kafka', 'kafka://k1?sasl_password=p', /would carry a credential/],
    [
      'kafka',
      'kafka://k1?clientId=x',
      /unknown query parameter "clientId"; a kafka URL takes tls, sasl/,
    ],
    [
      'kafka',
      `kafka://${Array.from({ length: 33 }, (_, i) => `k${i}`).join(',')}`,
      /at most 32/,
    ],
  ])('%s: %j', (type, url, message) => {
    expect(problem(type, url)).toMatch(message);
  });

  it('caps the length', () => {
    const long = `amqp://host/${'v'.repeat(MAX_CONNECTION_URL_LENGTH)}`;
    expect(problem('amqp', long)).toMatch(/at most 2048 characters/);
    const fits = `amqp://host/${'v'.repeat(MAX_CONNECTION_URL_LENGTH - 12)}`;
    expect(parse('amqp', fits).vhost).toHaveLength(
      MAX_CONNECTION_URL_LENGTH - 12,
    );
  });
});

describe('connection URLs: outbound safety', () => {
  it.each([
    ['amqp', 'amqp://127.0.0.1'],
    ['amqp', 'amqp://127.1'],
    ['amqp', 'amqp://2130706433'],
    ['amqp', 'amqp://0x7f000001'],
    ['amqp', 'amqp://0177.0.0.1:5672'],
    ['amqp', 'amqp://[::1]'],
    ['amqp', 'amqp://[::ffff:127.0.0.1]'],
    ['nats', 'nats://169.254.169.254'],
    ['nats', 'tls://[fd00:ec2::254]'],
    ['redis', 'redis://10.0.0.5:6379'],
    ['redis', 'rediss://192.168.1.10'],
    ['mqtt', 'mqtt://172.16.0.1'],
    ['mqtt', 'mqtt://0.0.0.0'],
    ['mqtt', 'mqtt://100.64.0.1'],
    ['kafka', 'kafka://8.8.8.8:9092,10.1.2.3:9092'],
    ['kafka', 'kafka://[fe80::1]:9092'],
  ] as [ConnectionType, string][])(
    '%s: refuses %s with only public addresses allowed',
    (type, url) => {
      expect(problem(type, url, PUBLIC_ONLY_NETWORK_POLICY)).toMatch(
        /^url: destination not allowed: .* is not a public address .*WEBHOOK_ALLOWED_NETWORKS/,
      );
    },
  );

  it('allows what WEBHOOK_ALLOWED_NETWORKS lists, and host names (checked at connect time)', () => {
    expect(parse('amqp', 'amqp://127.0.0.1').brokers).toHaveLength(1);
    expect(parse('amqp', 'amqp://[::1]:5672').brokers).toEqual([
      { host: '::1', port: 5672 },
    ]);
    const internal = networkPolicyOf('10.20.0.0/16');
    expect(parse('redis', 'redis://10.20.3.4', internal).brokers).toEqual([
      { host: '10.20.3.4', port: 6379 },
    ]);
    expect(problem('redis', 'redis://10.21.3.4', internal)).toMatch(
      /destination not allowed/,
    );
    expect(
      parse(
        'kafka',
        'kafka://8.8.8.8,broker.internal',
        PUBLIC_ONLY_NETWORK_POLICY,
      ).brokers,
    ).toHaveLength(2);
  });
});
