import { EventEmitter } from 'node:events';

/** A writable for tests: collects what is written; `full` makes `write` ask the writer to wait for 'drain'. */
export class TestStream extends EventEmitter {
  text = '';
  writes = 0;
  full = false;
  isTTY: boolean | undefined;
  columns: number | undefined;

  constructor(options: { isTTY?: boolean; columns?: number } = {}) {
    super();
    this.isTTY = options.isTTY;
    this.columns = options.columns;
  }

  write(text: string): boolean {
    this.text += text;
    this.writes++;
    return !this.full;
  }

  get lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
}
