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
 *   authenticated when an encryption key is given), so a value moves between adapters as it is.
 *
 * Adapters: `sqlite.ts` (one machine, table `conversation_state`), `redis.ts` (several instances).
 * Keys of conversations: `conversationKey.ts`.
 */
export type { Storage, StoreItems } from 'botbuilder';
