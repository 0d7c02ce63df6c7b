// Chaos-run preload (`node -r bench/tools/skew-clock.cjs`): shifts this process's wall
// clock by BENCH_CLOCK_SKEW_MS, as a host with a wrong clock would be. Only Date moves;
// timers and performance.now() stay monotonic, as they do on a real skewed host. The
// scheduler must still fire on the database's time (promise 6, "One clock").
const skewMs = Number(process.env.BENCH_CLOCK_SKEW_MS || 0);
const RealDate = Date;
const skewedNow = () => RealDate.now() + skewMs;

globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(
      target,
      args.length === 0 ? [skewedNow()] : args,
      newTarget,
    );
  },
  // Date() called without `new` returns the current time as a string.
  apply() {
    return new RealDate(skewedNow()).toString();
  },
  get(target, property, receiver) {
    if (property === 'now') return skewedNow;
    return Reflect.get(target, property, receiver);
  },
});
