/**
 * The yardstick for `npm run bench`: the plain Bot Framework echo bot (BotBuilder-Samples
 * `02.echo-bot`), on the same stack as Rebind — CloudAdapter on restify, no app id (local mode) —
 * with a ConversationState on MemoryStorage saved at the end of every turn.
 *
 * Run as its own process, like the bot: `node --import tsx bench/echoBot.ts` with PORT set.
 * `GET /stats` tells the bench how many conversations the storage holds and how many bytes.
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  MessageFactory,
  type TurnContext,
} from 'botbuilder';
import * as restify from 'restify';

interface EchoState {
  turns: number;
  lastText?: string;
}

class EchoBot extends ActivityHandler {
  private readonly state;

  constructor(private readonly conversationState: ConversationState) {
    super();
    this.state = conversationState.createProperty<EchoState>('echo');
    this.onMessage(async (context, next) => {
      const state = await this.state.get(context, { turns: 0 });
      state.turns += 1;
      state.lastText = context.activity.text;
      await context.sendActivity(MessageFactory.text(`Echo: ${context.activity.text}`, `Echo: ${context.activity.text}`));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) {
          await this.state.get(context, { turns: 0 });
          await context.sendActivity(MessageFactory.text('Hello and welcome!', 'Hello and welcome!'));
        }
      }
      await next();
    });
  }

  /** Saved once, at the turn boundary, as in the samples. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }
}

async function main(): Promise<void> {
  // MemoryStorage keeps each item as a JSON string in this object: the bench reads its size.
  const memory: Record<string, string> = {};
  const conversationState = new ConversationState(new MemoryStorage(memory));
  const bot = new EchoBot(conversationState);
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = async (context, error) => {
    process.stderr.write(`echo bot turn error: ${error instanceof Error ? error.message : String(error)}\n`);
    await context.sendActivity('The bot encountered an error.');
  };

  const server = restify.createServer({ name: 'echo' });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.get('/stats', (_req, res, next) => {
    const values = Object.values(memory);
    res.send(200, { conversations: values.length, bytes: values.reduce((n, v) => n + Buffer.byteLength(v), 0) });
    return next();
  });

  const port = Number(process.env.PORT ?? 3979);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = () => {
    server.close(() => process.exit(0));
    server.server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`echo bot failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
