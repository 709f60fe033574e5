// The periodic re-check of live connections: one timer for all, one check per credential per round.

/** How `Rechecks` runs. */
export interface RecheckOptions<M> {
  /** Time between the end of one round and the start of the next. */
  intervalMs: number;
  /** Members with the same credential share one check per round (e.g. the token and the client address). */
  credentialOf(member: M): string;
  /** Checks the credential of `group` once and acts on each of its members. */
  recheck(group: readonly M[]): Promise<void>;
  /** A round's check that threw: its members are checked again next round. */
  onError(error: unknown): void;
  /**
   * Checks run at once within a round.
   * @default 16
   */
  concurrency?: number;
}

/**
 * Re-checks a set of members (live WebSocket connections) every
 * `intervalMs`: each round groups them by credential and checks each
 * credential once, so ten thousand dashboards sharing one API key cost one
 * check per round instead of ten thousand timers and database reads. A
 * member is checked no later than a round after it joins, exactly as fresh as
 * a check of its own would be: every round reads the credential's state anew.
 */
export class Rechecks<M> {
  private readonly members = new Set<M>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RecheckOptions<M>) {}

  add(member: M): void {
    this.members.add(member);
    if (!this.timer) this.schedule();
  }

  delete(member: M): void {
    this.members.delete(member);
  }

  /** Stops the rounds (a round under way finishes). */
  stop(): void {
    clearTimeout(this.timer);
    this.members.clear();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.round(), this.options.intervalMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const groups = new Map<string, M[]>();
    for (const member of this.members) {
      const credential = this.options.credentialOf(member);
      const group = groups.get(credential);
      if (group) group.push(member);
      else groups.set(credential, [member]);
    }
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.pop(); group; group = queue.pop()) {
        try {
          await this.options.recheck(group);
        } catch (error) {
          this.options.onError(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 16, queue.length) }, worker));
    if (this.members.size > 0) this.schedule();
    else this.timer = undefined;
  }
}
