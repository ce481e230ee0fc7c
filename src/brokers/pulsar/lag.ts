import { NotFoundError } from '../../core/errors';
import type { LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type { LagSource } from '../contracts/lag';
import type { PulsarConnection } from './connection';
import { PulsarSubscriptionStats } from './subscription-stats';

/**
 * Pulsar lag: subscriptions are the groups. Backlog, unacked, consumers and rates come from the topic
 * stats; the time lag is now − earliestMsgPublishTimeInBacklog (asked with getEarliestTimeInBacklog=true).
 */
export class PulsarLagSource implements LagSource {
  private readonly stats: PulsarSubscriptionStats;

  constructor(private readonly conn: PulsarConnection) {
    this.stats = new PulsarSubscriptionStats(conn);
  }

  async snapshot(query: LagQuery): Promise<LagSnapshot> {
    const topics = await this.stats.resolveTopics(query);
    const units = await this.stats.units(topics);
    const takenAt = Date.now();
    const rows: LagRow[] = [];
    const groupFacts = new Map<string, { group: string; state?: string; consumers: Set<string> }>();
    for (const unit of units) {
      for (const [sub, s] of Object.entries(unit.stats.subscriptions ?? {})) {
        if (query.groups.length && !query.groups.includes(sub)) continue;
        const backlog = s.msgBacklog ?? 0;
        const unacked = s.unackedMessages ?? 0;
        const earliest = s.earliestMsgPublishTimeInBacklog ?? 0;
        const consumers = s.consumers ?? [];
        const facts = groupFacts.get(sub) ?? { group: sub, state: s.type, consumers: new Set<string>() };
        for (const c of consumers) facts.consumers.add(`${c.consumerName ?? ''}@${c.address ?? ''}`);
        groupFacts.set(sub, facts);
        rows.push({
          kind: 'pulsar',
          group: sub,
          topic: unit.topic.full,
          partition: unit.partition,
          committedOffset: null,
          logStartOffset: null,
          logEndOffset: null,
          lag: backlog,
          timeLagMs: backlog === 0 ? 0 : earliest > 0 ? Math.max(0, takenAt - earliest) : null,
          timeLagSource: backlog === 0 ? 'caught-up' : earliest > 0 ? 'publish-time' : 'unknown',
          owner:
            consumers.length === 0
              ? null
              : consumers.length === 1
                ? {
                    memberId: consumers[0]!.consumerName,
                    host: consumers[0]!.address,
                    clientId: consumers[0]!.clientVersion,
                  }
                : { memberId: `${consumers.length} consumers` },
          unacked,
          ready: Math.max(0, backlog - unacked),
          consumers: consumers.length,
          consumeRate: s.msgRateOut ?? 0,
          produceRate: unit.stats.msgRateIn ?? 0,
          progress: s.msgOutCounter ?? null,
          status: 'UNKNOWN',
        });
      }
    }
    for (const g of query.groups) {
      if (!groupFacts.has(g)) {
        throw new NotFoundError(
          `subscription "${g}" not found on ${topics.length === 1 ? topics[0]!.full : `${topics.length} topics`} (Pulsar at ${this.conn.target})`,
          { hint: 'list subscriptions with: mqctl group list --kind pulsar --topic T' },
        );
      }
    }
    return {
      kind: 'pulsar',
      target: this.conn.target,
      takenAt,
      rows,
      groups: [...groupFacts.values()].map((g) => ({
        group: g.group,
        state: g.state,
        members: g.consumers.size,
      })),
    };
  }
}
