import { ValidationError } from '../errors';
import {
  decideOverlap,
  OVERLAP_POLICIES,
  parseOverlapPolicy,
} from './overlap-policy';

describe('overlapPolicy', () => {
  it.each([
    // policy, previousHasResult, buffered, decision
    ['allow', true, false, 'fire'],
    ['allow', false, false, 'fire'],
    ['allow', false, true, 'fire'],
    ['skip', true, false, 'fire'],
    ['skip', false, false, 'skip'],
    ['skip', false, true, 'skip'],
    ['buffer_one', true, false, 'fire'],
    ['buffer_one', true, true, 'fire'],
    ['buffer_one', false, false, 'buffer'],
    ['buffer_one', false, true, 'skip'],
  ] as const)(
    '%s with previousHasResult=%p, buffered=%p decides %s',
    (policy, previousHasResult, buffered, decision) => {
      expect(decideOverlap(policy, { previousHasResult, buffered })).toBe(
        decision,
      );
    },
  );

  it('accepts the three policies and refuses anything else naming the field', () => {
    for (const policy of OVERLAP_POLICIES)
      expect(parseOverlapPolicy(policy)).toBe(policy);
    for (const bad of ['queue', null, 1, 'ALLOW'])
      expect(() => parseOverlapPolicy(bad)).toThrow(
        new ValidationError(
          'overlapPolicy',
          'must be one of allow, skip, buffer_one',
        ),
      );
  });
});
