import type { SecurityCostReport } from '../security-cost/security-cost-report';
import {
  expectKeptPromises,
  runHarness,
  SMOKE_TIMEOUT_MS,
  writtenJson,
} from './run-harness';

describe('npm run bench -- --security-cost, smoke sized', () => {
  it(
    'creates through every authentication variant, fires a burst unsigned and one signed',
    async () => {
      const { code, output } = await runHarness([
        'bench',
        '--security-cost',
        '--smoke',
      ]);
      const report = writtenJson(output) as SecurityCostReport & {
        problems: string[];
      };
      expect(report.problems).toEqual([]);
      expect([...new Set(report.creation.map((s) => s.variant))]).toEqual([
        'auth off',
        'admin key',
        'owner key',
      ]);
      for (const sample of report.creation) {
        expect(sample.failures).toBe(0);
        expect(sample.perSecond).toBeGreaterThan(0);
      }
      // The owner-bound key's schedules belong to its owner: the lookup really ran.
      expect(
        report.creation
          .filter((s) => s.variant === 'owner key')
          .flatMap((s) => s.owners),
      ).toEqual(['bench-owner', 'bench-owner']);
      // Both the fire path alone and the bursts carried one signature per secret when signed.
      const firePath = Object.fromEntries(
        report.firePath.map((s) => [s.variant, s]),
      );
      expect(firePath['unsigned']).toMatchObject({ signed: 0, failed: 0 });
      expect(firePath['signed, 2 secrets'].signatures).toBe(
        2 * firePath['signed, 2 secrets'].requests,
      );
      const signing = Object.fromEntries(
        report.signing.map((s) => [s.variant, s]),
      );
      expect(signing['unsigned']).toMatchObject({ signed: 0, signatures: 0 });
      const signed = signing['signed, 2 secrets'];
      expect(signed.requests).toBeGreaterThan(0);
      expect(signed).toMatchObject({
        signed: signed.requests,
        signatures: 2 * signed.requests,
      });
      for (const sample of report.signing)
        expectKeptPromises(sample.run.evaluation);
      expect(output).toMatch(/median fires\/s \(× unsigned\)/);
      expect({ code, output }).toMatchObject({ code: 0 });
    },
    SMOKE_TIMEOUT_MS,
  );
});
