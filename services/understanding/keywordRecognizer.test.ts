import type { Recognition, RecognizerContext } from '../../domain/recognizer';
import type { Expecting } from '../../domain/expecting';
import type { Intent } from '../../domain/intent';
import { BUTTON_NAMES } from './buttonLabels';
import { buttonLabelsFrom, createKeywordRecognizer, defaultKeywords, normalizeText } from './index';

const zh = (expecting?: Expecting): RecognizerContext => ({ locale: 'zh-CN', expecting });
const en = (expecting?: Expecting): RecognizerContext => ({ locale: 'en-US', expecting });

/** Stand-ins for the catalogues' `button.*` labels (the real files are read at the composition root). */
const ZH_BUTTONS: Record<string, string> = {
  'button.changePhone': '更换手机号',
  'button.faq': '常见问题',
  'button.agent': '转人工',
  'button.yes': '是',
  'button.no': '否',
  'button.confirm': '确认修改',
  'button.cancel': '取消',
  'button.resend': '重新发送',
  'button.restart': '重新开始',
};
const EN_BUTTONS: Record<string, string> = {
  'button.changePhone': 'Change my phone number',
  'button.faq': 'FAQ',
  'button.agent': 'Talk to an agent',
  'button.yes': 'Yes',
  'button.no': 'No',
  'button.confirm': 'Confirm the change',
  'button.cancel': 'Cancel',
  'button.resend': 'Send the code again',
  'button.restart': 'Start over',
  'title.unrelated': 'Not a button',
};

/** A recognition without where it came from: the tables state intents and topics. */
const plain = ({ source: _source, ...r }: Recognition): Omit<Recognition, 'source'> => r;

const recognizer = createKeywordRecognizer({ buttonLabels: buttonLabelsFrom([ZH_BUTTONS, EN_BUTTONS]) });

const HUGE_NOISE = 'x'.repeat(100_000);
const HUGE_HANDOFF = '转人工 ' + '啊'.repeat(100_000);
const HUGE_TAIL = '啊'.repeat(100_000) + '转人工'; // past the 500 characters looked at
const HUGE_NOT = '不'.repeat(100_000);
const HUGE_TAGS = '<'.repeat(50_000) + '<b'.repeat(25_000);
const HUGE_DIGITS = '1'.repeat(100_000);

type Row = [text: string, context: RecognizerContext, intent: Intent, faqId?: string];

