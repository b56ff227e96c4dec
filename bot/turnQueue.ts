/**
 * Runs tasks one at a time per key (a conversation), in arrival order; different keys run in
 * parallel. Bot Framework saves state last-writer-wins, so two turns of one conversation must never
 * overlap. Also tracks how many tasks are in flight, so shutdown can wait for them.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.inFlight;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    });
    return result;
  }

  /** Resolves when no task is running or waiting. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
