import type { LagQuery, LagSnapshot } from '../../lag/model';

/** The lag capability: one interface, three brokers (group admin is a GroupAdmin, in group-admin.ts). */
export interface LagSource {
  snapshot(query: LagQuery): Promise<LagSnapshot>;
}