const rows: Row[] = [
  // changePhone
  ['我要换手机号', zh(), 'changePhone'],
  ['你好，我想更换绑定手机号', zh(), 'changePhone'],
  ['变更预留手机号', zh(), 'changePhone'],
  ['手机号换了', zh(), 'changePhone'],
  ['换绑', zh(), 'changePhone'],
  ['I want to change my phone number', en(), 'changePhone'],
  ['Update mobile number please', en(), 'changePhone'],
  ['I got a new number', en(), 'changePhone'],
  ['help me change my phone number', en(), 'changePhone'], // outside a flow the specific ask wins over "help"
  // handoff
  ['人工', zh(), 'handoff'],
  ['人工呐', zh(), 'handoff'],
  ['转人工！！', zh(), 'handoff'],
  ['我要投诉', zh(), 'complaint'],
  ['找真人', zh('cardNumber'), 'handoff'],
  ['I want to talk to a person', en(), 'handoff'],
  ['agent', en('otp'), 'handoff'],
  ['I have a complaint', en(), 'complaint'],
  ['客服 6222021234567890123', zh('cardNumber'), 'handoff'], // a clear command wins over typed digits
  // cancel
  ['取消', zh('cardNumber'), 'cancel'],
  ['算了吧', zh('newPhone'), 'cancel'],
  ['不改了', zh(), 'cancel'],
  ['不用了', zh(), 'cancel'],
  ['不用了', zh('idNumber'), 'cancel'],
  ['取消 13800138000', zh('newPhone'), 'cancel'],
  ['cancel', en('confirm'), 'cancel'],
  ['never mind', en(), 'cancel'],
  ['Stop.', en('otp'), 'cancel'],
  // restart
  ['重新开始', zh('otp'), 'restart'],
  ['从头开始吧', zh('confirm'), 'restart'],
  ['start over', en('newPhone'), 'restart'],
  // help
  ['怎么填', zh('idNumber'), 'help'],
  ['这是什么意思？', zh('confirm'), 'help'],
  ['help', en('cardNumber'), 'help'],
  ['what should I enter', en('oldPhone'), 'help'],
  ['help', en(), 'help'],
  // greeting, thanks
  ['你好', zh(), 'greeting'],
  ['您好～', zh(), 'greeting'],
  ['在吗', zh(), 'greeting'],
  ['Hello!', en(), 'greeting'],
  ['hey there', en(), 'greeting'],
  ['谢谢', zh(), 'thanks'],
  ['好的谢谢', zh(), 'thanks'],
  ['再见', zh(), 'goodbye'],
  ['Thank you so much', en(), 'thanks'],
  ['bye', en(), 'goodbye'],
  // resend
  ['重发', zh('otp'), 'resend'],
  ['没收到重发', zh('otp'), 'resend'],
  ['再发一次', zh(), 'resend'],
  ['resend', en('otp'), 'resend'],
  ['please send it again', en('otp'), 'resend'],
  ['new code', en(), 'resend'],
  // FAQ topics
  ['收不到验证码怎么办', zh(), 'faq', 'otpNotReceived'],
  ['没收到', zh('otp'), 'faq', 'otpNotReceived'],
  ["I didn't get the code", en('otp'), 'faq', 'otpNotReceived'],
  ['验证码错误', zh(), 'faq', 'otpWrong'],
  ['the code is wrong', en(), 'faq', 'otpWrong'],
  ['身份验证失败了', zh(), 'faq', 'identityFailed'],
  ['identity check failed', en(), 'faq', 'identityFailed'],
  ['我的卡被冻结了', zh(), 'faq', 'accountAbnormal'],
  ['my account frozen', en(), 'faq', 'accountAbnormal'],
  ['新号码无法绑定', zh(), 'faq', 'numberRejected'],
  ['number not accepted', en(), 'faq', 'numberRejected'],
  ['改了还是旧号', zh(), 'faq', 'updateDelay'],
  ['换了手机号但支付宝还是旧的', zh(), 'faq', 'updateDelay'], // a topic beats changePhone
  ['it still shows the old number', en(), 'faq', 'updateDelay'],
  ['手机丢了', zh(), 'faq', 'oldNumberLost'],
  ['预留手机不用了', zh(), 'faq', 'oldNumberLost'], // decided: the old number being out of use is the point
  ['I lost my phone', en(), 'faq', 'oldNumberLost'],
  ['需要什么材料', zh(), 'faq', 'requiredDocuments'],
  ['What do I need?', en(), 'faq', 'requiredDocuments'],
  ['这个安全吗', zh(), 'faq', 'safety'],
  ['is this a scam', en(), 'faq', 'safety'],
  ['常见问题', zh(), 'faq', 'menu'],
  ['common questions', en(), 'faq', 'menu'],
  // yes/no at a yes/no question
  ['是', zh('confirm'), 'affirm'],
  ['是的', zh('oldPhoneReachable'), 'affirm'],
  ['能', zh('oldPhoneReachable'), 'affirm'],
  ['能收到', zh('oldPhoneReachable'), 'affirm'],
  ['嗯嗯', zh('confirm'), 'affirm'],
  ['没问题', zh('confirm'), 'affirm'],
  ['对的，能收到短信', zh('oldPhoneReachable'), 'affirm'],
  ['不，能收到', zh('oldPhoneReachable'), 'affirm'], // the answer the message ends on
  ['不能收到', zh('oldPhoneReachable'), 'deny'],
  ['收不到', zh('oldPhoneReachable'), 'deny'],
  ['不是', zh('confirm'), 'deny'],
  ['不对', zh('confirm'), 'deny'],
  ['不可以', zh('confirm'), 'deny'],
  ['不用了', zh('confirm'), 'deny'],
  ['好的，但是新号码填错了', zh('confirm'), 'deny'],
  ['好的，但是我想再看看', zh('confirm'), 'none'], // a "but" voids the yes before it
  ['旧手机丢了', zh('oldPhoneReachable'), 'deny'],
  ['收不到验证码', zh('oldPhoneReachable'), 'deny'],
  ['你好', zh('confirm'), 'greeting'], // 好 inside 你好 is no yes
  ['是不是要带身份证', zh('confirm'), 'faq', 'requiredDocuments'],
  ['是安全的吗?', zh('confirm'), 'faq', 'safety'],
  ['我不知道', zh('confirm'), 'none'],
  ['嗯，那个我想改一下新号码', zh('confirm'), 'none'], // 嗯 does not count inside a long message
  ['yes', en('confirm'), 'affirm'],
  ['Yeah sure', en('oldPhoneReachable'), 'affirm'],
  ['no problem', en('confirm'), 'affirm'],
  ['not ok', en('confirm'), 'deny'],
  ["No, it can't", en('oldPhoneReachable'), 'deny'],
  ['nope', en('confirm'), 'deny'],
  ['no sms anymore', en('oldPhoneReachable'), 'deny'],
  // yes/no elsewhere: short messages only
  ['好的', zh(), 'affirm'],
  ['ok', en(), 'affirm'],
  ['不', zh(), 'deny'],
  ['no', en('newPhone'), 'deny'],
  ['好的，我想先问一下其他的事情可以吗', zh(), 'none'],
  ['yes I would like to know more about it', en(), 'none'],
  // English word boundaries
  ['my number', en(), 'none'], // "no" is not in "number"
  ['I read a book', en(), 'none'], // "ok" is not in "book"
  ['nothing', en('confirm'), 'none'], // "not" is not in "nothing"
  ['history', en(), 'none'], // "hi" is not in "history"
  ['they said hi', en(), 'greeting'],
  // digits are data
  ['123456', zh('otp'), 'none'],
  ['验证码是 654321', zh('otp'), 'none'],
  ['６２２２ ０２１２ ３４５６ ７８９０', zh('cardNumber'), 'none'],
  ['11010519491231002X', zh('idNumber'), 'none'],
  ['my new number is 13800138000', en('newPhone'), 'none'],
  ['13800138000', zh(), 'none'],
  ['1', zh('confirm'), 'none'],
  ['6222021234567890 重发', zh('otp'), 'resend'],
  // fullwidth, emoji, markup, empty
  ['ＨＥＬＰ', en('otp'), 'help'],
  ['ＹＥＳ！', en('confirm'), 'affirm'],
  ['ｃａｎｃｅｌ', en(), 'cancel'],
  ['好的👍', zh('confirm'), 'affirm'],
  ['👍', zh('confirm'), 'none'], // an emoji alone confirms nothing
  ['🙏谢谢🙏', zh(), 'thanks'],
  ['<b>转人工</b>', zh(), 'handoff'],
  ['<script>alert(1)</script>', zh(), 'none'],
  ['<p>yes</p>', en('confirm'), 'affirm'],
  ['', zh(), 'none'],
  ['   ', zh('confirm'), 'none'],
  ['？？？', zh('confirm'), 'none'],
  // 100 KB
  [HUGE_NOISE, en(), 'none'],
  [HUGE_HANDOFF, zh(), 'handoff'],
  [HUGE_TAIL, zh(), 'none'],
  [HUGE_NOT, zh('confirm'), 'none'],
  [HUGE_TAGS, zh(), 'none'],
  [HUGE_DIGITS, zh('cardNumber'), 'none'],
  // button labels: exact label first
  ['更换手机号', zh('otp'), 'changePhone'],
  ['常见问题', zh('cardNumber'), 'faq', 'menu'],
  ['转人工', zh(), 'handoff'],
  ['是', zh(), 'affirm'],
  ['否', zh('confirm'), 'deny'],
  ['确认修改', zh('confirm'), 'affirm'],
  ['取消', zh('confirm'), 'cancel'],
  ['重新发送', zh('otp'), 'resend'],
  ['重新开始', zh(), 'restart'],
  ['Talk to an agent', en(), 'handoff'],
  ['FAQ', en('otp'), 'faq', 'menu'],
  ['Confirm the change', en('confirm'), 'affirm'],
  ['Send the code again', en('otp'), 'resend'],
  ['  start   OVER ', en(), 'restart'],
  ['No', en('confirm'), 'deny'],
];

