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

/** Who changes which number, as `changeNumber` needs them. */
export interface ChangeParties {
  customer: { card: string; id: string; phone: string; national: string };
  to: { phone: string; national: string };
  /** The latest code an SMS carried to a number (E.164). */
  codeFor: (phone: string) => string;
}

/**
 * A whole change over HTTP, answering whatever the bot asks (`channelData.expecting`) until it says
 * the number was changed; throws when it asks anything else or never finishes. Returns the last reply.
 */
export async function changeNumber(client: Pick<ExpectRepliesClient, 'say'>, { customer, to, codeFor }: ChangeParties): Promise<Partial<Activity>> {
  let replies = await client.say('更换绑定手机号');
  for (let step = 0; step < 12; step += 1) {
    const said = (replies[replies.length - 1]?.channelData ?? {}) as { expecting?: string; otpTarget?: string; outcome?: string };
    if (said.outcome === 'phoneChanged') return replies[replies.length - 1] as Partial<Activity>;
    const answers: Record<string, () => string> = {
      cardNumber: () => customer.card,
      idNumber: () => customer.id,
      oldPhone: () => customer.national,
      oldPhoneReachable: () => '能收到',
      otp: () => codeFor(said.otpTarget === 'new' ? to.phone : customer.phone),
      newPhone: () => to.national,
      confirm: () => '确认',
    };
    const answer = said.expecting === undefined ? undefined : answers[said.expecting];
    if (answer === undefined) throw new Error(`the bot asked something a change does not: ${JSON.stringify(said)}`);
    replies = await client.say(answer());
  }
  throw new Error('the change did not finish in 12 answers');
}
