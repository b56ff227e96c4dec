/**
 * `npm run chat`: talk to a running bot from the terminal, for quick manual checks. Each line is a
 * message; the replies show their text, their buttons as `[1] label  [2] label` (type the number
 * to press one) and a dim line of channelData. `--url` (or BOT_URL) and `--locale zh-CN|en-US`;
 * /help in the chat lists the commands. Exits 1 when the bot cannot be reached, 2 on bad options.
 */
import { createInterface } from 'node:readline';
import { createChatClient, type ChatClient } from './chat/client';
import { HELP, parseArgs, parseInput, renderReplies, styleFor, USAGE, type Button } from './chat/render';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`chat: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if ('help' in options) {
    process.stdout.write(`${USAGE}\n\n${HELP}\n`);
    return 0;
  }

  const style = styleFor(process.stdout.isTTY === true, process.env);
  const client: ChatClient = createChatClient(options);
  let buttons: Button[] = [];
  let json = false;
  const show = (activities: Awaited<ReturnType<ChatClient['send']>>) => {
    const rendered = renderReplies(activities, { style, json });
    buttons = rendered.buttons;
    if (rendered.lines.length > 0) process.stdout.write(rendered.lines.join('\n') + '\n');
  };

  try {
    process.stdout.write(style.dim(`${options.url} · ${options.locale} · conversation ${client.conversation.id} · /help for commands`) + '\n');
    show(await client.join());
  } catch (err) {
    process.stderr.write(style.error(`chat: ${err instanceof Error ? err.message : String(err)}`) + '\n');
    return 1;
  }

  const interactive = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  rl.setPrompt('you › ');
  const prompt = () => interactive && rl.prompt();
  prompt();
  for await (const line of rl) {
    const input = parseInput(line, buttons);
    try {
      switch (input.kind) {
        case 'quit':
          rl.close();
          return 0;
        case 'help':
          process.stdout.write(HELP + '\n');
          break;
        case 'json':
          json = !json;
          process.stdout.write(style.dim(`raw replies ${json ? 'on' : 'off'}`) + '\n');
          break;
        case 'restart':
          show(await client.restart());
          process.stdout.write(style.dim(`conversation ${client.conversation.id}`) + '\n');
          break;
        case 'unknown':
          process.stdout.write(style.error(`unknown command ${input.command}; /help lists them`) + '\n');
          break;
        case 'send':
          // Without a terminal the typed line is not echoed: show what was sent (or a button's value).
          if (!interactive || input.text !== line) process.stdout.write(style.dim(`you › ${input.text}`) + '\n');
          show(await client.send(input.text));
          break;
        case 'nothing':
          break;
      }
    } catch (err) {
      // The bot stopped or refused this one: say so and keep the prompt (it may be back in a moment).
      process.stderr.write(style.error(`chat: ${err instanceof Error ? err.message : String(err)}`) + '\n');
    }
    prompt();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chat failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
