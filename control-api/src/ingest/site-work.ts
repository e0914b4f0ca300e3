/**
 * SiteTakeover (issue 19): what a cluster member does when it takes a site and when it gives one
 * up (cluster/ownership.ts `SiteWork`).
 *
 * take: standing alarms from the store (one alarm id goes on), then ingest's view of the site
 *       (agents, seqs, sensors' newest timestamps) and detection (stale watches, offline agents,
 *       TWA/STEL windows from stored readings), and only then the site's durable consumer, so the
 *       first message the broker hands over (often a redelivery) meets the restored state.
 * give: the consumer stops (its held acks go once their readings are stored), ingest's batched
 *       seqs and newest values are written for the next owner, then the site's detection state
 *       is dropped.
 */
import type { AlarmService } from '../alarms/service.js';
import type { SiteWork } from '../cluster/ownership.js';
import type { Logger } from '../logger.js';
import type { TimeSeriesStore } from '../store/types.js';
import { writtenSoFar } from './durable.js';
import type { IngestPipeline } from './pipeline.js';
import { SiteConsumer } from './site-consumer.js';
import { SiteIntake } from './site-intake.js';

export interface SiteTakeoverDeps {
  url: string;
  username?: string;
  password?: string;
  pipeline: IngestPipeline;
  alarms: Pick<AlarmService, 'takeSite' | 'giveSite'>;
  timeseries: Pick<TimeSeriesStore, 'written' | 'pending' | 'dropped'>;
  log: Logger;
  /** Whether this instance still holds the site's lease with this token (Ownership.holds). */
  holds(siteId: string, fencing: number): Promise<boolean>;
  /** Bound on how long an acknowledgement waits for its readings to be written. */
  durableTimeoutMs?: number;
}

export class SiteTakeover implements SiteWork {
  private readonly consumers = new Map<string, SiteConsumer>();
  /** One queue into ingest and one ack release for every site this instance consumes. */
  readonly intake: SiteIntake;

  constructor(private readonly d: SiteTakeoverDeps) {
    this.intake = new SiteIntake({
      handle: (topic, payload, redelivered) => d.pipeline.handle(topic, payload, redelivered),
      durable: () => this.durable(),
      log: d.log,
    });
  }

  /** Sites whose consumer is connected (health, tests). */
  consuming(): string[] {
    return [...this.consumers].filter(([, c]) => c.connected).map(([s]) => s);
  }

  async take(siteId: string, fencing: number): Promise<void> {
    const { d } = this;
    await d.alarms.takeSite(siteId);
    await d.pipeline.takeSite(siteId);
    const consumer = new SiteConsumer({
      url: d.url,
      username: d.username,
      password: d.password,
      siteId,
      log: d.log,
      intake: this.intake,
      mayResume: () => d.holds(siteId, fencing),
    });
    this.consumers.set(siteId, consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.consumers.delete(siteId);
      await consumer.stop();
      await d.alarms.giveSite(siteId);
      throw err;
    }
  }

  async give(siteId: string): Promise<void> {
    const consumer = this.consumers.get(siteId);
    this.consumers.delete(siteId);
    await consumer?.stop();
    await this.d.pipeline.flush();
    await this.d.alarms.giveSite(siteId);
  }

  /** Every reading handed in before the call is written (durable.ts). */
  private async durable(): Promise<void> {
    await this.d.pipeline.settled();
    await writtenSoFar(this.d.timeseries, this.d.durableTimeoutMs);
  }
}
