import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '../workspace';

export type AppName = 'schedule-api' | 'scheduler' | 'task-pretender';

/** `node dist/apps/<app>/main.js` is how every app runs (architecture.md, "Processes"). */
export function distMain(app: AppName): string {
  const main = join(workspaceRoot(), 'dist', 'apps', app, 'main.js');
  if (!existsSync(main))
    throw new Error(
      `${main} is missing: build the apps first (npm test does; or npx nx build ${app})`,
    );
  return main;
}
