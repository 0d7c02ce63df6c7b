/**
 * What the deployment files may rely on, read from the apps' sources rather than written
 * down a second time: which apps exist and how they build, which environment variables
 * each app's config reads (and their defaults), which health paths it serves.
 *
 * Config files are found by convention (style guide: "one typed config per app"): a
 * non-test `.ts` file under a `config/` folder or named `*.config.ts`. Every upper-case
 * string literal there, such as `'LEASE_DURATION_MS'`, counts as a variable the app reads.
 * A shared reader in libs/runtime that a config calls (an exported function whose first
 * parameter is an EnvReader, such as `readSecretBox`) counts as part of that config.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Every file below `dir` (relative to ROOT), as ROOT-relative paths with `/`. */
export function walk(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((entry) => {
    const path = join(abs, entry);
    if (entry === 'node_modules') return [];
    return statSync(path).isDirectory()
      ? walk(relative(ROOT, path))
      : [relative(ROOT, path).split(sep).join('/')];
  });
}

const isSource = (path: string) =>
  path.endsWith('.ts') &&
  !/\.(int-|e2e-)?spec\.ts$/.test(path) &&
  !path.includes('/testing/');
const isConfigFile = (path: string) =>
  isSource(path) && (/\/config\//.test(path) || /\.config\.ts$/.test(path));
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export interface AppFacts {
  name: string;
  /** apps/<name>/webpack.config.js uses NxAppWebpackPlugin, so `nx build` emits dist/apps/<name>/main.js. */
  webpackBuild: boolean;
  /** The build also writes dist/apps/<name>/package.json and a pruned package-lock.json. */
  generatesPackageJson: boolean;
  /** Variable name → its default when the config states one we can evaluate. */
  env: Map<string, string | number | undefined>;
  /** GET paths under /health this app serves. */
  healthPaths: Set<string>;
  /** All non-test source of the app, for grepping (metric names, …). */
  source: string;
}

export function listApps(): string[] {
  return readdirSync(join(ROOT, 'apps')).filter((dir) =>
    existsSync(join(ROOT, 'apps', dir, 'project.json')),
  );
}

let constants: Map<string, string> | undefined;
/** `export const NAME = <expression>;` across apps and libs, for resolving defaults. */
function exportedConstants(): Map<string, string> {
  if (constants) return constants;
  constants = new Map();
  for (const file of [...walk('apps'), ...walk('libs')].filter(isSource)) {
    for (const m of read(file).matchAll(
      /export const ([A-Z][A-Z0-9_]*)(?:\s*:\s*[^=]+)?\s*=\s*([^;]+);/g,
    )) {
      constants.set(m[1], m[2].trim());
    }
  }
  return constants;
}

/** Evaluates a default written as a literal, a constant, or simple arithmetic over them. */
export function evaluateDefault(
  expression: string,
  depth = 0,
): string | number | undefined {
  const expr = expression.trim();
  const quoted = /^(['"`])([^'"`]*)\1$/.exec(expr);
  if (quoted) return quoted[2];
  const substituted = expr.replace(/\b[A-Z][A-Z0-9_]*\b/g, (name) => {
    const value = depth < 4 ? exportedConstants().get(name) : undefined;
    if (value === undefined) return name;
    const resolved = evaluateDefault(value, depth + 1);
    return typeof resolved === 'string'
      ? JSON.stringify(resolved)
      : String(resolved);
  });
  if (/^"[^"]*"$/.test(substituted)) return JSON.parse(substituted) as string;
  return evaluateArithmetic(substituted.replace(/(\d)_(?=\d)/g, '$1'));
}

/** Sums and products of number literals, with parentheses (`7 * 24 * 3600000`); else undefined. */
function evaluateArithmetic(text: string): number | undefined {
  if (!/^[\d\s*+().]+$/.test(text)) return undefined;
  const tokens = text.match(/\d+(?:\.\d+)?|[()*+]/g) ?? [];
  let at = 0;
  const factor = (): number => {
    const token = tokens.at(at++);
    if (token !== '(') return Number(token);
    const value = sum();
    return tokens.at(at++) === ')' ? value : NaN;
  };
  const product = (): number => {
    let value = factor();
    while (tokens.at(at) === '*') {
      at++;
      value *= factor();
    }
    return value;
  };
  function sum(): number {
    let value = product();
    while (tokens.at(at) === '+') {
      at++;
      value += product();
    }
    return value;
  }
  const value = sum();
  return at === tokens.length && Number.isFinite(value) ? value : undefined;
}

/** The default given for `name` in a config source, in the forms our config code uses. */
function defaultIn(source: string, name: string): string | number | undefined {
  const forms = [
    new RegExp(`'${name}'\\s*,\\s*\\{[^}]*\\bdefault:\\s*([^,}]+)`), // env.int('X', { default: D })
    new RegExp(`'${name}'\\s*,\\s*([A-Z][A-Z0-9_]*|[\\d_.]+|'[^']*')\\s*\\)`), // positiveInt(env, 'X', D)
    new RegExp(
      `\\['${name}'\\]\\s*(?:\\|\\||\\?\\?)\\s*([A-Z][A-Z0-9_]*|[\\d_.]+|'[^']*')`,
    ), // env['X'] || D
  ];
  for (const form of forms) {
    const match = form.exec(source);
    if (match) return evaluateDefault(match[1]);
  }
  return undefined;
}

function healthPathsIn(source: string): string[] {
  const paths: string[] = [];
  for (const controller of source
    .split(/(?=@Controller\()/)
    .filter((c) => /^@Controller\(\s*'health'\s*\)/.test(c))) {
    for (const m of controller.matchAll(/@Get\(\s*(?:'([^']*)')?\s*\)/g))
      paths.push(m[1] ? `/health/${m[1]}` : '/health');
  }
  return paths;
}

/** The libs/runtime files whose shared readers (`export function readX(reader: EnvReader, …)`) `configSource` calls. */
function sharedReadersCalledBy(configSource: string): string {
  return walk('libs/runtime/src')
    .filter(isSource)
    .map(read)
    .filter((text) =>
      [...text.matchAll(/export function (\w+)\(\s*\w+: EnvReader\b/g)].some(
        (m) => new RegExp(`\\b${m[1]}\\(`).test(configSource),
      ),
    )
    .join('\n');
}

const cache = new Map<string, AppFacts>();
export function appFacts(name: string): AppFacts {
  const cached = cache.get(name);
  if (cached) return cached;
  const files = walk(`apps/${name}/src`).filter(isSource);
  const source = files.map(read).join('\n');
  const ownConfig = files.filter(isConfigFile).map(read).join('\n');
  const configSource = `${ownConfig}\n${sharedReadersCalledBy(ownConfig)}`;
  const env = new Map<string, string | number | undefined>();
  // Injection tokens such as Symbol('WEBHOOK_CONFIG') are not variables.
  for (const m of configSource.matchAll(
    /(?<!Symbol\(\s*)'([A-Z][A-Z0-9_]*)'/g,
  )) {
    if (ENV_NAME.test(m[1])) env.set(m[1], defaultIn(configSource, m[1]));
  }
  // An app that mounts the shared HealthModule serves libs/runtime's health controller.
  const runtimeHealth = /\bHealthModule\b/.test(source)
    ? walk('libs/runtime/src').filter(isSource).map(read).join('\n')
    : '';
  const webpack = existsSync(join(ROOT, 'apps', name, 'webpack.config.js'))
    ? read(`apps/${name}/webpack.config.js`)
    : '';
  // The apps' configs call the shared tools/node-app.webpack.js, which builds the plugin
  // and writes package.json unless told `generatePackageJson: false`.
  const shared = /node-app\.webpack/.test(webpack)
    ? read('tools/node-app.webpack.js')
    : '';
  const facts: AppFacts = {
    name,
    webpackBuild: /NxAppWebpackPlugin/.test(webpack + shared),
    generatesPackageJson: shared
      ? !/generatePackageJson:\s*false/.test(webpack)
      : /generatePackageJson:\s*true/.test(webpack),
    env,
    healthPaths: new Set([
      ...healthPathsIn(source),
      ...healthPathsIn(runtimeHealth),
    ]),
    source,
  };
  cache.set(name, facts);
  return facts;
}

/** Compares a value written in a deployment file with the app's default (numbers, durations, words). */
export function sameValue(
  written: string,
  appDefault: string | number,
): boolean {
  if (typeof appDefault === 'string')
    return written.toLowerCase() === appDefault.toLowerCase();
  const duration = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(written.trim());
  if (!duration) return false;
  const unitMs: Record<string, number> = {
    ms: 1,
    s: 1_000,
    m: 60_000,
    h: 3_600_000,
  };
  return Number(duration[1]) * unitMs[duration.at(2) ?? 'ms'] === appDefault;
}
