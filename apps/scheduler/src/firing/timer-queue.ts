import type { Clock } from '@scheduleman/domain';
import type { Claim } from '../claims/claim';
import type { HeldExecution } from '../leases/held-execution';
import type { HeldExecutions } from '../leases/held-executions';
import { MinHeap } from './min-heap';
import { REAL_TIMERS, type Timers } from '../support/timers';

export interface TimerQueueOptions {
  /** Database time (the scheduler's OffsetClock): due times and leases are database times. */
  clock: Clock;
  /** Most trigger calls in flight at once; later due executions wait in a ready line. */
  maxInFlight: number;
  /**
   * Fire only while the lease, as known here, has at least this long left (ms). Covers
   * the error of the clock offset and the moment between the check and the request.
   */
  leaseSafetyMarginMs: number;
  /**
   * FIRE_COALESCE_MS: a due execution with others due within this many ms after it
   * waits for them, and they fire together at the window's end: never early, none late
   * by more than the window. A trickle then goes out
   * a few requests at a time, and the sockets and the receiver wake once per clump
   * instead of once per request. 0 (the default here) fires each at its time.
   */
  coalesceMs?: number;
  /**
   * The registry of held executions, shared with the LeaseKeeper (renewals, lost leases)
   * and the outcome recorder (settle). Drops are reported through its onDrop.
   */
  held: HeldExecutions;
  /** Fires one execution; must not reject (errors are outcomes). */
  fire: (held: HeldExecution) => Promise<void>;
  onError?: (error: unknown) => void;
  /**
   * After every dispatch round: whether due executions still wait for a free slot (the
   * scheduler fires as fast as it can), and how many fires completed since the last call.
   * Feeds the FireRateMeter.
   */
  onPumped?: (backlogged: boolean, completed: number) => void;
  timers?: Timers;
}

interface HeapEntry {
  dueAtMs: number;
  /** Insertion order: executions due at the same instant fire in the order they came. */
  seq: number;
  held: HeldExecution;
  generation: number;
}

/**
 * Fires each of this scheduler's held executions at its own due time.
 *
 * A min-heap by due time with ONE timer armed for the earliest entry: thousands of held
 * executions cost one timer, and an execution fires when it is due, not at the next poll.
 * Due times are database times; the delay is measured on the injected clock (the
 * OffsetClock), which converts them to this host's time.
 *
 * Just before firing, an execution whose lease (as known here, minus a safety margin)
 * has run out is dropped, never fired: a scheduler that was frozen (SIGSTOP, a long GC,
 * a VM pause) for longer than its lease wakes up to find its work already taken over by
 * a survivor, and firing it too would be a needless duplicate.
 *
 * With a coalescing window (`coalesceMs`), an execution that comes due while another is
 * due within the window after it is held back, and the clump fires at the window's end
 * with everything due by then (the timer wakes twice per clump, not once per member).
 * Nothing fires before it is due, nor more than the window late; a lone execution, or
 * a burst due at one instant, fires at once, as without the window.
 *
 * Concurrency is bounded by `maxInFlight`; due executions beyond it wait in a FIFO
 * "ready" line and fire as slots free up (lease re-checked then).
 *
 * Which executions are held, and what is known of their leases, is the HeldExecutions
 * registry's: an entry the registry no longer holds (settled, dropped, taken back) is
 * skipped wherever it still sits in the heap or the ready line.
 */
export class TimerQueue {
  private readonly held: HeldExecutions;
  private readonly heap = new MinHeap<HeapEntry>(
    (a, b) => a.dueAtMs - b.dueAtMs || a.seq - b.seq,
  );
  private seq = 0;
  private ready: HeldExecution[] = [];
  private readyHead = 0;
  private inFlight = 0;
  private completedSincePump = 0;
  private timer: unknown;
  private timerDueAtMs = Number.POSITIVE_INFINITY;
  private firingEnabled = true;
  private idleWaiters: (() => void)[] = [];
  private readonly timers: Timers;
  private readonly coalesceMs: number;
  /** Due executions held back for the rest of their clump (coalesceMs), in due order. */
  private gathering: HeldExecution[] = [];
  /** The due time of the first of `gathering`. */
  private clumpStartMs = 0;

  constructor(private readonly options: TimerQueueOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.coalesceMs = options.coalesceMs ?? 0;
    this.held = options.held;
  }

