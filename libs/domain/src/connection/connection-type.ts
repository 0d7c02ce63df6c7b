/**
 * The brokers a connection can reach (architecture.md, "Connections and broker
 * triggers"). The same list is the `connections_type_check` of migration 1733600000000.
 */
export const CONNECTION_TYPES = [
  'amqp',
  'nats',
  'redis',
  'mqtt',
  'kafka',
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export function isConnectionType(value: unknown): value is ConnectionType {
  return (CONNECTION_TYPES as readonly unknown[]).includes(value);
}

interface SchemeRule {
  /** The URL schemes of the type, lower case, without `:`; the first is the plain one. */
  schemes: readonly string[];
  /** Schemes that mean TLS. */
  tlsSchemes: readonly string[];
  /** The port when the URL names none, plain and TLS. */
  defaultPort: { plain: number; tls: number };
}

/**
 * URL schemes per type. NATS writes a server that requires TLS as `tls://` (its clients
 * and CLI do); Kafka has no URL scheme of its own, so `kafka://` is ours, with TLS as a
 * query parameter (connection-url.ts).
 */
export const CONNECTION_SCHEMES: Readonly<Record<ConnectionType, SchemeRule>> =
  {
    amqp: {
      schemes: ['amqp', 'amqps'],
      tlsSchemes: ['amqps'],
      defaultPort: { plain: 5672, tls: 5671 },
    },
    nats: {
      schemes: ['nats', 'tls'],
      tlsSchemes: ['tls'],
      defaultPort: { plain: 4222, tls: 4222 },
    },
    redis: {
      schemes: ['redis', 'rediss'],
      tlsSchemes: ['rediss'],
      defaultPort: { plain: 6379, tls: 6379 },
    },
    mqtt: {
      schemes: ['mqtt', 'mqtts'],
      tlsSchemes: ['mqtts'],
      defaultPort: { plain: 1883, tls: 8883 },
    },
    kafka: {
      schemes: ['kafka'],
      tlsSchemes: [],
      defaultPort: { plain: 9092, tls: 9092 },
    },
  };

/**
 * The connection type a trigger type publishes through, or undefined for a trigger
 * that takes no connection (the webhook). Same names except Redis: a `redis-stream`
 * trigger uses a `redis` connection.
 */
const CONNECTION_TYPE_OF_TRIGGER: Readonly<Record<string, ConnectionType>> = {
  amqp: 'amqp',
  nats: 'nats',
  'redis-stream': 'redis',
  mqtt: 'mqtt',
  kafka: 'kafka',
};

export function connectionTypeForTrigger(
  triggerType: string,
): ConnectionType | undefined {
  return Object.hasOwn(CONNECTION_TYPE_OF_TRIGGER, triggerType)
    ? CONNECTION_TYPE_OF_TRIGGER[triggerType]
    : undefined;
}
