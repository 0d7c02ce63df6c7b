// Summarises a .cpuprofile (`npm run bench -- ... --cpu-prof` writes one per process next
// to the run's logs) over a window, in µs of CPU per fire:
//   node tools/cpuprofile-summary.mjs <file.cpuprofile> [--fires=10000]
//        [--bundle=dist/apps/scheduler/main.js] [--from=s --to=s] [--gap-ms=400] [--top=25]
//        [--bucket=5]
// The window: --from/--to (seconds from the profile's start), or else a burst's drain:
// the samples whose stack holds a fire-path frame (firing/, triggers/webhook/) are grouped
// into runs separated by more than --gap-ms without one, and the run with the most such
// samples is the burst (the warm-up's fires come seconds earlier), from its first to its
// last sample. It prints busy time per --bucket seconds of the window, self time grouped
// by package (node_modules/<pkg>), by our source folder (through the bundle's source map),
// by Node's own modules, and as GC, (program), (idle); inclusive time per function of
// ours. A sample lasts until the next one. Kernel time inside a syscall shows as the
// syscall's function (`writev`).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { SourceMapConsumer } from 'source-map-js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    fires: { type: 'string', default: '10000' },
    bundle: { type: 'string', default: 'dist/apps/scheduler/main.js' },
    'gap-ms': { type: 'string', default: '400' },
    top: { type: 'string', default: '25' },
    from: { type: 'string' },
    to: { type: 'string' },
    bucket: { type: 'string', default: '5' },
  },
});
if (positionals.length !== 1) {
  console.error(
    'usage: node tools/cpuprofile-summary.mjs <file.cpuprofile> [--fires=N] [--from=s --to=s]',
  );
  process.exit(2);
}
const fires = Number(values.fires);
const gapUs = Number(values['gap-ms']) * 1000;
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const map = new SourceMapConsumer(
  JSON.parse(readFileSync(`${values.bundle}.map`, 'utf8')),
);
const bundleName = values.bundle.split('/').pop();
// dist/apps/scheduler/main.js was built from apps/scheduler.
const appDir = dirname(values.bundle).replace(/^(\.\/)?dist\//, '');

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

/** Our source file of a frame in the bundle (apps/..., libs/...), else undefined. */
function sourceOf(frame) {
  if (!frame.url.endsWith(bundleName) || frame.lineNumber < 0) return undefined;
  const pos = map.originalPositionFor({
    line: frame.lineNumber + 1,
    column: frame.columnNumber,
  });
  if (!pos.source) return undefined;
  // webpack:///src/x.ts is the app's own folder; webpack:///../../libs/... the libraries.
  const path = pos.source
    .replace(/^webpack:\/\/\//, '')
    .replace(/^(\.\.?\/)+/, '');
  const source = path.startsWith('src/') ? `${appDir}/${path}` : path;
  return { source, line: pos.line };
}

const info = new Map();
function infoOf(id) {
  let found = info.get(id);
  if (found) return found;
  const node = byId.get(id);
  const frame = node.callFrame;
  const name = frame.functionName || '(anonymous)';
  const ours = sourceOf(frame);
  let group;
  if (name === '(garbage collector)') group = 'GC';
  else if (name === '(program)' || name === '(idle)' || name === '(root)')
    group = name;
  else if (ours && /^(apps|libs)\//.test(ours.source)) {
    const parts = ours.source.split('/');
    // apps/scheduler/src/firing/x.ts -> apps/scheduler/src/firing
    group = parts.slice(0, Math.min(parts.length - 1, 4)).join('/');
  } else if (ours && ours.source.includes('node_modules/'))
    group = packageOf(ours.source);
  else if (frame.url.includes('node_modules/')) group = packageOf(frame.url);
  else if (frame.url.startsWith('node:'))
    group = `node:${
      frame.url
        .slice(5)
        .replace(/^internal\//, '')
        .split('/')[0]
    }`;
  else if (frame.url === '') group = `(native) ${name}`;
  else group = frame.url;
  found = {
    name,
    group,
    label: ours
      ? `${name} ${ours.source}:${ours.line}`
      : `${name} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`,
    ours: ours !== undefined && /^(apps|libs)\//.test(ours.source),
    firePath:
      ours !== undefined &&
      /apps\/scheduler\/src\/(firing|triggers\/webhook)\//.test(ours.source),
  };
  info.set(id, found);
  return found;
}

function packageOf(path) {
  const rest = path.slice(path.lastIndexOf('node_modules/') + 13).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

// Sample times (µs from the profile's start) and durations (to the next sample).
const { samples, timeDeltas } = profile;
const times = new Array(samples.length);
let t = 0;
for (let i = 0; i < samples.length; i++) {
  t += timeDeltas[i];
  times[i] = t;
}
const durationOf = (i) =>
  i + 1 < samples.length ? times[i + 1] - times[i] : 0;

// Does a node's stack hold a fire-path frame? Memoised per node.
const onFirePath = new Map();
function firePathOf(id) {
  if (onFirePath.has(id)) return onFirePath.get(id);
  const parent = parentOf.get(id);
  const value =
    infoOf(id).firePath || (parent !== undefined && firePathOf(parent));
  onFirePath.set(id, value);
  return value;
}

// The burst: the run of fire-path samples with the most of them.
let best = { count: 0, from: 0, to: 0 };
let run = { count: 0, from: -1, to: -1 };
for (let i = 0; i < samples.length; i++) {
  if (!firePathOf(samples[i])) continue;
  if (run.from >= 0 && times[i] - times[run.to] > gapUs) {
    if (run.count > best.count) best = run;
    if (values.from !== undefined || values.to !== undefined) {
      // An explicit window instead of the burst's drain.
      const fromUs = Number(values.from ?? 0) * 1e6;
      const toUs = Number(values.to ?? Number.POSITIVE_INFINITY) * 1e6;
      const inside = times.flatMap((at, i) =>
        at >= fromUs && at <= toUs ? [i] : [],
      );
      best = {
        count: inside.length,
        from: inside[0] ?? 0,
        to: inside.at(-1) ?? -1,
      };
    }
    run = { count: 0, from: i, to: i };
  }
  if (run.from < 0) run.from = i;
  run.to = i;
  run.count += 1;
}
if (run.count > best.count) best = run;

const self = new Map();
const inclusive = new Map();
const bucketUs = Number(values.bucket) * 1e6;
const busyByBucket = new Map();
let total = 0;
for (let i = best.from; i <= best.to; i++) {
  const d = durationOf(i);
  total += d;
  const leaf = infoOf(samples[i]);
  if (leaf.group !== '(idle)' && leaf.group !== '(root)') {
    const bucket = Math.floor((times[i] - times[best.from]) / bucketUs);
    busyByBucket.set(bucket, (busyByBucket.get(bucket) ?? 0) + d);
  }
  self.set(leaf.group, (self.get(leaf.group) ?? 0) + d);
  const key = `self ${leaf.label} [${leaf.group}]`;
  self.set(key, (self.get(key) ?? 0) + d);
  const seen = new Set();
  for (let id = samples[i]; id !== undefined; id = parentOf.get(id)) {
    const frame = infoOf(id);
    if (!frame.ours || seen.has(frame.label)) continue;
    seen.add(frame.label);
    inclusive.set(frame.label, (inclusive.get(frame.label) ?? 0) + d);
  }
}

const perFire = (us) => (us / fires).toFixed(2).padStart(8);
const share = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const windowMs = (times[best.to] - times[best.from]) / 1000;
const idle = (self.get('(idle)') ?? 0) + (self.get('(root)') ?? 0);
console.log(
  `window: ${windowMs.toFixed(0)} ms (${best.count} fire-path samples), ` +
    `${fires} fires; busy ${((total - idle) / 1000).toFixed(0)} ms = ` +
    `${((total - idle) / fires).toFixed(1)} µs/fire (idle ${share(idle)})`,
);
console.log(`\nbusy per ${values.bucket} s of the window`);
for (const [bucket, us] of [...busyByBucket].sort((a, b) => a[0] - b[0]))
  console.log(
    `${String(bucket * Number(values.bucket)).padStart(6)} s ${(us / 1000).toFixed(0).padStart(8)} ms`,
  );
const rows = (entries, heading) => {
  console.log(`\n${heading}`);
  for (const [name, us] of entries.slice(0, top))
    console.log(`${perFire(us)} µs/fire ${share(us)}  ${name}`);
};
const sorted = (m, f) =>
  [...m.entries()].filter(([k]) => f(k)).sort((a, b) => b[1] - a[1]);
rows(
  sorted(self, (k) => !k.startsWith('self ')),
  'self time by group',
);
rows(
  sorted(self, (k) => k.startsWith('self ')),
  'self time by function',
);
rows(
  sorted(inclusive, () => true),
  'inclusive time, our functions',
);