describe('keyword recogniser', () => {
  // Padded to four columns: jest passes a `done` callback to a test with more parameters than the row.
  const table = rows.map(([text, context, intent, faqId]): Required<Row> => [text, context, intent, faqId ?? '']);
  test.each(table)('%j at %j → %s %s', (text, context, intent, faqId) => {
    const recognition = plain(recognizer.recognize(text, context));
    expect(recognition).toEqual(faqId === '' ? { intent } : { intent, faqId });
  });

  it('has at least 80 rows covering every intent and every topic', () => {
    expect(rows.length).toBeGreaterThanOrEqual(80);
    const intents = new Set(rows.map(([, , intent]) => intent));
    const everyIntent: Intent[] = [
      'changePhone', 'faq', 'handoff', 'cancel', 'restart', 'help', 'greeting', 'thanks', 'affirm', 'deny',
      'resend', 'complaint', 'goodbye', 'none',
    ];
    expect([...intents].sort()).toEqual([...everyIntent].sort());
    const topics = new Set(rows.map(([, , , faqId]) => faqId).filter((id) => id !== undefined));
    expect([...topics].sort()).toEqual(Object.keys(defaultKeywords.faq).sort());
  });

  it('is deterministic and keeps no state between messages', () => {
    const first = rows.map(([text, context]) => recognizer.recognize(text, context));
    const second = rows.map(([text, context]) => recognizer.recognize(text, context));
    expect(second).toEqual(first);
  });

  it('without button labels, a label is just words', () => {
    const plain = createKeywordRecognizer();
    expect(plain.recognize('Talk to an agent', en())).toEqual({ intent: 'handoff' });
    expect(plain.recognize('确认修改', zh('confirm'))).toEqual({ intent: 'affirm' });
    expect(plain.recognize('Send the code again', en('otp'))).toEqual({ intent: 'resend' });
  });

  it('takes other training words', () => {
    const custom = createKeywordRecognizer({
      keywords: { intents: { handoff: { 'zh-CN': ['找经理'] } }, faq: { fees: { 'en-US': ['how much'] } } },
    });
    expect(custom.recognize('我要找经理', zh())).toEqual({ intent: 'handoff' });
    expect(custom.recognize('How much does it cost?', en())).toEqual({ intent: 'faq', faqId: 'fees' });
    expect(custom.recognize('人工', zh())).toEqual({ intent: 'none' });
  });
});

