// A fair queue across lanes (one lane per adapter): lanes take turns in the order they
// first had work, and each turn takes a batch of up to N items from one lane. A hot lane
// with a thousand waiting requests gets one batch per round like every other lane, so it
// cannot starve the rest; within a lane, requests keep their arrival order.

export class FairQueue<T> {
  /** Map order is the round: the lane at the front has the next turn. */
  private readonly lanes = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(lane: string, item: T): void {
    const q = this.lanes.get(lane);
    if (q) q.push(item);
    else this.lanes.set(lane, [item]);
    this.count++;
  }

  /** Takes an item out of the queue (a request abandoned while it waited). */
  remove(lane: string, item: T): boolean {
    const q = this.lanes.get(lane);
    const i = q ? q.indexOf(item) : -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) this.lanes.delete(lane);
    this.count--;
    return true;
  }

  /**
   * The next batch: up to `max` items from the first lane in the round that `skip` does
   * not exclude (a lane already running a batch). That lane then goes to the back.
   */
  next(max: number, skip: (lane: string) => boolean = () => false): { lane: string; items: T[] } | undefined {
    for (const [lane, q] of this.lanes) {
      if (skip(lane)) continue;
      const items = q.splice(0, max);
      this.lanes.delete(lane);
      if (q.length > 0) this.lanes.set(lane, q);
      this.count -= items.length;
      return { lane, items };
    }
    return undefined;
  }
}
