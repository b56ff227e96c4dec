/** `npm run chat`: the pure parts (options, typed lines, activities, replies as terminal lines). */
import type { Activity } from 'botbuilder';
import {
  DEFAULT_URL,
  formatChannelData,
  joinActivity,
  messageActivity,
  parseArgs,
  parseInput,
  renderReplies,
  styleFor,
  type Button,
  type Conversation,
} from '../../scripts/chat/render';

describe('options', () => {
  test('defaults: the local bot, in Chinese; BOT_URL overrides the URL, --url overrides both', () => {
    expect(parseArgs([])).toEqual({ url: DEFAULT_URL, locale: 'zh-CN' });
    expect(parseArgs([], { BOT_URL: 'http://bot:8080/api/messages' })).toEqual({ url: 'http://bot:8080/api/messages', locale: 'zh-CN' });
    expect(parseArgs(['--url', 'http://a/api/messages', '--locale=en-US'], { BOT_URL: 'http://b' })).toEqual({
      url: 'http://a/api/messages',
      locale: 'en-US',
    });
    expect(parseArgs(['--help'])).toEqual({ help: true });
  });

  test.each([
    [['--locale', 'fr-FR'], '--locale must be zh-CN or en-US, not fr-FR'],
    [['--url'], '--url needs a value'],
    [['--url', 'localhost:3978'], '--url must be http(s): localhost:3978'],
    [['--url', 'not a url'], '--url is not a URL: not a url'],
    [['--verbose'], 'unknown option --verbose (try --help)'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('what a typed line means', () => {
  const buttons: Button[] = [
    { label: '更换绑定手机号', value: '更换绑定手机号' },
    { label: '常见问题', value: '常见问题' },
  ];

  test.each([
    ['1', { kind: 'send', text: '更换绑定手机号' }],
    [' 2 ', { kind: 'send', text: '常见问题' }],
    // No such button, or a number that is data (a code, a card): sent as typed.
    ['3', { kind: 'send', text: '3' }],
    ['909090', { kind: 'send', text: '909090' }],
    ['6222021234567890128', { kind: 'send', text: '6222021234567890128' }],
    ['我要换绑手机号', { kind: 'send', text: '我要换绑手机号' }],
    ['/say 1', { kind: 'send', text: '1' }],
    ['/say', { kind: 'nothing' }],
    ['   ', { kind: 'nothing' }],
    ['/quit', { kind: 'quit' }],
    ['/exit', { kind: 'quit' }],
    ['/restart', { kind: 'restart' }],
    ['/JSON', { kind: 'json' }],
    ['/help', { kind: 'help' }],
    ['/frobnicate now', { kind: 'unknown', command: '/frobnicate …' }],
  ])('%j → %j', (line, input) => {
    expect(parseInput(line, buttons)).toEqual(input);
  });

  test('without buttons on screen, a small number is just text (e.g. a rating)', () => {
    expect(parseInput('5', [])).toEqual({ kind: 'send', text: '5' });
  });
});

describe('the activities posted', () => {
  const conversation: Conversation = { id: 'chat-abc', userId: 'terminal-abc', locale: 'en-US' };

  test('a message asks for the replies in the HTTP response, in the chosen language', () => {
    expect(messageActivity(conversation, 'chat-abc-2', 'hello')).toMatchObject({
      type: 'message',
      text: 'hello',
      id: 'chat-abc-2',
      locale: 'en-US',
      deliveryMode: 'expectReplies',
      channelId: 'terminal',
      conversation: { id: 'chat-abc' },
      from: { id: 'terminal-abc', role: 'user' },
      recipient: { id: 'rebind' },
    });
  });

  test('opening the chat is a conversationUpdate with the user joining', () => {
    expect(joinActivity(conversation, 'chat-abc-1')).toMatchObject({
      type: 'conversationUpdate',
      membersAdded: [{ id: 'terminal-abc' }],
      deliveryMode: 'expectReplies',
    });
  });
});

describe('replies as terminal lines', () => {
  const greeting: Partial<Activity> = {
    type: 'message',
    text: '您好，我是本行智能客服。\n请点击下方选项。',
    suggestedActions: {
      to: [],
      actions: [
        { type: 'imBack', title: '更换绑定手机号', value: '更换绑定手机号' },
        { type: 'imBack', title: '常见问题', value: '常见问题' },
      ],
    },
    channelData: { key: 'welcome.greeting' },
  };
  const code: Partial<Activity> = {
    type: 'message',
    text: 'A code was sent to 138****8000.',
    suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'Resend', value: 'Resend' }] },
    channelData: {
      resendAfterSeconds: 60,
      intent: 'inform',
      key: 'ask.otp',
      expecting: 'otp',
      otpTarget: 'old',
      handoff: { status: 'waiting', position: 2 },
      note: 'two words',
    },
  };

  test('text, then numbered buttons, then a line of channelData; numbers run across the batch', () => {
    const { lines, buttons } = renderReplies([greeting, { type: 'typing' }, code]);
    expect(lines).toEqual([
      'bot › 您好，我是本行智能客服。',
      '      请点击下方选项。',
      '      [1] 更换绑定手机号  [2] 常见问题',
      '      key=welcome.greeting',
      'bot › A code was sent to 138****8000.',
      '      [3] Resend',
      '      key=ask.otp expecting=otp otpTarget=old intent=inform resendAfterSeconds=60 handoff.status=waiting handoff.position=2 note="two words"',
    ]);
    expect(buttons.map((b) => b.value)).toEqual(['更换绑定手机号', '常见问题', 'Resend']);
  });

  test('events are shown by name; /json adds the raw activity', () => {
    const event: Partial<Activity> = { type: 'event', name: 'handoff.initiate', value: { ticket: 'H1' } };
    expect(renderReplies([event]).lines).toEqual(['      (event handoff.initiate)']);
    const raw = renderReplies([event], { json: true }).lines.join('\n');
    expect(raw).toContain('"name": "handoff.initiate"');
  });

  test('colours only on a terminal, and not with NO_COLOR', () => {
    expect(styleFor(true).dim('x')).toBe('\x1b[2mx\x1b[0m');
    expect(styleFor(false).dim('x')).toBe('x');
    expect(styleFor(true, { NO_COLOR: '1' }).dim('x')).toBe('x');
    expect(renderReplies([greeting], { style: styleFor(true) }).lines[0]).toBe('\x1b[36mbot › \x1b[0m您好，我是本行智能客服。');
  });

  test('channelData that is missing or not an object shows nothing', () => {
    expect(formatChannelData(undefined)).toBe('');
    expect(formatChannelData('x')).toBe('');
  });
});
