import {
  type CreatedSigningSecretResponse,
  fingerprintSigningSecret,
  MAX_ACTIVE_SIGNING_SECRETS,
  parseSecretsKey,
  parseSigningSecret,
  SecretBox,
  signingSecretSealContext,
} from '@scheduleman/domain';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import { type ApiHarness, expectProblem, startApi } from './api-harness';

interface StoredRow {
  id: string;
  owner: string;
  secret: string;
  fingerprint: string;
}

// What /signing-secrets writes: the secret sealed at rest (or, without SECRETS_KEY, as
// generated), and at most MAX_ACTIVE_SIGNING_SECRETS active per owner, even under
// concurrent creations.
describe('signing secrets API: storage', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_signing_store');
  });
  afterAll(() => api.close());
  beforeEach(async () => {
    await api.sql.query('delete from signing_secrets');
  });

  const create = (owner: string) =>
    api.request<CreatedSigningSecretResponse>('POST', '/signing-secrets', {
      owner,
    });

  async function rowOf(id: string): Promise<StoredRow> {
    const [row] = await api.sql.query<StoredRow[]>(
      'select id, owner, secret, fingerprint from signing_secrets where id = $1',
      [id],
    );
    return row;
  }

  it('stores the secret sealed with SECRETS_KEY under its own id, never in plain text', async () => {
    const { body: created } = await create('team-a');
    const row = await rowOf(created.id);
    const box = new SecretBox(parseSecretsKey(TEST_SECRETS_KEY));

    expect(row.secret).toMatch(/^sm1\./);
    expect(row.secret).not.toContain(created.secret.slice('whsec_'.length));
    expect(box.open(row.secret, signingSecretSealContext(created.id))).toBe(
      created.secret,
    );
    // Bound to its row: it does not open as another secret's.
    expect(() =>
      box.open(row.secret, signingSecretSealContext(crypto.randomUUID())),
    ).toThrow('does not open');
    expect(row.fingerprint).toBe(fingerprintSigningSecret(created.secret));
    expect(created.fingerprint).toBe(row.fingerprint);
    expect(parseSigningSecret(created.secret).key.symmetricKeySize).toBe(32);
  });

  it(`allows ${String(MAX_ACTIVE_SIGNING_SECRETS)} active secrets per owner, then 409 naming owner until one is retired`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_ACTIVE_SIGNING_SECRETS; i++) {
      const res = await create('team-a');
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    const refused = await create('team-a');
    expect(expectProblem(refused, 409, 'owner')).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(
        'already has 10 active signing secrets',
      ) as string,
    });
    expect((await create('team-b')).status).toBe(201);

    expect(
      (await api.request('DELETE', `/signing-secrets/${ids[0]}`)).status,
    ).toBe(204);
    expect((await create('team-a')).status).toBe(201);
    expect((await create('team-a')).status).toBe(409);
  });

  it('holds the cap when many creations of one owner race', async () => {
    const answers = await Promise.all(
      Array.from({ length: MAX_ACTIVE_SIGNING_SECRETS + 6 }, () =>
        create('team-race'),
      ),
    );

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(
      MAX_ACTIVE_SIGNING_SECRETS,
    );
    expect(statuses.filter((s) => s === 409)).toHaveLength(6);
    const [{ n }] = await api.sql.query<{ n: number }[]>(
      `select count(*)::int as n from signing_secrets where owner = 'team-race' and retired_at is null`,
    );
    expect(n).toBe(MAX_ACTIVE_SIGNING_SECRETS);
  });
});

describe('signing secrets API without SECRETS_KEY (AUTH_DISABLED)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_signing_nobox', {
      authDisabled: true,
      secretsKey: null,
    });
  });
  afterAll(() => api.close());

  it('stores the secret as generated, and still refuses a create without an owner', async () => {
    const created = await api.request<CreatedSigningSecretResponse>(
      'POST',
      '/signing-secrets',
      { owner: 'dev' },
      { authorization: '' },
    );
    expect(created.status).toBe(201);
    const [row] = await api.sql.query<StoredRow[]>(
      'select secret from signing_secrets where id = $1',
      [created.body.id],
    );
    expect(row.secret).toBe(created.body.secret);

    expectProblem(
      await api.request('POST', '/signing-secrets', {}, { authorization: '' }),
      400,
      'owner',
    );
  });
});
