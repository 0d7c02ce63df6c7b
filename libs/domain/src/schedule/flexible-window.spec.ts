import { ValidationError } from '../errors';
import {
  flexibleFireAt,
  flexibleOffsetMs,
  parseFlexibleWindow,
} from './flexible-window';

const ID = '5c7e0a2e-1f0b-4c1e-9a57-1b2c3d4e5f60';
const T = new Date('2030-01-01T00:00:00.000Z');

describe('flexibleWindow', () => {
  it('fires at t without a window', () => {
    expect(flexibleOffsetMs(ID, T, null)).toBe(0);
    expect(flexibleFireAt(ID, T, null)).toEqual(T);
  });

  it('gives each occurrence the same offset every time it is computed', () => {
    const offsets = [1, 2, 3].map(() => flexibleOffsetMs(ID, T, 'PT5M'));
    expect(new Set(offsets).size).toBe(1);
    expect(flexibleOffsetMs(ID.toUpperCase(), T, 'PT5M')).toBe(offsets[0]);
  });

  it('keeps every offset in [0, window], in whole seconds, and spreads them', () => {
    const offsets: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const offset = flexibleOffsetMs(
        ID,
        new Date(T.getTime() + i * 60_000),
        'PT5M',
      );
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(300_000);
      expect(offset % 1000).toBe(0);
      offsets.push(offset);
    }
    // 301 possible values; 2000 draws of a fair hash cover most of them.
    expect(new Set(offsets).size).toBeGreaterThan(250);
    const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
    expect(mean).toBeGreaterThan(120_000);
    expect(mean).toBeLessThan(180_000);
  });

  it('differs between schedules at the same time', () => {
    const others = Array.from({ length: 50 }, (_, i) =>
      flexibleOffsetMs(
        `5c7e0a2e-1f0b-4c1e-9a57-1b2c3d4e5f${String(i).padStart(2, '0')}`,
        T,
        'PT1H',
      ),
    );
    expect(new Set(others).size).toBeGreaterThan(40);
  });

  it('adds the offset to the scheduled time', () => {
    const offset = flexibleOffsetMs(ID, T, 'PT1H');
    expect(flexibleFireAt(ID, T, 'PT1H').getTime()).toBe(T.getTime() + offset);
  });

  it('accepts 1 s to 1 h and refuses the rest naming the field', () => {
    expect(parseFlexibleWindow('PT5M')).toBe('PT5M');
    expect(parseFlexibleWindow('PT1H')).toBe('PT1H');
    expect(parseFlexibleWindow(null)).toBeNull();
    for (const bad of ['PT0.5S', 'PT61M', 'soon', 5])
      expect(() => parseFlexibleWindow(bad)).toThrow(ValidationError);
    expect(() => parseFlexibleWindow('PT2H')).toThrow(
      'flexibleWindow: "PT2H" is longer than the maximum of 1 h',
    );
  });
});
