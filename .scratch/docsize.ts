import { createHarness } from '../tests/support/harness';
import { driveTo } from '../tests/support/drive';
async function main() {
  const h = await createHarness({ storage: 'sqlite' });
  const c = h.conversation('size');
  await driveTo(h, c, 'confirm');
  const items = await h.services.storage.read(['conversations/test/size']);
  const key = Object.keys(items)[0] ?? '';
  const all = await (h.services.storage as any).read([ (await import('../services/storage/conversationKey')).conversationStorageKey('test/size') ]);
  const doc = Object.values(all)[0] as any;
  console.log('keys', Object.keys(all));
  const size = (x: unknown) => JSON.stringify(x)?.length ?? 0;
  console.log('doc', size(doc), 'snapshot', size(doc.snapshot), 'recent', size(doc.recent), 'reference', size(doc.reference));
  for (const r of doc.recent) console.log('  recent', r.activityId, size(r.replies), r.replies.length);
  console.log(JSON.stringify(doc.recent[doc.recent.length-1].replies[0], null, 1).slice(0, 1500));
  h.dispose();
}
main();
