/**
 * Reads the one-time codes the bot "sends" from its SMS outbox (SMS_PROVIDER=outbox: one JSON line
 * per message). The file is tailed: each read starts at the byte where the last one stopped, and the
 * codes seen are indexed by number, so a bench of thousands of conversations never re-reads it.
 */
import { open, type FileHandle } from 'node:fs/promises';

const CODE = /(\d{6})/;

export class OutboxTail {
  private offset = 0;
  /** The bytes of a line not yet complete (it may end inside a UTF-8 character). */
  private partial = Buffer.alloc(0);
  private readonly latest = new Map<string, string>();
  private handle?: FileHandle;
  /** One read at a time: concurrent callers wait for it, then usually find their code indexed. */
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** The latest code sent to `e164`, waiting (briefly) for the line when it is not there yet. */
  async codeFor(e164: string, { after }: { after?: string } = {}): Promise<string> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const code = this.latest.get(e164);
      if (code !== undefined && code !== after) return code;
      await this.readMore();
      const fresh = this.latest.get(e164);
      if (fresh !== undefined && fresh !== after) return fresh;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no code for ${e164} in ${this.path}`);
  }

  /** Forgets a number's code once used, so the index stays as small as the conversations in flight. */
  forget(e164: string): void {
    this.latest.delete(e164);
  }

  async close(): Promise<void> {
    await this.reading;
    await this.handle?.close();
    this.handle = undefined;
  }

  private readMore(): Promise<void> {
    this.reading = this.reading.then(() => this.readChunk());
    return this.reading;
  }

  private async readChunk(): Promise<void> {
    if (!this.handle) {
      try {
        this.handle = await open(this.path, 'r');
      } catch {
        return; // not written yet
      }
    }
    const { size } = await this.handle.stat();
    if (size <= this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset);
    this.offset += bytesRead;
    const bytes = Buffer.concat([this.partial, buffer.subarray(0, bytesRead)]);
    const end = bytes.lastIndexOf(0x0a) + 1;
    this.partial = Buffer.from(bytes.subarray(end));
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const message = JSON.parse(line) as { to: string; text: string };
      const code = CODE.exec(message.text)?.[1];
      if (code !== undefined) this.latest.set(message.to, code);
    }
  }
}
