import { ValidationError } from '../errors';
import { parseSchedulePolicies } from './schedule-policies';

const NOW = new Date('2030-01-01T00:00:00.000Z');

function parse(input: Record<string, unknown>) {
  const problems: ValidationError[] = [];
  const policies = parseSchedulePolicies(input, NOW, (fn) => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ValidationError) {
        problems.push(error);
        return undefined;
      }
      throw error;
    }
  });
  return { policies, fields: problems.map((p) => p.field) };
}

describe('parseSchedulePolicies', () => {
  it('returns only the fields that were sent', () => {
    expect(parse({})).toEqual({ policies: {}, fields: [] });
    expect(
      parse({ catchUpWindow: null, overlapPolicy: 'skip', exclusions: [] }),
    ).toEqual({
      policies: { catchUpWindow: null, overlapPolicy: 'skip', exclusions: [] },
      fields: [],
    });
  });

  it('reports every bad field, by path', () => {
    expect(
      parse({
        catchUpWindow: 'PT1S',
        exclusions: [{ date: 'x' }],
        calendarIds: null,
        flexibleWindow: 'PT2H',
        pausedUntil: '2029-01-01T00:00:00Z',
        overlapPolicy: null,
        dstGapPolicy: 'later',
        dstOverlapPolicy: null,
      }).fields,
    ).toEqual([
      'catchUpWindow',
      'exclusions[0].date',
      'calendarIds',
      'flexibleWindow',
      'pausedUntil',
      'overlapPolicy',
      'dstGapPolicy',
      'dstOverlapPolicy',
    ]);
  });
});
