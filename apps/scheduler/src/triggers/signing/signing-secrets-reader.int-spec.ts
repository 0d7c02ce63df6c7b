import {
  fingerprintSigningSecret,
  generateSecretsKey,
  generateSigningSecret,
  parseSecretsKey,
  parseSigningSecret,
  SecretBox,
  type SigningSecret,
  signingSecretSealContext,
  signWebhook,
} from '@scheduleman/domain';
import {
  createTestDatabase,
  TEST_SECRETS_KEY,
  type TestDatabase,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SigningSecretsReader } from './signing-secrets-reader';

// SELECT_ACTIVE_SIGNING_SECRETS on a real migrated database, and the opening of what it
// returns, as the schedulers do it.
describe('SigningSecretsReader', () => {
  const box = new SecretBox(parseSecretsKey(TEST_SECRETS_KEY));
  const otherBox = new SecretBox(parseSecretsKey(generateSecretsKey()));
  let db: TestDatabase;
  let ds: DataSource;
  const logged: unknown[] = [];
  const logger = {
    log: () => undefined,
    warn: (m: unknown) => logged.push(m),
    error: (m: unknown) => logged.push(m),
  };

  beforeAll(async () => {
    db = await createTestDatabase('signing_reader');
    ds = await db.dataSource();
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    logged.length = 0;
    await ds.query('delete from signing_secrets');
  });

  /** Stores a secret as the API does (or as told), returns its text and id. */
  async function store(
    owner: string,
    options: {
      seal?: (id: string, text: string) => string;
      retired?: boolean;
      createdAt?: string;
    } = {},
  ): Promise<{ id: string; text: string }> {
    const id = randomUUID();
    const text = generateSigningSecret();
    const seal =
      options.seal ?? ((i, t) => box.seal(t, signingSecretSealContext(i)));
    await ds.query(
      `insert into signing_secrets (id, owner, secret, fingerprint, created_at, retired_at)
       values ($1, $2, $3, $4, $5, case when $6 then now() end)`,
      [
        id,
        owner,
        seal(id, text),
        fingerprintSigningSecret(text),
        options.createdAt ?? '2030-01-01T00:00:00Z',
        options.retired ?? false,
      ],
    );
    return { id, text };
  }

  /** Whether decoded `secrets` are the keys of `texts`, in order: they sign alike. */
  function sameKeys(
    secrets: readonly SigningSecret[],
    texts: string[],
  ): boolean {
    const sign = (s: readonly SigningSecret[]) =>
      signWebhook({ id: 'x', timestampSeconds: 1, body: '', secrets: s });
    return sign(secrets) === sign(texts.map((t) => parseSigningSecret(t)));
  }

  it("returns the owner's active secrets, oldest first, opened", async () => {
    const older = await store('team-a', { createdAt: '2030-01-01T00:00:00Z' });
    const newer = await store('team-a', { createdAt: '2030-01-02T00:00:00Z' });
    await store('team-a', { retired: true });
    await store('team-b');

    const found = await new SigningSecretsReader(ds, box, logger).read(
      'team-a',
    );

    expect(found.unusable).toBe(0);
    expect(found.secrets).toHaveLength(2);
    expect(sameKeys(found.secrets, [older.text, newer.text])).toBe(true);
    expect(logged).toEqual([]);
  });

  it('returns nothing for an owner without active secrets', async () => {
    await store('team-a', { retired: true });

    expect(await new SigningSecretsReader(ds, box).read('team-a')).toEqual({
      secrets: [],
      unusable: 0,
    });
  });

  it('uses a secret stored unsealed (an API without SECRETS_KEY), with or without a box', async () => {
    const plain = await store('team-a', { seal: (_id, text) => text });

    for (const reader of [
      new SigningSecretsReader(ds, box),
      new SigningSecretsReader(ds, null),
    ]) {
      const found = await reader.read('team-a');
      expect(found.unusable).toBe(0);
      expect(sameKeys(found.secrets, [plain.text])).toBe(true);
    }
  });

  it('counts and logs, without the secret, one sealed with another key, one moved from another row, and one sealed without a box', async () => {
    const good = await store('team-a', { createdAt: '2030-01-01T00:00:00Z' });
    const foreign = await store('team-a', {
      seal: (id, text) => otherBox.seal(text, signingSecretSealContext(id)),
      createdAt: '2030-01-02T00:00:00Z',
    });
    const moved = await store('team-a', {
      seal: (_id, text) => box.seal(text, signingSecretSealContext(good.id)),
      createdAt: '2030-01-03T00:00:00Z',
    });

    const found = await new SigningSecretsReader(ds, box, logger).read(
      'team-a',
    );
    const withoutBox = await new SigningSecretsReader(ds, null).read('team-a');

    expect(found.unusable).toBe(2);
    expect(sameKeys(found.secrets, [good.text])).toBe(true);
    expect(withoutBox).toEqual({ secrets: [], unusable: 3 });
    expect(logged).toEqual([
      expect.objectContaining({
        signingSecretId: foreign.id,
        owner: 'team-a',
        reason: expect.stringContaining('neither SECRETS_KEY nor') as string,
      }),
      expect.objectContaining({
        signingSecretId: moved.id,
        reason: expect.stringContaining('does not open') as string,
      }),
    ]);
    const text = JSON.stringify(logged);
    for (const secret of [good, foreign, moved])
      expect(text).not.toContain(secret.text.slice('whsec_'.length));
  });

  it('fails with a message that names no database internals when the query fails', async () => {
    const broken = {
      query: () =>
        Promise.reject(new Error('relation "signing_secrets" does not exist')),
    };

    await expect(
      new SigningSecretsReader(broken, box, logger).read('team-a'),
    ).rejects.toThrow(
      /^the signing secrets could not be read from the database$/,
    );
    expect(logged).toEqual([
      expect.objectContaining({
        reason: 'relation "signing_secrets" does not exist',
      }),
    ]);
  });
});
