import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port';
import { skewClock } from '../preload/skew-clock';
import { AppProcess } from './app-process';

/** A stand-in app: ready after READY_AFTER_MS, exits 0 on SIGTERM, or dies at once with DIE=1. */
const APP = `
const http = require('node:http');
if (process.env.DIE === '1') { console.error('cannot start: DIE=1'); process.exit(3); }
const started = Date.now();
const readyAt = performance.now() + Number(process.env.READY_AFTER_MS || 0);
http.createServer((req, res) => {
  res.statusCode = req.url === '/health/ready' && performance.now() >= readyAt ? 200 : 503;
  res.end(String(started));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
`;

describe('AppProcess', () => {
  let dir: string;
  let main: string;
  const started: AppProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'testkit-app-'));
    main = join(dir, 'app.js');
    writeFileSync(main, APP);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.kill()));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function app(
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ) {
    const proc = new AppProcess({
      name: 'stand-in',
      main,
      env,
      nodeArgs,
      port: await freePort(),
      logFile: join(dir, 'stand-in.log'),
    });
    started.push(proc);
    return proc;
  }

  it('waits for the readiness path, keeps the output and stops with the exit it asked for', async () => {
    const proc = (await app({ READY_AFTER_MS: '300' })).start();
    await proc.waitReady(10_000);
    expect(proc.running).toBe(true);
    expect(proc.pid).toBeGreaterThan(0);

    expect(await proc.stop()).toEqual({ code: 0, signal: null });
    expect(proc.output()).toBe('listening\nbye');
    expect(proc.unexpectedExits).toEqual([]);
    expect(proc.running).toBe(false);
  });

  it('fails at once, quoting the output, when the process dies before it is ready', async () => {
    const proc = (await app({ DIE: '1' })).start();
    const before = performance.now();
    await expect(proc.waitReady(20_000)).rejects.toThrow(
      /stand-in exited \(\{"code":3,"signal":null\}\) before it was ready[^]*\[stderr\] cannot start: DIE=1/,
    );
    expect(performance.now() - before).toBeLessThan(10_000);
    expect(proc.unexpectedExits).toEqual([
      expect.stringMatching(/^stand-in exited \(code 3, signal null\); see /),
    ]);
  });

  it('starts again after a SIGKILL, on the same port, and tells the caller before it signals', async () => {
    const proc = (await app()).start();
    await proc.waitReady(10_000);
    const ending: (number | undefined)[] = [];
    proc.onEnding(() => ending.push(proc.pid));
    const firstPid = proc.pid;

    expect(await proc.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(ending).toEqual([firstPid]);
    await proc.start().waitReady(10_000);
    expect(proc.pid).not.toBe(firstPid);
    expect(proc.unexpectedExits).toEqual([]);
  });

  it('runs with its host clock skewed by the preload', async () => {
    const skew = skewClock(3_600_000);
    const proc = (await app(skew.env, skew.nodeArgs)).start();
    await proc.waitReady(10_000);
    const startedAt = Number(await (await fetch(proc.url('/'))).text());
    expect(startedAt - Date.now()).toBeGreaterThan(3_500_000);
  });
});
