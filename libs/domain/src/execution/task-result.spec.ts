import { ResultTokens } from './result-token';
import {
  MAX_RESULT_ERROR_LENGTH,
  MAX_RESULT_OUTPUT_BYTES,
  parseTaskResultReport,
} from './task-result';
import { parseResultTimeout } from './result-timeout';

const fields = (body: unknown) =>
  parseTaskResultReport(body).problems.map((p) => p.field);

describe('parseTaskResultReport', () => {
  it('accepts a status with optional output and error', () => {
    expect(
      parseTaskResultReport({ status: 'failed', output: [1], error: 'x' })
        .report,
    ).toEqual({ status: 'failed', output: [1], error: 'x' });
    expect(parseTaskResultReport({ status: 'succeeded' }).report).toEqual({
      status: 'succeeded',
      output: null,
      error: null,
    });
  });

  it('names every bad field', () => {
    expect(fields({ status: 'done', error: 3, extra: 1 })).toEqual([
      'extra',
      'status',
      'error',
    ]);
    expect(fields([])).toEqual(['body']);
  });

  it('caps output at 64 KiB as JSON and error at its length', () => {
    const justFits = 'x'.repeat(MAX_RESULT_OUTPUT_BYTES - 2);
    expect(fields({ status: 'succeeded', output: justFits })).toEqual([]);
    expect(fields({ status: 'succeeded', output: `${justFits}x` })).toEqual([
      'output',
    ]);
    expect(
      fields({
        status: 'failed',
        error: 'e'.repeat(MAX_RESULT_ERROR_LENGTH + 1),
      }),
    ).toEqual(['error']);
  });
});

describe('ResultTokens', () => {
  const key = Buffer.alloc(32, 1);
  const other = Buffer.alloc(32, 2);
  const id = '0f3c8d2e-1111-5222-8333-444455556666';

  it('verifies its own token, for that execution only', () => {
    const tokens = new ResultTokens([key]);
    const token = tokens.tokenFor(id);
    expect(token).toMatch(/^rt1_[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(id, token)).toBe(true);
    expect(tokens.verify('0f3c8d2e-1111-5222-8333-444455556667', token)).toBe(
      false,
    );
    expect(tokens.verify(id, `${token.slice(0, -1)}A`)).toBe(
      token.endsWith('A') ? true : false,
    );
    expect(tokens.verify(id, '')).toBe(false);
    expect(tokens.verify(id, 'x'.repeat(1000))).toBe(false);
  });

  it('refuses a token made under another key, and keeps a previous key valid during a rotation', () => {
    const old = new ResultTokens([other]).tokenFor(id);
    expect(new ResultTokens([key]).verify(id, old)).toBe(false);
    expect(new ResultTokens([key, other]).verify(id, old)).toBe(true);
  });
});

describe('parseResultTimeout', () => {
  it('takes PT1S..P7D and null', () => {
    expect(parseResultTimeout('PT10M')).toBe(600_000);
    expect(parseResultTimeout(null)).toBeNull();
    expect(() => parseResultTimeout('PT0.5S')).toThrow(/resultTimeout/);
    expect(() => parseResultTimeout('P8D')).toThrow(/resultTimeout/);
    expect(() => parseResultTimeout('P1M')).toThrow(/resultTimeout/);
  });
});
