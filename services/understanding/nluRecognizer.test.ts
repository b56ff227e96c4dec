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

test('a sure topic is answered outright', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({ '要钱吗': [{ label: 'faq.fees', score: 0.9 }, { label: 'faq.howLong', score: 0.1 }] }),
    keywords,
  });
  expect(await r.recognize('要钱吗', zh)).toEqual({ intent: 'faq', faqId: 'fees' });
});

test('an unsure topic with close rivals offers the likeliest two or three', async () => {
  const r = createNluRecognizer({
    classifier: fakeClassifier({
      '改了怎么还是旧的': [
        { label: 'faq.updateDelay', score: 0.55 },
        { label: 'faq.howLong', score: 0.25 },
        { label: 'faq.noticeSms', score: 0.16 },
        { label: 'faq.fees', score: 0.04 },
      ],
    }),
    keywords,
  });
  expect(await r.recognize('改了怎么还是旧的', zh)).toEqual({
    intent: 'faq',
    faqId: 'updateDelay',
    candidates: ['updateDelay', 'howLong', 'noticeSms'],
  });
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
