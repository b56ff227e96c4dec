/**
 * Whether a customer's sentence says their current number may be gone (stopped, cancelled, lost,
 * out of use): then they are asked whether it still receives SMS before a code is sent to it.
 * Pure; read by the chart when a change starts.
 */
const GONE_ZH = /(停用|停机|注销|销号|不用了|不再用|不在用|没用了|作废|丢了|丢失|掉了|被偷|被盗|欠费|收不到短信|收不了短信)/;
const GONE_EN =
  /\b(lost|stolen|no longer (use|have)|don'?t (use|have) (it|that|the old)|(stopped|cancell?ed|disconnected|deactivated|expired)\b|doesn'?t work any ?more|out of service)/;

export function oldNumberGone(text: string): boolean {
  const t = text.normalize('NFKC').toLowerCase();
  return GONE_ZH.test(t) || GONE_EN.test(t);
}

/** Out of use for good (stopped, cancelled, lost) — not merely "the text did not come". */
const OUT_OF_USE_ZH = /(停用|停机|注销|销号|不用了|不再用|不在用|没用了|作废|丢了|丢失|被偷|被盗|欠费)/;

/**
 * At the current number's code prompt: the number cannot receive it at all. "收不到" alone is a
 * question about a code that did not come (answered, the code asked again); "that number is
 * stopped" is the lost-number path.
 */
export function numberOutOfUse(text: string): boolean {
  const t = text.normalize('NFKC').toLowerCase();
  return OUT_OF_USE_ZH.test(t) || GONE_EN.test(t);
}
