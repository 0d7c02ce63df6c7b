import { generateSigningSecret, parseSigningSecret } from '@scheduleman/domain';
import type { OwnerSigningSecrets } from './signing-secret-source';
import { SigningSecretsCache } from './signing-secrets-cache';

const TTL_MS = 5_000;

/** A read the test finishes by hand, to place the snapshot and the answer in time. */
interface PendingRead {
  owner: string;
  resolve(value: OwnerSigningSecrets): void;
  reject(error: Error): void;
}

function secrets(n: number): OwnerSigningSecrets {
  return {
    secrets: Array.from({ length: n }, () =>
      parseSigningSecret(generateSigningSecret()),
    ),
    unusable: 0,
  };
}

describe('SigningSecretsCache', () => {
  let nowMs: number;
  let reads: PendingRead[];
  let cache: SigningSecretsCache;

  beforeEach(() => {
    nowMs = 1_000;
    reads = [];
    cache = new SigningSecretsCache(
      (owner) =>
        new Promise((resolve, reject) =>
          reads.push({ owner, resolve, reject }),
        ),
      { ttlMs: TTL_MS, nowMs: () => nowMs, maxOwners: 3 },
    );
  });

  /** Lets the cache's awaits run. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('reads an owner once per cache time, and shares one read between concurrent fires', async () => {
    const first = cache.activeFor('team-a');
    const second = cache.activeFor('team-a');
    expect(reads.map((r) => r.owner)).toEqual(['team-a']);
    const value = secrets(2);
    reads[0].resolve(value);

    expect(await first).toBe(value);
    expect(await second).toBe(value);
    nowMs += TTL_MS - 1;
    expect(await cache.activeFor('team-a')).toBe(value);
    expect(reads).toHaveLength(1);
  });

  it('reads again once the cache time has passed since the read began', async () => {
    const pending = cache.activeFor('team-a');
    reads[0].resolve(secrets(2));
    await pending;

    nowMs += TTL_MS;
    const again = cache.activeFor('team-a');
    expect(reads).toHaveLength(2);
    const fresh = secrets(1);
    reads[1].resolve(fresh);
    expect(await again).toBe(fresh);
  });

  it('keeps owners apart', async () => {
    const a = cache.activeFor('team-a');
    const b = cache.activeFor('team-b');
    const [forA, forB] = [secrets(1), secrets(0)];
    reads[0].resolve(forA);
    reads[1].resolve(forB);

    expect(await a).toBe(forA);
    expect(await b).toBe(forB);
    expect(reads.map((r) => r.owner)).toEqual(['team-a', 'team-b']);
  });

  it('never hands out a read older than the cache time, even one that was slow to answer', async () => {
    // The read begins (its snapshot: the secret still active) and hangs; a fire joins it
    // just before its time is up; it answers after.
    const early = cache.activeFor('team-a');
    nowMs += TTL_MS - 1;
    const late = cache.activeFor('team-a');
    nowMs += 2;
    const stale = secrets(2);
    reads[0].resolve(stale);
    await settle();

    // Both fires read again rather than sign with the stale answer.
    expect(reads).toHaveLength(2);
    const fresh = secrets(1);
    reads[1].resolve(fresh);
    expect(await early).toBe(fresh);
    expect(await late).toBe(fresh);
  });

  it('fails rather than use a stale answer when reading is slower than the cache time twice', async () => {
    const fire = cache.activeFor('team-a');
    nowMs += TTL_MS;
    reads[0].resolve(secrets(1));
    await settle();
    nowMs += TTL_MS;
    reads[1].resolve(secrets(1));

    await expect(fire).rejects.toThrow(
      'reading the signing secrets took longer than 5000 ms',
    );
  });

  it('does not remember a failed read', async () => {
    const failing = cache.activeFor('team-a');
    reads[0].reject(new Error('database down'));
    await expect(failing).rejects.toThrow('database down');

    const retry = cache.activeFor('team-a');
    expect(reads).toHaveLength(2);
    const value = secrets(1);
    reads[1].resolve(value);
    expect(await retry).toBe(value);
  });

  it('forgets stale owners first when full, and everything if it must', async () => {
    for (const owner of ['a', 'b', 'c']) {
      const pending = cache.activeFor(owner);
      reads.at(-1)?.resolve(secrets(1));
      await pending;
    }
    expect(cache.size).toBe(3);
    nowMs += TTL_MS;
    const pending = cache.activeFor('d');
    reads.at(-1)?.resolve(secrets(1));
    await pending;
    expect(cache.size).toBe(1);

    for (const owner of ['e', 'f']) {
      const next = cache.activeFor(owner);
      reads.at(-1)?.resolve(secrets(1));
      await next;
    }
    expect(cache.size).toBe(3);
    const last = cache.activeFor('g');
    reads.at(-1)?.resolve(secrets(1));
    await last;
    expect(cache.size).toBe(1);
  });
});
