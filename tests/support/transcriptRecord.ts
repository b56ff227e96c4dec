/**
 * Records a conversation script as a Bot Framework Emulator transcript: the activities both ways, with
 * the fields the Emulator saves (ids, timestamps, localTimestamp, serviceUrl, conversation, from,
 * recipient, replyToId, the client's capabilities). Ids and times are derived from the script, so
 * recording again gives the same file unless the bot's replies changed. Codes never appear: a turn
 * that typed a code is saved as `{{code}}` (or `{{code:+86…}}` when it was not the latest code sent).
 */
import type { Activity } from 'botbuilder';
import { createHash } from 'node:crypto';
import { ScriptRun, type Script } from './script';
import { codesSent, hasPlaceholders } from './scriptPlaceholders';
import type { TranscriptActivity } from './transcript';

/** The customer's typing time before each turn, in the recording. */
export const RECORDING_GAP_MS = 3000;
const SERVICE_URL = 'http://localhost:53559';

/** A UUID-shaped id derived from `seed`: stable across recordings. */
function stableId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** 2026-11-28T10:00:03+08:00: the Emulator's localTimestamp, in China time. */
function localTimestamp(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Plays `script` (it must pass) and returns its first conversation as Emulator activities. */
export async function recordScript(script: Script, name: string): Promise<TranscriptActivity[]> {
  const user = { id: stableId(`${name}/user`), name: 'User' };
  const bot = { id: stableId(`${name}/bot`), name: 'Bot' };
  const conversation = { id: `${stableId(`${name}/conversation`)}|livechat` };
  const out: TranscriptActivity[] = [];
  let n = 0;
  const nextId = () => stableId(`${name}/activity/${n++}`);
  const common = (at: number) => ({
    channelId: 'emulator',
    conversation,
    serviceUrl: SERVICE_URL,
    timestamp: new Date(at).toISOString(),
    localTimestamp: localTimestamp(at),
  });
  let replyTo = '';
  const main = script.turns[0]?.conversation ?? 'main';

  const run: ScriptRun = new ScriptRun(script, {
    gapMs: RECORDING_GAP_MS,
    observer: {
      sent({ conversation: which, activity, turn, at }) {
        if (which !== main) return;
        if (activity.type === 'conversationUpdate') {
          // The Emulator announces the bot, then the user, each in a conversationUpdate.
          for (const member of [bot, user]) {
            out.push({
              type: 'conversationUpdate',
              membersAdded: [{ ...member }],
              ...common(at),
              id: (replyTo = nextId()),
              from: { ...user },
              recipient: { ...bot, role: 'bot' },
              locale: activity.locale,
            });
          }
          return;
        }
        let text = activity.text;
        if (typeof text === 'string' && turn.say !== undefined && /\{\{\s*code/.test(turn.say)) {
          const sms = run.harness.sms;
          const latest = codesSent(sms).at(-1);
          const to = sms.sent.find((m) => m.text.includes(text as string))?.to;
          text = text === latest ? '{{code}}' : `{{code:${to ?? 'unknown'}}}`;
        } else if (typeof text === 'string' && hasPlaceholders(text)) {
          throw new Error(`a placeholder reached the transcript: ${text}`);
        }
        out.push({
          type: activity.type ?? 'message',
          ...(text !== undefined ? { text, textFormat: 'plain' } : {}),
          ...(activity.name ? { name: activity.name } : {}),
          ...(activity.value !== undefined ? { value: activity.value } : {}),
          locale: activity.locale,
          channelData: { clientActivityID: stableId(`${name}/client/${n}`).replace(/-/g, '').slice(0, 24) },
          ...common(at),
          id: (replyTo = nextId()),
          from: { ...user, role: 'user' },
          recipient: { ...bot, role: 'bot' },
          entities: [{ type: 'ClientCapabilities', requiresBotState: true, supportsListening: true, supportsTts: true }],
        });
      },
      replied({ conversation: which, replies, at }) {
        if (which !== main) return;
        replies.forEach((reply: Partial<Activity>, k) => {
          // The harness's addresses, ids and wall-clock times give way to the recording's.
          const { id: _i, timestamp: _t, serviceUrl: _s, channelId: _c, conversation: _v, from: _f, recipient: _r, ...rest } = reply;
          const { replyToId: _rt, ...content } = rest;
          out.push({
            ...(content as Omit<TranscriptActivity, 'type'>),
            type: reply.type ?? 'message',
            ...common(at + 10 * (k + 1)),
            from: { ...bot, role: 'bot' },
            recipient: { id: user.id, role: 'user' },
            replyToId: replyTo,
            id: nextId(),
          });
        });
      },
    },
  });
  await run.start();
  let json: string;
  try {
    for (let i = 0; i < script.turns.length; i += 1) await run.play(i);
    // Through JSON: no undefined fields, as the Emulator writes it.
    json = JSON.stringify(out);
    // Ticket numbers are random: a stable stand-in keeps a new recording of an unchanged flow identical.
    const tickets = new Set(
      out
        .map((a) => ((a.channelData ?? {}) as { handoff?: { ticket?: unknown } }).handoff?.ticket)
        .filter((t): t is string => typeof t === 'string' && t !== ''),
    );
    [...tickets].forEach((ticket, i) => {
      const stable = `H${createHash('sha256').update(`${name}/ticket/${i}`).digest('hex').slice(0, 8).toUpperCase()}`;
      json = json.split(ticket).join(stable);
    });
    for (const code of codesSent(run.harness.sms)) {
      if (new RegExp(`(?<!\\d)${code}(?!\\d)`).test(json)) {
        throw new Error(`${name}: a code sent during the recording is in the transcript`);
      }
    }
  } finally {
    run.dispose();
  }
  return JSON.parse(json) as TranscriptActivity[];
}
