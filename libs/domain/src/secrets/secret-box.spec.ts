import {
  generateSecretsKey,
  isSealed,
  parseSecretsKey,
  SecretBox,
  SecretsKeyError,
} from './secret-box';

describe('SecretBox', () => {
  const key = parseSecretsKey(generateSecretsKey());
  const other = parseSecretsKey(generateSecretsKey());

  it('seals into text that opens to the plaintext, never containing it', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('Bearer hunter2', 'schedule:1:Authorization');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'schedule:1:Authorization')).toBe('Bearer hunter2');
  });

  it('seals the same text differently each time (a random IV)', () => {
    const box = new SecretBox(key);
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a value opened in another context (swapped between rows)', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('secret', 'schedule:1:X-Token');
    expect(() => box.open(sealed, 'schedule:2:X-Token')).toThrow(
      SecretsKeyError,
    );
  });

  it('refuses a tampered value', () => {
    const box = new SecretBox(key);
    const parts = box.seal('secret', 'c').split('.');
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] ^= 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => box.open(parts.join('.'), 'c')).toThrow(/altered/);
  });

  it('opens values of the previous key during a rotation and says they need resealing', () => {
    const old = new SecretBox(other);
    const sealed = old.seal('secret', 'c');
    const rotating = new SecretBox(key, [other]);
    expect(rotating.open(sealed, 'c')).toBe('secret');
    expect(rotating.needsResealing(sealed)).toBe(true);
    expect(rotating.needsResealing(rotating.seal('secret', 'c'))).toBe(false);
  });

  it('names the unknown key without the secret when neither key opens a value', () => {
    const sealed = new SecretBox(other).seal('secret', 'c');
    expect(() => new SecretBox(key).open(sealed, 'c')).toThrow(
      new RegExp(`sealed with key ${other.id}`),
    );
  });

  it.each(['', 'not base64!', Buffer.alloc(16).toString('base64')])(
    'refuses SECRETS_KEY %j',
    (text) => {
      expect(() => parseSecretsKey(text)).toThrow(SecretsKeyError);
    },
  );

  it('accepts the output of openssl rand -base64 32 and of base64url', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseSecretsKey(bytes.toString('base64')).bytes).toEqual(bytes);
    expect(parseSecretsKey(bytes.toString('base64url')).bytes).toEqual(bytes);
  });
});
