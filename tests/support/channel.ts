import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { readOutbox } from '../../services/sms/outbox';

/** A channel's own endpoint (the Emulator's `serviceUrl`): what the bot posts there, in order. */
export interface FakeChannel {
  url: string;
  received: Array<{ path: string; activity: Partial<Activity> }>;
  close(): Promise<void>;
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

export async function startFakeChannel(): Promise<FakeChannel> {
  const received: FakeChannel['received'] = [];
  const server = createServer(async (req, res) => {
    received.push({ path: req.url ?? '', activity: JSON.parse(await bodyOf(req)) as Partial<Activity> });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `reply-${received.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The latest one-time code the outbox in `dataDir` holds for `phone` (as an SMS gateway sent it). */
export function lastCodeInOutbox(dataDir: string, phone: string): string {
  const code = readOutbox(join(dataDir, 'sms-outbox.jsonl'))
    .filter((m) => m.to === phone)
    .map((m) => /(\d{6})/.exec(m.text)?.[1])
    .filter(Boolean)
    .at(-1);
  if (!code) throw new Error(`no code for ${phone}`);
  return code;
}
