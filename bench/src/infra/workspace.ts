import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root: the first folder above this file (bundled or not) holding nx.json. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        `no nx.json above ${__dirname}: run the harness from the scheduleman checkout`,
      );
    dir = parent;
  }
  return dir;
}

export type AppName = 'schedule-api' | 'scheduler' | 'task-pretender';

/** `node dist/apps/<app>/main.js` is how every app runs (architecture.md, "Processes"). */
export function appMain(app: AppName): string {
  const main = join(workspaceRoot(), 'dist', 'apps', app, 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: build the apps first (npm run build)`);
  return main;
}

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
