/**
 * Time lag by interpolation, as kafka-lag-exporter does it (LookupTable.scala): remember when the log-end
 * offset reached which value, then estimate when the message at the committed offset was appended.
 * Used when the record at the committed offset is gone (retention, compaction) or was not read.
 */
export interface EndOffsetPoint {
  offset: number;
  at: number;
}

export class EndOffsetTable {
  private readonly points: EndOffsetPoint[] = [];

  constructor(private readonly limit = 60) {}

  get size(): number {
    return this.points.length;
  }

  /** Adds a sample; out-of-order or decreasing points are ignored, flat runs keep only their ends. */
  add(offset: number, at: number): void {
    const last = this.points[this.points.length - 1];
    if (last && (offset < last.offset || at <= last.at)) return;
    const beforeLast = this.points[this.points.length - 2];
    if (last && beforeLast && last.offset === offset && beforeLast.offset === offset) {
      this.points[this.points.length - 1] = { offset, at };
    } else {
      this.points.push({ offset, at });
    }
    if (this.points.length > this.limit) this.points.shift();
  }

  /**
   * The estimated append time of the message at `offset`, or undefined with fewer than two points.
   * `extrapolated` is set when no two points bracket the offset.
   */
  lookup(offset: number): { at: number; extrapolated: boolean } | undefined {
    if (this.points.length < 2) return undefined;
    const lastPoint = this.points[this.points.length - 1]!;
    if (offset >= lastPoint.offset) return { at: lastPoint.at, extrapolated: false };
    for (let i = this.points.length - 1; i > 0; i--) {
      const right = this.points[i]!;
      const left = this.points[i - 1]!;
      if (left.offset <= offset && offset <= right.offset && right.offset > left.offset) {
        return { at: interpolate(left, right, offset), extrapolated: false };
      }
    }
    const first = this.points[0]!;
    if (lastPoint.offset === first.offset) return undefined;
    return { at: interpolate(first, lastPoint, offset), extrapolated: true };
  }
}

function interpolate(left: EndOffsetPoint, right: EndOffsetPoint, offset: number): number {
  return right.at - ((right.offset - offset) * (right.at - left.at)) / (right.offset - left.offset);
}
