/** Who sent the message a turn is answering: for the rate limits of the effects that turn runs. */
export interface TurnClient {
  /** The channel's user id, as `<channelId>/<from.id>`. */
  user?: string;
  /** The client's address (see TRUST_PROXY_HOPS); absent when the channel does not tell. */
  ip?: string;
}

/**
 * The client of each conversation's turn under way. The bot runs a customer's turn inside
 * `during`; the chart's effects, which know only the conversation, read `of`. Turns of one
 * conversation run one at a time, so a conversation has at most one client at a time. (Passed
 * explicitly rather than through AsyncLocalStorage, whose promise hooks cost every promise of the
 * process on Node 20.)
 */
export interface TurnClients {
  during<T>(conversationId: string, client: TurnClient, task: () => Promise<T>): Promise<T>;
  /** The client of the conversation's turn under way, or `{}` (a turn the bot started itself). */
  of(conversationId: string): TurnClient;
}

export function createTurnClients(): TurnClients {
  const current = new Map<string, TurnClient>();
  return {
    async during(conversationId, client, task) {
      current.set(conversationId, client);
      try {
        return await task();
      } finally {
        current.delete(conversationId);
      }
    },
    of: (conversationId) => current.get(conversationId) ?? {},
  };
}
