import type { Activity } from 'botbuilder';

/** A scripted Bot Framework client: posts activities with deliveryMode expectReplies. */
export class ExpectRepliesClient {
  private next = 1;
  constructor(
    private readonly baseUrl: string,
    private readonly conversationId: string,
    private readonly locale = 'zh-CN',
  ) {}

  async send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    const res = await fetch(`${this.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'scripted',
        serviceUrl: 'http://localhost:1/unused',
        conversation: { id: this.conversationId },
        from: { id: `user-${this.conversationId}`, role: 'user' },
        recipient: { id: 'rebind', role: 'bot' },
        locale: this.locale,
        deliveryMode: 'expectReplies',
        id: `${this.conversationId}-${this.next++}`,
        ...activity,
      }),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { activities?: Partial<Activity>[] };
    return body.activities ?? [];
  }

  say(text: string, id?: string): Promise<Partial<Activity>[]> {
    return this.send({ type: 'message', text, ...(id ? { id } : {}) });
  }

  join(): Promise<Partial<Activity>[]> {
    return this.send({ type: 'conversationUpdate', membersAdded: [{ id: `user-${this.conversationId}`, name: 'Customer' }] });
  }
}
