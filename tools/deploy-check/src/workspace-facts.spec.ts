import { evaluateDefault, sameValue } from './workspace-facts';

describe('evaluateDefault', () => {
  it.each([
    ["'info'", 'info'],
    ['3000', 3000],
    ['7 * 24 * 3_600_000', 604_800_000],
    ['(1 + 2) * 3', 9],
    ['1.5 * 2', 3],
    ['DEFAULT_EXECUTION_RETENTION_MS', 604_800_000],
  ])('evaluates %s to %p', (expression, value) => {
    expect(evaluateDefault(expression)).toBe(value);
  });

  it.each(['Math.max(1, 2)', '(1 + 2', '2 * * 3', 'os.hostname()'])(
    'leaves %s unevaluated',
    (expression) => {
      expect(evaluateDefault(expression)).toBeUndefined();
    },
  );
});

describe('sameValue', () => {
  it('compares durations with units against milliseconds and words without case', () => {
    expect(sameValue('1.5s', 1500)).toBe(true);
    expect(sameValue('2m', 120_000)).toBe(true);
    expect(sameValue('500', 500)).toBe(true);
    expect(sameValue('501', 500)).toBe(false);
    expect(sameValue('INFO', 'info')).toBe(true);
  });
});
