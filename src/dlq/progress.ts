import type { ReplaySummary } from './replay';

/** A one-line progress bar on stderr, only when stderr is a TTY. */
export class ReplayProgress {
  private lastDraw = 0;
  private readonly started = Date.now();
  readonly enabled: boolean;

  constructor(
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
    this.stream = stream;
  }

  private readonly stream: NodeJS.WriteStream;

  update(summary: ReplaySummary, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const done = Math.min(1, this.total > 0 ? summary.examined / this.total : 1);
    const filled = Math.round(done * width);
    const rate = summary.replayed / Math.max(0.001, (now - this.started) / 1000);
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${summary.examined}/${this.total} examined, ` +
        `${summary.replayed} replayed, ${summary.skippedByFilter + summary.skippedByLoopGuard} skipped, ` +
        `${summary.failed} failed, ${rate.toFixed(0)} msg/s `,
    );
  }

  end(): void {
    if (this.enabled) this.stream.write('\n');
  }
}
