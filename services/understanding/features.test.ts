import { featurizer } from './features';

const f = featurizer();

test('Chinese: jieba words, one concept for synonyms, politeness dropped, character bigrams', () => {
  const a = f.features('zh', '您好，请问电话号码怎么变更');
  const b = f.features('zh', '手机号如何修改');
  for (const concept of ['PHONE', 'CHANGE', 'HOW']) {
    expect(a).toContain(concept);
    expect(b).toContain(concept);
  }
  expect(a).not.toContain('您好');
  expect(a).not.toContain('请问');
  expect(a.some((x) => x.startsWith('~'))).toBe(true);
  // Our banking words stay whole (jieba alone cuts 没收到 as 没收|到, "confiscate").
  expect(f.words('短信没收到')).toContain('没收到');
});

test('a greeting alone is what it says', () => {
  expect(f.features('zh', '你好')).toContain('你好');
  expect(f.features('en', 'hello')).toContain('hello');
});

test('English: stems, concepts and word bigrams', () => {
  const x = f.features('en', 'I lost my mobile');
  expect(x).toEqual(expect.arrayContaining(['LOST', 'PHONE', 'LOST_PHONE']));
});