describe('buttonLabelsFrom', () => {
  it('collects button.* labels of every catalogue, without duplicates', () => {
    const labels = buttonLabelsFrom([ZH_BUTTONS, EN_BUTTONS, ZH_BUTTONS]);
    expect(labels.agent).toEqual(['转人工', 'Talk to an agent']);
    expect(labels.faq).toEqual(['常见问题', 'FAQ']);
    // Every button has an entry, with or without labels.
    expect(Object.keys(labels).sort()).toEqual([...BUTTON_NAMES].sort());
    expect(labels.stopWaiting).toEqual([]);
  });

  it('skips missing and blank labels and reads nested catalogues', () => {
    const labels = buttonLabelsFrom([{ 'button.yes': ' ' }, { button: { yes: '好的呀', no: 42 } }, {}]);
    expect(labels.yes).toEqual(['好的呀']);
    expect(labels.no).toEqual([]);
  });
});

describe('normalizeText', () => {
  test.each<[string, string]>([
    ['  Ｈｅｌｌｏ，　ＷＯＲＬＤ！！ ', 'hello, world'],
    ['好的。。。', '好的'],
    ['ok~', 'ok'],
    ['<b>yes</b> &amp; no', 'yes & no'],
    ['谢谢😀👍🏽', '谢谢'],
    ['a   b\t\nc', 'a b c'],
    ['I can’t', "i can't"],
  ])('%j → %j', (raw, text) => {
    expect(normalizeText(raw).text).toBe(text);
  });

  it('looks at no more than the first 500 characters', () => {
    expect(normalizeText('好'.repeat(100_000)).compact).toHaveLength(500);
  });
});

