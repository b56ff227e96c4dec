/**
 * The peer for `npm run bench`: the same change of a bound number written the way the SDK's samples
 * write a multi-turn flow (BotBuilder-Samples `05.multi-turn-prompt`, archived `13.core-bot`):
 * a ComponentDialog with a WaterfallDialog and prompts with validators, ConversationState and
 * UserState on MemoryStorage saved at the end of every turn, an in-memory bank seeded from the same
 * file as the bot, and codes written to an outbox file in the bot's format (so the bench reads them
 * the same way). It asks the same questions in the same order and marks each with the same
 * `channelData.expecting`, so the bench checks every one of its replies as it checks Rebind's.
 *
 * What it leaves out, as a first version would: encryption at rest, an audit trail, transcripts, rate
 * limits, understanding beyond exact choices, durability (everything is in memory), exactly-once.
 *
 * Run as its own process, like the bot: `node --import tsx bench/peerBot.ts` with PORT,
 * BANK_SEED_PATH and SMS_OUTBOX_PATH set. `GET /stats` reports the stored conversations and bytes.
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  MessageFactory,
  UserState,
  type Activity,
  type StatePropertyAccessor,
  type TurnContext,
} from 'botbuilder';
import {
  ChoiceFactory,
  ChoicePrompt,
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  TextPrompt,
  WaterfallDialog,
  type DialogState,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { randomInt } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import * as restify from 'restify';
import type { BankSeed } from '../services/bank';
import { maskPhone } from '../domain/mask';
import { validateCardNumber, validateIdNumber, validateMobile, validateOtp } from '../domain/validation';

// ---- The bank and the SMS gateway, in memory and in a file --------------------------------------

interface Card {
  idNumber: string;
  phone: string;
  active: boolean;
}

class PeerBank {
  private readonly cards = new Map<string, Card>();
  private readonly phones = new Set<string>();

  constructor(seed: BankSeed) {
    for (const customer of seed.customers) {
      for (const card of customer.cards) {
        this.cards.set(card.number, { idNumber: customer.idNumber, phone: card.phone, active: customer.status === 'active' && card.status === 'active' });
        this.phones.add(card.phone);
      }
    }
  }

  verify(card: string, idNumber: string, phone: string): boolean {
    const found = this.cards.get(card);
    return found !== undefined && found.active && found.idNumber === idNumber && found.phone === phone;
  }

  isBound(phone: string): boolean {
    return this.phones.has(phone);
  }

  change(card: string, newPhone: string): void {
    const found = this.cards.get(card);
    if (!found) throw new Error('unknown card');
    this.phones.delete(found.phone);
    found.phone = newPhone;
    this.phones.add(newPhone);
  }
}

class Outbox {
  constructor(private readonly path: string) {}

  /** One JSON line per message, as the bot's outbox writes them. */
  send(to: string, text: string): Promise<void> {
    return appendFile(this.path, `${JSON.stringify({ to, text, at: new Date().toISOString() })}\n`);
  }
}

// ---- The dialog ---------------------------------------------------------------------------------

interface ChangeDetails {
  card?: string;
  idNumber?: string;
  oldPhone?: string;
  newPhone?: string;
  oldCode?: string;
  newCode?: string;
}

/** A prompt's message, marked with what it waits for (the bench checks `expecting`). */
const ask = (text: string, expecting: string): Partial<Activity> => ({
  ...MessageFactory.text(text, text),
  channelData: { expecting },
});

const DETAILS = 'details';
const CONFIRM = '确认';
const CANCEL = '取消';

