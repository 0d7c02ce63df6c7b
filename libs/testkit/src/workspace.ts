import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The monorepo root: the first folder above this file holding nx.json. Works from the
 * TypeScript sources under Jest and from a webpack bundle in dist/ alike.
 */
export function workspaceRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(
        `no nx.json above ${__dirname}: run this from the scheduleman checkout`,
      );
    dir = parent;
  }
  root = dir;
  return dir;
}
