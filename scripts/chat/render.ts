/**
 * The pure parts of `npm run chat`: reading the command line and what the user types, building
 * the activities to post, and turning the bot's replies into lines for the terminal.
 */
import type { Activity } from 'botbuilder';

export type ChatLocale = 'zh-CN' | 'en-US';
export const LOCALES: readonly ChatLocale[] = ['zh-CN', 'en-US'];
export const DEFAULT_URL = 'http://localhost:3978/api/messages';

export interface ChatOptions {
  url: string;
  locale: ChatLocale;
}

/** `--url`, `--locale` (and `BOT_URL`), or `{ help: true }`; throws a one-line message when wrong. */
export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ChatOptions | { help: true } {
  let url = env.BOT_URL || DEFAULT_URL;
  let locale: string = 'zh-CN';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === '--help' || name === '-h') return { help: true };
    else if (name === '--url') url = value();
    else if (name === '--locale') locale = value();
    else throw new Error(`unknown option ${arg} (try --help)`);
  }
  if (!LOCALES.includes(locale as ChatLocale)) throw new Error(`--locale must be ${LOCALES.join(' or ')}, not ${locale}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url must be http(s): ${url}`);
  return { url, locale: locale as ChatLocale };
}

export const USAGE = `npm run chat -- [--url ${DEFAULT_URL}] [--locale zh-CN|en-US]
Talk to a running bot from the terminal (BOT_URL also sets the URL).`;

export const HELP = `Type a message and press Enter. A number alone presses that button ([1], [2]…).
  /say TEXT   send TEXT as it is (e.g. "/say 1" when buttons are shown)
  /restart    a new conversation (the bot greets again)
  /json       show the raw reply activities too (again: hide them)
  /help       this text
  /quit       leave (also Ctrl-D)
Each message is posted with deliveryMode "expectReplies": the replies come back in the HTTP
response. Messages the bot sends on its own later (an agent's replies, queue updates) cannot
reach this client; use the web widget or the Emulator for those.`;

/** A button as shown: its number is its place among all the buttons of the last batch of replies. */
export interface Button {
  label: string;
  /** What pressing it sends (imBack: the label). */
  value: string;
}

export type Input =
  | { kind: 'send'; text: string }
  | { kind: 'quit' }
  | { kind: 'restart' }
  | { kind: 'json' }
  | { kind: 'help' }
  | { kind: 'nothing' }
  | { kind: 'unknown'; command: string };

/** What a typed line means, given the buttons on screen. */
export function parseInput(line: string, buttons: readonly Button[]): Input {
  const text = line.trim();
  if (text === '') return { kind: 'nothing' };
  if (text.startsWith('/')) {
    const [command = '', ...rest] = text.slice(1).split(/\s+/);
    switch (command.toLowerCase()) {
      case 'quit':
      case 'exit':
      case 'q':
        return { kind: 'quit' };
      case 'restart':
        return { kind: 'restart' };
      case 'json':
        return { kind: 'json' };
      case 'help':
      case '?':
        return { kind: 'help' };
      case 'say': {
        const said = line.replace(/^\s*\/say\s?/i, '');
        return said.trim() === '' ? { kind: 'nothing' } : { kind: 'send', text: said };
      }
      default:
        return { kind: 'unknown', command: `/${command}${rest.length ? ' …' : ''}` };
    }
  }
  // A short number presses a button; a longer one (a card, a code) is what the user means.
  if (/^\d{1,2}$/.test(text)) {
    const button = buttons[Number(text) - 1];
    if (button) return { kind: 'send', text: button.value };
  }
  return { kind: 'send', text: line };
}

/** Who is talking, in which conversation: what every posted activity carries. */
export interface Conversation {
  id: string;
  userId: string;
  locale: ChatLocale;
}

/** No inbox: proactive messages posted here go nowhere (see HELP). */
const SERVICE_URL = 'http://localhost:1/npm-run-chat-has-no-inbox';

function envelope(conversation: Conversation, id: string): Partial<Activity> {
  return {
    channelId: 'terminal',
    serviceUrl: SERVICE_URL,
    conversation: { id: conversation.id } as Activity['conversation'],
    from: { id: conversation.userId, name: 'You', role: 'user' },
    recipient: { id: 'rebind', name: 'Rebind', role: 'bot' },
    locale: conversation.locale,
    deliveryMode: 'expectReplies',
    timestamp: new Date(),
    id,
  };
}

