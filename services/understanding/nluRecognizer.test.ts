import type { Locale } from '../../domain/locale';
import { createKeywordRecognizer } from './keywordRecognizer';
import type { Classifier, Ranked } from './nlpClassifier';
import { createNluRecognizer } from './nluRecognizer';

/** A classifier that answers from a table, so the decision rules can be tested exactly. */
function fakeClassifier(table: Record<string, Ranked[]>): Classifier & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    origin: { from: 'cache', ms: 0 },
    async classify(_locale: Locale, text: string) {
      asked.push(text);
      return table[text] ?? [{ label: 'None', score: 1 }];
    },
  };
}

const keywords = createKeywordRecognizer({ buttonLabels: { agent: ['转人工客服'] } });
const zh = { locale: 'zh-CN' as const };
const en = { locale: 'en-US' as const };

test('a sure topic is answered outright', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ '要钱吗': [{ label: 'faq.fees', score: 0.9 }, { label: 'faq.howLong', score: 0.1 }] }),
    keywords,
  });
  expect(await r.recognize('要钱吗', zh)).toEqual({ intent: 'faq', faqId: 'fees' });
});

test('two topics nearly tied are offered; a clear best topic is answered', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({
      '这个到底怎么回事': [
        { label: 'faq.updateDelay', score: 0.52 },
        { label: 'faq.howLong', score: 0.46 },
        { label: 'faq.noticeSms', score: 0.45 },
        { label: 'faq.fees', score: 0.04 },
      ],
      '那个又是怎么回事': [
        { label: 'faq.updateDelay', score: 0.6 },
        { label: 'faq.howLong', score: 0.35 },
      ],
    }),
    keywords,
  });
  expect(await r.recognize('这个到底怎么回事', zh)).toEqual({
    intent: 'faq',
    faqId: 'updateDelay',
    candidates: ['updateDelay', 'howLong', 'noticeSms'],
  });
  expect(await r.recognize('那个又是怎么回事', zh)).toEqual({ intent: 'faq', faqId: 'updateDelay' });
});

test('identity topics are one family: a best guess, never "which of these?"', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({
      'tell me about the identity check': [
        { label: 'faq.requiredDocuments', score: 0.55 },
        { label: 'faq.whyVerify', score: 0.5 },
      ],
    }),
    keywords,
  });
  expect(await r.recognize('tell me about the identity check', en)).toEqual({ intent: 'faq', faqId: 'requiredDocuments' });
});

test('scope first: another banking subject gets "out of scope", not a neighbouring topic', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({
      '充值为什么要收手续费': [{ label: 'faq.fees', score: 0.97 }],
      'my new card still has not arrived': [{ label: 'faq.otpNotReceived', score: 0.9 }],
      'is there a fee': [{ label: 'faq.fees', score: 0.9 }],
    }),
    keywords,
  });
  expect(await r.recognize('充值为什么要收手续费', zh)).toEqual({ intent: 'none' });
  expect(await r.recognize('my new card still has not arrived', en)).toEqual({ intent: 'none' });
  // No other subject named: the topic stands.
  expect(await r.recognize('is there a fee', en)).toEqual({ intent: 'faq', faqId: 'fees' });
});

test('the task before the topic: asking to change the number is changePhone, unless a problem is named', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({
      '你好，请问手机号码可以改吗': [{ label: 'faq.channels', score: 0.6 }],
      '已经改了号码，验证码还是发到原来的手机': [{ label: 'changePhone', score: 0.7 }],
    }),
    keywords,
  });
  expect(await r.recognize('你好，请问手机号码可以改吗', zh)).toEqual({ intent: 'changePhone' });
  expect(await r.recognize('已经改了号码，验证码还是发到原来的手机', zh)).toEqual({ intent: 'faq', faqId: 'updateDelay' });
});

test('commands only where they are commands', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ 'i need to cancel a payment i made yesterday': [{ label: 'cancel', score: 0.9 }] }),
    keywords,
  });
  expect(await r.recognize('I need to cancel a payment I made yesterday', en)).toEqual({ intent: 'none' });
  // Even when the model has no reading at all, "cancel" with another subject is not the command.
  expect(await r.recognize('my wallet is gone, please cancel my card and send another', en)).toEqual({ intent: 'none' });
  expect(await r.recognize('借款的金额填错了，想取消掉', zh)).toEqual({ intent: 'none' });
  expect(await r.recognize('stop, I need a human', en)).toEqual({ intent: 'handoff' });
  expect(await r.recognize('stop', en)).toEqual({ intent: 'cancel' });
});

test('at a question waiting for typed data, the model alone makes no command', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ 'drop table customers': [{ label: 'handoff', score: 1 }] }),
    keywords,
  });
  expect(await r.recognize('DROP TABLE customers;', { locale: 'en-US', expecting: 'idNumber' })).toEqual({ intent: 'none' });
  expect((await r.recognize('取消', { ...zh, expecting: 'idNumber' })).intent).toBe('cancel');
});

test('below the acceptance threshold the keywords decide, else none', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ '那个什么': [{ label: 'changePhone', score: 0.3 }] }),
    keywords,
  });
  expect(await r.recognize('那个什么', zh)).toEqual({ intent: 'none' });
});

test('an offered label and a short command never reach the model', async () => {
  const classifier = fakeClassifier({});
  const r = createNluRecognizer({ classifier, keywords });
  expect((await r.recognize('转人工客服', zh)).intent).toBe('handoff');
  expect((await r.recognize('取消', zh)).intent).toBe('cancel');
  expect(classifier.asked).toEqual([]);
});

test('numbers typed at a question are data for the chart, not words for the model', async () => {
  const classifier = fakeClassifier({});
  const r = createNluRecognizer({ classifier, keywords });
  expect(await r.recognize('6222 0212 3456 7890 128', { ...zh, expecting: 'cardNumber' })).toEqual({ intent: 'none' });
  expect(classifier.asked).toEqual([]);
});

test('a message with a phone number in it is not taken for a question', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ '新号码是 18612345678': [{ label: 'faq.numberRejected', score: 0.9 }] }),
    keywords,
  });
  expect(await r.recognize('新号码是 18612345678', { ...zh, expecting: 'confirm' })).toEqual({ intent: 'none' });
});

test('yes and no mean something only at a yes/no question', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ '收不到': [{ label: 'deny', score: 0.9 }] }),
    keywords,
  });
  expect(await r.recognize('收不到', { ...zh, expecting: 'oldPhoneReachable' })).toEqual({ intent: 'deny' });
  expect(await r.recognize('收不到', { ...zh, expecting: 'otp' })).toEqual({ intent: 'faq', faqId: 'otpNotReceived' });
});

test('a long sentence naming a person is read by the model: a question about agent hours is a question', async () => {
  const text = '请问你们人工客服几点上班呀';
  const r = createNluRecognizer({
    classifier: fakeClassifier({ [text]: [{ label: 'faq.serviceHours', score: 0.92 }] }),
    keywords,
  });
  expect(await r.recognize(text, zh)).toEqual({ intent: 'faq', faqId: 'serviceHours' });
});