  /** Executions held (waiting, firing or recording). */
  get heldCount(): number {
    return this.held.count;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Due executions waiting for an in-flight slot (a burst draining). */
  get readyCount(): number {
    return this.ready.length - this.readyHead;
  }

  /** Takes new claims. A claim for an execution already held updates its lease in place. */
  add(claims: readonly Claim[]): void {
    for (const claim of claims) {
      const held = this.held.hold(claim);
      // Not yet fired (new, or re-claimed while waiting): (re)queue at the claim's due time.
      if (held.state === 'waiting') this.enqueue(held, claim.dueAt.getTime());
    }
    this.arm();
  }

  /**
   * Shutdown: stops firing and hands back every execution not fired yet (for
   * RELEASE_CLAIMS). Calls in flight carry on; see whenIdle().
   */
  takeUnfired(): HeldExecution[] {
    this.firingEnabled = false;
    this.disarm();
    this.heap.drain();
    this.gathering = [];
    this.ready = [];
    this.readyHead = 0;
    return this.held.takeWaiting();
  }

  /** Resolves once no trigger call is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Re-arms the timer, e.g. after the clock offset changed. */
  reschedule(): void {
    this.disarm();
    this.arm();
  }

  /** Stops the timer for good (after takeUnfired, or in tests). */
  close(): void {
    this.firingEnabled = false;
    this.disarm();
  }

  private enqueue(held: HeldExecution, dueAtMs: number): void {
    held.dueAtMs = dueAtMs;
    held.generation += 1;
    this.heap.push({
      dueAtMs,
      seq: this.seq++,
      held,
      generation: held.generation,
    });
  }

  /** The earliest heap entry that is still current, discarding superseded ones. */
  private peekCurrent(): HeapEntry | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return undefined;
      const { held } = top;
      if (
        held.generation === top.generation &&
        held.state === 'waiting' &&
        this.held.isHeld(held)
      )
        return top;
      this.heap.pop();
    }
  }

  private arm(): void {
    if (!this.firingEnabled) return;
    // A clump being gathered wakes the timer once, at its window's end (even if what it
    // waited for is gone); otherwise the earliest due execution does.
    const dueAtMs =
      this.gathering.length > 0
        ? this.clumpStartMs + this.coalesceMs
        : (this.peekCurrent()?.dueAtMs ?? Number.POSITIVE_INFINITY);
    if (dueAtMs === Number.POSITIVE_INFINITY || dueAtMs >= this.timerDueAtMs)
      return;
    this.disarm();
    this.timerDueAtMs = dueAtMs;
    const delayMs = dueAtMs - this.options.clock.now().getTime();
    this.timer = this.timers.setTimeout(
      () => this.onTimer(),
      Math.max(0, delayMs),
    );
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAtMs = Number.POSITIVE_INFINITY;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerDueAtMs = Number.POSITIVE_INFINITY;
    try {
      const nowMs = this.options.clock.now().getTime();
      for (
        let top = this.peekCurrent();
        top && top.dueAtMs <= nowMs;
        top = this.peekCurrent()
      ) {
        this.heap.pop();
        // Out of the heap but still 'waiting': a stale heap entry for it is now ignored.
        top.held.generation += 1;
        if (this.gathering.length === 0) this.clumpStartMs = top.dueAtMs;
        this.gathering.push(top.held);
      }
      // Another is due within the clump's window: the clump waits for the window's end
      // (arm() sets the timer for it), when everything due by then goes with it.
      const clumpEndMs = this.clumpStartMs + this.coalesceMs;
      const next = this.peekCurrent();
      if (nowMs < clumpEndMs && next && next.dueAtMs <= clumpEndMs) return;
      for (const held of this.gathering) this.ready.push(held);
      this.gathering = [];
      this.pump();
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.arm();
    }
  }

  /** Starts ready executions while in-flight slots are free. */
  private pump(): void {
    while (
      this.firingEnabled &&
      this.inFlight < this.options.maxInFlight &&
      this.readyHead < this.ready.length
    ) {
      const held = this.ready[this.readyHead++];
      if (held.state !== 'waiting' || !this.held.isHeld(held)) continue;
      if (held.lost) {
        this.held.drop(held, 'lease_lost');
      } else if (
        held.leaseExpiresAtMs - this.options.leaseSafetyMarginMs <=
        this.options.clock.now().getTime()
      ) {
        this.held.drop(held, 'lease_expired');
      } else {
        this.dispatch(held);
      }
    }
    const completed = this.completedSincePump;
    this.completedSincePump = 0;
    this.options.onPumped?.(this.readyHead < this.ready.length, completed);
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    } else if (this.readyHead > 1024) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private dispatch(held: HeldExecution): void {
    held.state = 'firing';
    this.inFlight += 1;
    let fired: Promise<void>;
    try {
      fired = this.options.fire(held);
    } catch (error) {
      fired = Promise.reject(
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    // One reaction, not .catch().finally(): two promises and closures fewer per fire.
    void fired.then(
      () => {
        this.settled(held);
      },
      (error: unknown) => {
        try {
          // No outcome will come for it: stop holding (and renewing) it, so the lease
          // runs out and the execution is claimed and fired again.
          this.held.forget(held);
          this.options.onError?.(error);
        } finally {
          this.settled(held);
        }
      },
    );
  }

  private settled(held: HeldExecution): void {
    this.inFlight -= 1;
    this.completedSincePump += 1;
    if (held.state === 'firing' && this.held.isHeld(held))
      held.state = 'recording';
    this.pump();
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
