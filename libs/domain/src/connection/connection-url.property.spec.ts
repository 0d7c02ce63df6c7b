import fc from 'fast-check';
import { ValidationError } from '../errors';
import { LOOPBACK_NETWORKS, networkPolicyOf } from '../trigger/network-policy';
import { CONNECTION_SCHEMES, CONNECTION_TYPES } from './connection-type';
import { parseConnectionUrl } from './connection-url';

const POLICY = networkPolicyOf(LOOPBACK_NETWORKS);
const RUNS = 1_000;

/** Printable ASCII and a few others, as a careless user might paste a password. */
const passwordCharacter = fc.constantFrom(
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  '\t',
  'é',
);

describe('connection URLs: properties', () => {
  it('either parse or throw a ValidationError naming url, for any text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CONNECTION_TYPES),
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc
            .tuple(
              fc.constantFrom('amqp', 'nats', 'tls', 'redis', 'mqtt', 'kafka'),
              fc.string({ unit: passwordCharacter, maxLength: 60 }),
            )
            .map(([scheme, rest]) => `${scheme}://${rest}`),
        ),
        (type, text) => {
          try {
            parseConnectionUrl(type, text, POLICY);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toBe('url');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never shows a password, however it is spelled, in an accepted URL’s masked form', () => {
    // Nothing but the password holds an upper-case "PW": if masking missed any of it,
    // or the parser took part of it for the host, path or query, "PW" would show.
    const host = fc.constantFrom('127.0.0.1', 'broker.internal', '[::1]', 'b1');
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...CONNECTION_TYPES),
        fc.boolean(),
        fc.stringMatching(/^[a-z0-9._~-]{0,8}$/),
        fc.string({ unit: passwordCharacter, maxLength: 24 }),
        fc.boolean(),
        fc.array(host, { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
        fc.constantFrom('', '/', '/0', '/v', '?sasl=plain', '?heartbeat=5'),
        (type, tlsScheme, user, rawTail, encode, hosts, port, tail) => {
          const schemes = CONNECTION_SCHEMES[type].schemes;
          const scheme = schemes[tlsScheme ? schemes.length - 1 : 0];
          const password = `PW${rawTail}`;
          const spelled = encode ? encodeURIComponent(password) : password;
          const authority = hosts
            .map((h) => (port === undefined ? h : `${h}:${port}`))
            .join(',');
          const url = `${scheme}://${user}:${spelled}@${authority}${tail}`;
          let masked: string;
          try {
            const parsed = parseConnectionUrl(type, url, POLICY);
            masked = parsed.masked;
            expect(parsed.password).toBe(encode ? password : parsed.password);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).message).not.toContain(password);
            return;
          }
          accepted++;
          expect(masked).not.toContain('PW');
          expect(masked).toContain(':***@');
        },
      ),
      { numRuns: RUNS },
    );
    // The property says something only if many generated URLs are valid.
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
