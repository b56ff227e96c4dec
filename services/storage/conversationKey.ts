const PREFIX = 'rebind/';

/**
 * The storage key of a conversation's document (`rebind/<channelId>/<conversation id>`). The funnel,
 * the logs and the audit of a deletion hash this key, so every one of them must build it here.
 */
export function conversationStorageKey(conversationId: string): string {
  return `${PREFIX}${conversationId}`;
}

/** The conversation id inside a storage key. */
export function conversationIdOfKey(key: string): string {
  return key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
}