/** The customer opens the chat: the bot greets. */
export function joinActivity(conversation: Conversation, id: string): Partial<Activity> {
  return {
    ...envelope(conversation, id),
    type: 'conversationUpdate',
    membersAdded: [{ id: conversation.userId, name: 'You' }],
  };
}

export function messageActivity(conversation: Conversation, id: string, text: string): Partial<Activity> {
  return { ...envelope(conversation, id), type: 'message', text };
}

// ---- replies → lines ------------------------------------------------------------------------

export interface Style {
  bot(s: string): string;
  button(s: string): string;
  dim(s: string): string;
  error(s: string): string;
}

const plain: Style = { bot: (s) => s, button: (s) => s, dim: (s) => s, error: (s) => s };
const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const colors: Style = { bot: ansi('36'), button: ansi('33'), dim: ansi('2'), error: ansi('31') };

/** ANSI colours only for a terminal, and never with NO_COLOR set. */
export function styleFor(isTTY: boolean, env: Record<string, string | undefined> = {}): Style {
  return isTTY && !env.NO_COLOR ? colors : plain;
}

/** The order channelData fields are shown in; others follow. */
const FIELD_ORDER = ['key', 'expecting', 'otpTarget', 'intent', 'faqId', 'outcome', 'reason', 'resendAfterSeconds', 'retryAfterSeconds', 'handoff'];

/** `key=ask.otp expecting=otp otpTarget=old resendAfterSeconds=60 handoff.status=waiting …` */
export function formatChannelData(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const entries = Object.entries(data as Record<string, unknown>).sort(
    ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const parts: string[] = [];
  const add = (name: string, value: unknown) => {
    if (value === undefined) return;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) add(`${name}.${k}`, v);
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      parts.push(`${name}=${/\s/.test(text) ? JSON.stringify(text) : text}`);
    }
  };
  for (const [name, value] of entries) add(name, value);
  return parts.join(' ');
}

function rank(field: string): number {
  const i = FIELD_ORDER.indexOf(field);
  return i < 0 ? FIELD_ORDER.length : i;
}

export interface RenderedReplies {
  lines: string[];
  /** Every button of these replies, in the order shown: `[n]` presses `buttons[n - 1]`. */
  buttons: Button[];
}

const BOT = 'bot › ';
const INDENT = ' '.repeat(BOT.length);

/** A batch of replies as terminal lines: text, buttons `[1] label  [2] label`, a dim line of channelData. */
export function renderReplies(
  activities: readonly Partial<Activity>[],
  options: { style?: Style; json?: boolean } = {},
): RenderedReplies {
  const style = options.style ?? plain;
  const lines: string[] = [];
  const buttons: Button[] = [];
  for (const activity of activities) {
    if (activity.type === 'typing') continue;
    if (activity.type === 'message') {
      const text = (activity.text ?? '').split('\n');
      text.forEach((line, i) => lines.push(i === 0 ? `${style.bot(BOT)}${line}` : `${INDENT}${line}`));
      const actions = activity.suggestedActions?.actions ?? [];
      if (actions.length > 0) {
        const shown = actions.map((a) => {
          const label = String(a.title ?? a.value ?? '');
          buttons.push({ label, value: typeof a.value === 'string' ? a.value : label });
          return style.button(`[${buttons.length}] ${label}`);
        });
        lines.push(INDENT + shown.join('  '));
      }
      for (const a of activity.attachments ?? []) lines.push(INDENT + style.dim(`(attachment ${a.contentType})`));
    } else {
      // Events (e.g. handoff.initiate), traces…: shown by type and name.
      lines.push(INDENT + style.dim(`(${activity.type ?? 'activity'}${activity.name ? ` ${activity.name}` : ''})`));
    }
    const data = formatChannelData(activity.channelData);
    if (data) lines.push(INDENT + style.dim(data));
    if (options.json) lines.push(...JSON.stringify(activity, null, 2).split('\n').map((l) => INDENT + style.dim(l)));
  }
  return { lines, buttons };
}
