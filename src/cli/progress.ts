// Progress on stderr for long operations (staged uploads, verify): a bar when stderr is a
// terminal or --progress asks for one, otherwise plain "x/y MiB" text. Either way it is
// redrawn in place and throttled, so a log file does not fill with thousands of lines.
// It never writes to stdout, which belongs to results (and to --json).

export type ProgressUnit = 'bytes' | 'entries' | 'tokens' | 'steps';

export interface ProgressOptions {
  label: string;
  total: number;
  unit: ProgressUnit;
  /** Draw a bar even when the stream is not a TTY (the --progress flag). */
  force?: boolean;
  stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between redraws. */
  intervalMs?: number;
}

const MIB = 1024 * 1024;
const WIDTH = 28;

function amount(n: number, total: number, unit: ProgressUnit): string {
  if (unit === 'bytes') return `${(n / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB`;
  return `${n}/${total} ${unit}`;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly bar: boolean;
  private readonly tty: boolean;
  private last = 0;
  private lastText = '';
  private finished = false;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.bar = this.tty || opts.force === true;
  }

  update(done: number, total = this.opts.total): void {
    if (this.finished) return;
    const now = Date.now();
    if (done < total && now - this.last < (this.opts.intervalMs ?? 100)) return;
    this.last = now;
    this.draw(done, total);
  }

  /** Draws the final state and ends the line. */
  finish(done = this.opts.total): void {
    if (this.finished) return;
    this.draw(done, this.opts.total);
    this.finished = true;
    if (this.lastText !== '') this.stream.write('\n');
  }

  private draw(done: number, total: number): void {
    const text = this.bar ? this.barText(done, total) : `${this.opts.label} ${amount(done, total, this.opts.unit)}`;
    if (text === this.lastText) return;
    // \r returns to the line start; on a terminal \x1b[K clears what a longer line left.
    this.stream.write(`\r${text}${this.tty ? '\x1b[K' : ''}`);
    this.lastText = text;
  }

  private barText(done: number, total: number): string {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * WIDTH);
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    return `${this.opts.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${pct} ${amount(done, total, this.opts.unit)}`;
  }
}
