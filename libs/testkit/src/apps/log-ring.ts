import { createWriteStream, type WriteStream } from 'node:fs';

/** Lines kept in memory per process: enough for a failure's story, bounded for a long run. */
export const MAX_LOG_LINES = 3_000;

/**
 * The output of one child process, line by line: the latest `MAX_LOG_LINES` in memory
 * (printed when a test fails, quoted when a process dies before it is ready) and, when
 * a file is given, everything appended to it (the bench keeps its tables readable by
 * sending the processes' output there, never to the console).
 */
export class LogRing {
  private readonly lines: string[] = [];
  private file: WriteStream | undefined;

  constructor(private readonly logFile?: string) {}

  /** Collects a stream of the child; `prefix` marks stderr lines in memory. */
  collect(stream: NodeJS.ReadableStream | null, prefix = ''): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.write(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.push(prefix + line);
    });
    stream.on('end', () => {
      if (partial) this.push(prefix + partial);
      partial = '';
    });
  }

  /** The latest lines, oldest first. */
  tail(lastLines = MAX_LOG_LINES): string {
    return this.lines.slice(-lastLines).join('\n');
  }

  /** Closes the file, if any; a later start reopens it in append mode. */
  close(): void {
    this.file?.end();
    this.file = undefined;
  }

  private write(chunk: string): void {
    if (this.logFile === undefined) return;
    this.file ??= createWriteStream(this.logFile, { flags: 'a' });
    this.file.write(chunk);
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LOG_LINES)
      this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
  }
}
