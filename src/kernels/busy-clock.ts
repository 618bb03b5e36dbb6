/** Wall-clock time during which at least one call was in flight (overlapping calls count once). */
export class BusyClock {
  private inFlight = 0;
  private since = 0;
  private total = 0;

  async time<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.since = performance.now();
    try {
      return await fn();
    } finally {
      if (--this.inFlight === 0) this.total += performance.now() - this.since;
    }
  }

  get ms(): number {
    return this.inFlight > 0 ? this.total + (performance.now() - this.since) : this.total;
  }
}
