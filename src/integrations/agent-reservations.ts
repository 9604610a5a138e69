/**
 * Which agents are busy with a transfer. Reservations are keyed by holder (the transfer workflow id), so a
 * retried reservation returns the same agent instead of booking a second one, and expire after a TTL so an
 * outcome that never arrives cannot keep an agent booked forever.
 */
export interface AgentReservations {
  /** Reserves the first agent of `candidates` (in order) with free capacity, or returns null. */
  reserveFirstAvailable(
    holder: string,
    candidates: readonly { id: string; maxConcurrent: number }[],
  ): Promise<string | null>;
  release(holder: string, agentId: string): Promise<void>;
  activeCount(agentId: string): Promise<number>;
}

interface Reservation {
  agentId: string;
  expiresAt: number;
}

/** Process-local reservations: correct for one worker process. */
export class InMemoryAgentReservations implements AgentReservations {
  private readonly byHolder = new Map<string, Reservation>();

  constructor(
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async reserveFirstAvailable(holder: string, candidates: readonly { id: string; maxConcurrent: number }[]): Promise<string | null> {
    this.expire();
    const existing = this.byHolder.get(holder);
    if (existing) return existing.agentId;
    for (const candidate of candidates) {
      if (this.count(candidate.id) < candidate.maxConcurrent) {
        this.byHolder.set(holder, { agentId: candidate.id, expiresAt: this.now() + this.ttlMs });
        return candidate.id;
      }
    }
    return null;
  }

  async release(holder: string, agentId: string): Promise<void> {
    const existing = this.byHolder.get(holder);
    if (existing?.agentId === agentId) this.byHolder.delete(holder);
  }

  async activeCount(agentId: string): Promise<number> {
    this.expire();
    return this.count(agentId);
  }

  private count(agentId: string): number {
    let active = 0;
    for (const reservation of this.byHolder.values()) if (reservation.agentId === agentId) active += 1;
    return active;
  }

  private expire(): void {
    const now = this.now();
    for (const [holder, reservation] of this.byHolder) if (reservation.expiresAt <= now) this.byHolder.delete(holder);
  }
}