describe('with the real catalogues\' button labels', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const real = createKeywordRecognizer({
    buttonLabels: buttonLabelsFrom([require('../../content/zh-CN.json'), require('../../content/en-US.json')]),
  });
  test.each<[string, RecognizerContext, Intent, string]>([
    ['收不到', zh('oldPhoneReachable'), 'deny', ''],
    ['能收到', zh('oldPhoneReachable'), 'affirm', ''],
    // The same words at a code prompt are a question: the code did not arrive.
    ['收不到', zh('otp'), 'faq', 'otpNotReceived'],
    // "This number can't get texts" (the code prompt's button, or the words) answers a code prompt only.
    ['这个号码收不到短信', zh('otp'), 'cantReceive', ''],
    ["This number can't get texts", en('otp'), 'cantReceive', ''],
    ['号码停用了', zh('otp'), 'cantReceive', ''],
    // Away from a code prompt the same words are the old-number topic, not hidden by the longer phrase.
    ['号码注销了', zh(), 'faq', 'oldNumberLost'],
    ['I no longer have that number', en('otp'), 'cantReceive', ''],
    ["No, I can't", en('oldPhoneReachable'), 'deny', ''],
    ['确认更换', zh('confirm'), 'affirm', ''],
    ['转人工客服', zh('otp'), 'handoff', ''],
    ['重新发送验证码', zh('otp'), 'resend', ''],
    ['I want to change my bound phone number', en(), 'changePhone', ''],
    ['I got a new SIM, need to update my number', en(), 'changePhone', ''],
    ['我要改预留手机号', zh(), 'changePhone', ''],
    ['帮我更换一下绑定的手机', zh(), 'changePhone', ''],
  ])('%j at %j → %s %s', (text, context, intent, faqId) => {
    expect(plain(real.recognize(text, context))).toEqual(faqId ? { intent, faqId } : { intent });
  });
});

test('the "can\'t receive" label is not that button away from a code prompt', () => {
  const r = createKeywordRecognizer({ buttonLabels: { cantReceive: ['这个号码收不到短信'] } });
  expect(r.recognize('这个号码收不到短信', zh('otp'))).toEqual({ intent: 'cantReceive', source: 'label' });
  expect(r.recognize('这个号码收不到短信', zh()).intent).not.toBe('cantReceive');
});

test('an exact button label or topic title is marked as such', () => {
  const r = createKeywordRecognizer({ buttonLabels: { agent: ['转人工'] }, topicTitles: { fees: ['要收费吗'] } });
  expect(r.recognize('转人工', zh())).toEqual({ intent: 'handoff', source: 'label' });
  expect(r.recognize('要收费吗', zh())).toEqual({ intent: 'faq', faqId: 'fees', source: 'label' });
});

test('a message normalised once reads as the raw message does', () => {
  const r = createKeywordRecognizer({ buttonLabels: { agent: ['转人工'], yes: ['是'] }, topicTitles: { fees: ['要收费吗'] } });
  const cases: Array<[string, RecognizerContext]> = [
    ['转人工', zh()],
    ['要收费吗', zh()],
    ['是', zh('confirm')],
    ['验证码收不到怎么办', zh('otp')],
    ['13800138000', zh('newPhone')],
    ['I want to change my bound phone number', en()],
    ['', zh()],
  ];
  const intents = new Set<string>();
  for (const [text, context] of cases) {
    const once = r.recognizeNormalized(normalizeText(text), context);
    expect(once).toEqual(r.recognize(text, context));
    intents.add(once.intent);
  }
  // The cases read as different things: the two ways agree on more than "none".
  expect(intents.size).toBeGreaterThanOrEqual(4);
});
