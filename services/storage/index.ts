/**
 * Conversation state: where the bot keeps each conversation's `{ version, snapshot }` between turns.
 *
 * The port is Bot Framework's own `Storage` (read, write, delete of `StoreItems`), because the bot's
 * `ConversationState` takes nothing else; what we add is the contract every adapter keeps, run on each
 * by `storageContract.test.ts`:
 * - every write gives the item a new eTag; a write carrying another eTag than the stored one (other
 *   than '*') fails with 'eTag conflict'; no eTag or '*' means last writer wins;
 * - a batch is written all or nothing;
 * - values are stored as `storedValue.ts` encodes them (plain JSON, or AES-256-GCM with the item's key
 *   authenticated when an encryption key is given), so a value moves between adapters as it is;
 * - `writeOne` says the new eTag, and `readUnlessUnchanged` skips decoding an item whose stored eTag
 *   is the one the caller holds (`TrackedStorage` below: the bot's warm conversations).
 *
 * Adapters: `sqlite.ts` (one machine, table `conversation_state`), `redis.ts` (several instances).
 * Keys of conversations: `conversationKey.ts`.
 */
import type { Storage as BotStorage, StoreItem } from 'botbuilder';

export type { Storage, StoreItems } from 'botbuilder';

/** What `readUnlessUnchanged` answers when the stored item still has the eTag the caller holds. */
export const UNCHANGED: unique symbol = Symbol('unchanged');

/**
 * A store that lets the bot keep a conversation it just wrote in memory and skip decoding it on the
 * next turn (bot/warmConversations.ts). Both adapters offer it; the bot works with any `Storage`.
 */
export interface TrackedStorage extends BotStorage {
  /** The item as `read` gives it, or UNCHANGED when its stored eTag is `eTag` (nothing is decoded). */
  readUnlessUnchanged(key: string, eTag: string): Promise<StoreItem | undefined | typeof UNCHANGED>;
  /** `write` of one item, under the same eTag rules; resolves to the item's new eTag. */
  writeOne(key: string, item: StoreItem): Promise<string>;
}

export function isTrackedStorage(storage: BotStorage): storage is TrackedStorage {
  const s = storage as Partial<TrackedStorage>;
  return typeof s.readUnlessUnchanged === 'function' && typeof s.writeOne === 'function';
}
