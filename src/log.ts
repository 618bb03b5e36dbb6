/**
 * Logging to stderr, and progress: on a TTY a live line (docs, MB, rates, ETA
 * when the total is known); otherwise a line every --log-every records.
 */
let verbose = false;
let logEvery = 300;

export function configureLog(opts: { verbose?: boolean; logEvery?: number }): void {
  if (opts.verbose !== undefined) verbose = opts.verbose;
  if (opts.logEvery !== undefined) logEvery = opts.logEvery;
}

export function info(msg: string): void {
  process.stderr.write(`gamma: ${msg}\n`);
}

export function debug(msg: string): void {
  if (verbose) process.stderr.write(`gamma: [debug] ${msg}\n`);
}

export function warn(msg: string): void {
  process.stderr.write(`gamma: warning: ${msg}\n`);
}

export class Progress {
  private readonly label: string;
  private totalBytes: number | null;
  private readonly start = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY) && process.env.CI !== "true";
  private lastDraw = 0;
  private lastLoggedDocs = 0;
  docs = 0;
  bytes = 0;

  constructor(label: string, totalBytes: number | null = null) {
    this.label = label;
    this.totalBytes = totalBytes;
  }

  /** Sets (or updates) the expected total bytes, which turns on the ETA. */
  setTotal(bytes: number | null): void {
    this.totalBytes = bytes;
  }

  /** Adds to the running totals. */
  add(docs: number, bytes: number): void {
    this.docs += docs;
    this.bytes += bytes;
    this.tick();
  }

  private line(final = false): string {
    const s = Math.max((performance.now() - this.start) / 1000, 1e-6);
    const mb = this.bytes / 1e6;
    let eta = "";
    if (!final && this.totalBytes && this.bytes > 0) {
      const rest = ((this.totalBytes - this.bytes) / this.bytes) * s;
      eta = ` ETA ${Math.max(0, rest).toFixed(0)}s`;
    }
    return `${this.label}: ${this.docs} docs, ${mb.toFixed(1)} MB, ${(this.docs / s).toFixed(0)} docs/s, ${(mb / s).toFixed(1)} MB/s${eta}`;
  }

  private tick(): void {
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 200) return;
      this.lastDraw = now;
      process.stderr.write(`\r\x1b[2K${this.line()}`);
    } else if (logEvery > 0 && this.docs - this.lastLoggedDocs >= logEvery) {
      this.lastLoggedDocs = this.docs - (this.docs % logEvery);
      process.stderr.write(`gamma: ${this.line()}\n`);
    }
  }

  done(): void {
    if (this.tty) process.stderr.write(`\r\x1b[2K`);
    process.stderr.write(`gamma: ${this.line(true)} (done)\n`);
  }
}