class ChangePhoneDialog extends ComponentDialog {
  constructor(
    private readonly bank: PeerBank,
    private readonly outbox: Outbox,
  ) {
    super('changePhone');
    this.addDialog(new TextPrompt('card', async (p) => p.recognized.succeeded && validateCardNumber(p.recognized.value ?? '').ok));
    this.addDialog(new TextPrompt('idNumber', async (p) => p.recognized.succeeded && validateIdNumber(p.recognized.value ?? '').ok));
    this.addDialog(new TextPrompt('phone', async (p) => p.recognized.succeeded && validateMobile(p.recognized.value ?? '').ok));
    this.addDialog(new TextPrompt('code', codeMatches));
    // The zh-cn ConfirmPrompt does not understand 确认: choices, as the TECH-NOTES say.
    this.addDialog(new ChoicePrompt('choice', undefined, 'zh-cn'));
    this.addDialog(
      new WaterfallDialog('flow', [
        (step) => step.prompt('card', { prompt: ask('请输入您的银行卡号。', 'cardNumber'), retryPrompt: ask('卡号格式不对，请重新输入银行卡号。', 'cardNumber') }),
        (step) => {
          details(step).card = validateCard(step.result);
          return step.prompt('idNumber', { prompt: ask('请输入您的身份证号码。', 'idNumber'), retryPrompt: ask('证件号码格式不对，请重新输入。', 'idNumber') });
        },
        (step) => {
          details(step).idNumber = validId(step.result);
          return step.prompt('phone', { prompt: ask('请输入银行卡当前绑定的手机号。', 'oldPhone'), retryPrompt: ask('手机号格式不对，请重新输入。', 'oldPhone') });
        },
        async (step) => {
          const d = details(step);
          d.oldPhone = validPhone(step.result);
          if (!this.bank.verify(d.card as string, d.idNumber as string, d.oldPhone)) {
            await step.context.sendActivity(ask('信息核对未通过，请联系人工客服。', 'none'));
            return step.endDialog();
          }
          // As Rebind does since issue 15: the first code goes to the current number at once.
          d.oldCode = await this.sendCode(d.oldPhone);
          return step.prompt('code', {
            prompt: ask('验证码已发送到当前绑定的手机号，请输入6位验证码。', 'otp'),
            retryPrompt: ask('验证码不正确，请重新输入。', 'otp'),
            validations: { code: d.oldCode },
          });
        },
        (step) => step.prompt('phone', { prompt: ask('请输入新的手机号。', 'newPhone'), retryPrompt: ask('手机号格式不对，请重新输入新的手机号。', 'newPhone') }),
        async (step) => {
          const d = details(step);
          d.newPhone = validPhone(step.result);
          if (d.newPhone === d.oldPhone || this.bank.isBound(d.newPhone)) {
            await step.context.sendActivity(ask('该号码不能绑定，请换一个号码。', 'none'));
            return step.endDialog();
          }
          d.newCode = await this.sendCode(d.newPhone);
          return step.prompt('code', {
            prompt: ask('验证码已发送到新手机号，请输入6位验证码。', 'otp'),
            retryPrompt: ask('验证码不正确，请重新输入。', 'otp'),
            validations: { code: d.newCode },
          });
        },
        (step) =>
          step.prompt('choice', {
            prompt: ask(`确认将绑定手机号更换为 ${maskPhone(details(step).newPhone as string)} 吗？`, 'confirm'),
            choices: ChoiceFactory.toChoices([CONFIRM, CANCEL]),
          }),
        async (step) => {
          const d = details(step);
          if ((step.result as { value: string }).value !== CONFIRM) {
            await step.context.sendActivity(ask('已取消。', 'none'));
            return step.endDialog();
          }
          this.bank.change(d.card as string, d.newPhone as string);
          await this.outbox.send(d.oldPhone as string, '您的银行卡绑定手机号已更换。');
          await this.outbox.send(d.newPhone as string, '您的银行卡已绑定本手机号。');
          await step.context.sendActivity({ ...MessageFactory.text('手机号已更换成功。'), channelData: { key: 'change.done', outcome: 'phoneChanged' } });
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = 'flow';
  }

  private async sendCode(phone: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.outbox.send(phone, `【银行】您的验证码是${code}，5分钟内有效。`);
    return code;
  }

  /** Runs the dialog, starting it when nothing is under way (the samples' DialogHelper.run). */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(accessor);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }
}

function details(step: WaterfallStepContext): ChangeDetails {
  const values = step.values as Record<string, ChangeDetails>;
  values[DETAILS] ??= {};
  return values[DETAILS];
}

async function codeMatches(p: PromptValidatorContext<string>): Promise<boolean> {
  const expected = (p.options.validations as { code?: string } | undefined)?.code;
  const check = p.recognized.succeeded ? validateOtp(p.recognized.value ?? '') : undefined;
  return check?.ok === true && check.code === expected;
}

function validateCard(text: unknown): string {
  const check = validateCardNumber(String(text));
  if (!check.ok) throw new Error('validated by the prompt');
  return check.value;
}

function validId(text: unknown): string {
  const check = validateIdNumber(String(text));
  if (!check.ok) throw new Error('validated by the prompt');
  return check.value;
}

function validPhone(text: unknown): string {
  const check = validateMobile(String(text));
  if (!check.ok) throw new Error('validated by the prompt');
  return check.e164;
}

// ---- The bot ------------------------------------------------------------------------------------

/** The samples' DialogBot: the dialog on every message, both states saved once at the turn boundary. */
class PeerBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    dialog: ChangePhoneDialog,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('DialogState');
    const visits = userState.createProperty<number>('visits');
    this.onMessage(async (context, next) => {
      await dialog.run(context, this.dialogState);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) {
          await visits.set(context, ((await visits.get(context, 0)) ?? 0) + 1);
          await context.sendActivity({ ...MessageFactory.text('您好！我可以帮您更换银行卡绑定的手机号。'), channelData: { key: 'welcome.greeting' } });
        }
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
    await this.userState.saveChanges(context, false);
  }
}

async function main(): Promise<void> {
  const seedPath = process.env.BANK_SEED_PATH;
  const outboxPath = process.env.SMS_OUTBOX_PATH;
  if (!seedPath || !outboxPath) throw new Error('BANK_SEED_PATH and SMS_OUTBOX_PATH are required');
  const bank = new PeerBank(JSON.parse(await readFile(seedPath, 'utf8')) as BankSeed);
  // MemoryStorage keeps each item as a JSON string in this object: the bench reads its size.
  const memory: Record<string, string> = {};
  const storage = new MemoryStorage(memory);
  const bot = new PeerBot(new ConversationState(storage), new UserState(storage), new ChangePhoneDialog(bank, new Outbox(outboxPath)));
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = async (context, error) => {
    process.stderr.write(`peer bot turn error: ${error instanceof Error ? error.message : String(error)}\n`);
    await context.sendActivity('The bot encountered an error.');
  };

  const server = restify.createServer({ name: 'peer' });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.get('/stats', (_req, res, next) => {
    const conversations = Object.keys(memory).filter((k) => k.includes('/conversations/')).length;
    const bytes = Object.values(memory).reduce((n, v) => n + Buffer.byteLength(v), 0);
    res.send(200, { conversations, bytes });
    return next();
  });

  const port = Number(process.env.PORT ?? 3980);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = () => {
    server.close(() => process.exit(0));
    server.server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`peer bot failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
