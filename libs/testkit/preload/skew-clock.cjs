// TEST-ONLY preload (`node -r libs/testkit/preload/skew-clock.cjs`, see skewClock() in
// src/preload/skew-clock.ts): shifts this process's wall clock by TEST_CLOCK_SKEW_MS
// milliseconds, as a host with a wrong clock would be. Only Date moves; timers and
// performance.now() stay monotonic, as they do on a real skewed host. Nothing in
// production reads the variable: the skew comes from outside, which is the point, since
// the scheduler must follow the database's clock on its own (promise 6, "One clock").
/* global process, globalThis */
'use strict';

const skewMs = Number(process.env.TEST_CLOCK_SKEW_MS || 0);
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
