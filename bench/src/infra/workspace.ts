import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@scheduleman/testkit';

/** The bundle of this harness, which also serves as the receiver process. */
export function benchMain(): string {
  return join(workspaceRoot(), 'dist', 'bench', 'main.js');
}

/** bench-results/ is git-ignored; each command writes its tables and logs there. */
export function resultsDir(...parts: string[]): string {
  const dir = join(workspaceRoot(), 'bench-results', ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
