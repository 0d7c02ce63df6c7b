#!/usr/bin/env node
/**
 * Summarises a V8 .cpuprofile (`npm run bench -- … --cpu-prof` writes one per process next
 * to the run's logs): busy time per bucket of wall time, then self and inclusive time by
 * package (node_modules/<name>, node:<module>, "ours" for dist/apps, GC, idle) and by
 * function, optionally within a window of the profile's own time.
 *
 *   node tools/cpuprofile-summary.mjs <file.cpuprofile> [--from=10] [--to=70] [--top=40] [--bucket=5]
 *
 * Seconds are from the start of the profile. Self time is where the sample was taken;
 * inclusive time counts a sample once for every distinct function (or package) on its
 * stack. Kernel time spent inside a syscall shows as the syscall's function (`writev`).
 */
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error(
    'usage: cpuprofile-summary.mjs <file.cpuprofile> [--from=s] [--to=s] [--top=n] [--bucket=s]',
  );
  process.exit(2);
}
const flags = Object.fromEntries(
  rest.map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, Number(value)];
  }),
);
const fromUs = (flags.from ?? 0) * 1e6;
const toUs = (flags.to ?? Number.POSITIVE_INFINITY) * 1e6;
const top = flags.top ?? 30;
const bucketUs = (flags.bucket ?? 5) * 1e6;

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes)
  for (const child of n.children ?? []) parent.set(child, n.id);

function packageOf(frame) {
  const url = frame.url ?? '';
  if (!url)
    return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/dist/apps/')) return 'ours';
  return url.split('/').slice(-2).join('/');
}

function functionOf(frame) {
  const where = (frame.url ?? '').split('/').at(-1);
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
const selfByPackage = new Map();
const inclusiveByPackage = new Map();
const selfByFunction = new Map();
const inclusiveByFunction = new Map();
const busyByBucket = new Map();
let total = 0;
let idle = 0;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const us = profile.timeDeltas[i] ?? 0;
  at += us;
  if (at < fromUs || at > toUs) continue;
  const leaf = nodes.get(profile.samples[i]);
  total += us;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  add(busyByBucket, Math.floor(at / bucketUs), us);
  add(selfByPackage, packageOf(leaf.callFrame), us);
  add(selfByFunction, functionOf(leaf.callFrame), us);
  const seenPackages = new Set();
  const seenFunctions = new Set();
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = nodes.get(id).callFrame;
    seenPackages.add(packageOf(frame));
    seenFunctions.add(functionOf(frame));
  }
  for (const key of seenPackages) add(inclusiveByPackage, key, us);
  for (const key of seenFunctions) add(inclusiveByFunction, key, us);
}

const ms = (us) => (us / 1000).toFixed(0).padStart(8);
const busy = total - idle;
const share = (us) =>
  `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)} %`;
function print(title, map, n) {
  console.log(`\n${title} (ms, share of busy)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${ms(us)} ${share(us)}  ${key}`);
}

console.log(
  `${file}\nwindow ${ms(total).trim()} ms: busy ${ms(busy).trim()} ms, idle ${ms(idle).trim()} ms`,
);
console.log(`\nbusy per ${String(bucketUs / 1e6)} s of profile time`);
for (const [bucket, us] of [...busyByBucket].sort((a, b) => a[0] - b[0]))
  console.log(
    `${String((bucket * bucketUs) / 1e6).padStart(6)} s ${ms(us)} ms`,
  );
print('self by package', selfByPackage, top);
print('inclusive by package', inclusiveByPackage, top);
print('self by function', selfByFunction, top);
print('inclusive by function', inclusiveByFunction, top);
