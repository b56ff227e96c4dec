import { ConfigurationBotFrameworkAuthentication, type CloudAdapter } from 'botbuilder';
import * as restify from 'restify';
import type { RebindBot } from '../bot/RebindBot';
import { startHandoffRelay, type HandoffRelay } from '../bot/handoffRelay';
import type { Services } from './createServices';
import { createTurnErrorHandler } from './turnErrorHandler';
import { turnLogMiddleware } from './turnLog';
import { allowWidgetOrigins } from './directline/cors';
import { clientIp } from './clientIp';
import { directLineConnectSources, mountAzureDirectLineTokens } from './directline/azureTokens';
import { mountDirectLine } from './directline/directLineRoutes';
import { DirectLineHub } from './directline/hub';
import { createTokenService, randomId } from './directline/tokens';
import { mountStaticFiles } from './staticFiles';
import { useSecurityHeaders } from './securityHeaders';
import { AGENT_API_ERRORS, mountAgentConsole } from './agent/agentRoutes';
import { botAuthenticationOptions, GuardedAuthentication } from './botAuthentication';
import { BotAdapter, mountBotEndpoint } from './botEndpoint';
import { useErrorResponses } from './httpErrors';
import { useJsonBodies } from './requestBody';
import { useOriginFormTargets } from './requestTarget';

export interface RunningServer {
  server: restify.Server;
  adapter: CloudAdapter;
  /** The port actually listened on (useful with PORT=0). */
  port: number;
  relay: HandoffRelay;
  /** Stops taking requests, lets in-flight turns finish, then closes the stores. */
  stop(): Promise<void>;
}

/**
 * The HTTP surface: POST /api/messages through CloudAdapter (Bot Framework auth when an app id is
 * configured; open for the Emulator and scripted clients when it is empty), GET /healthz.
 */
export async function startServer(services: Services, bot: RebindBot): Promise<RunningServer> {
  const { config, logger } = services;
  // The SDK's token check, guarded so that a token is accepted, refused (401) or, when the keys cannot
  // be fetched, not checkable now (503): never a 500 (botAuthentication.ts).
  const authentication = new GuardedAuthentication(new ConfigurationBotFrameworkAuthentication(botAuthenticationOptions(config)), config.MicrosoftAppId !== '');
  const adapter = new BotAdapter(authentication);

  adapter.use(turnLogMiddleware(logger));
  adapter.onTurnError = createTurnErrorHandler(services);
  // Proactive turns (an agent's words, queue updates) go out on the customer's own channel.
  bot.useProactive((reference, logic) => adapter.continueConversationAsync(config.MicrosoftAppId ?? '', reference, logic));
  const relay: HandoffRelay = startHandoffRelay({
    queue: services.queue,
    bot,
    agentName: (agentId) => services.agents.nameOf(agentId) ?? agentId,
    logger,
    ...(services.claimDelivery ? { claimDelivery: services.claimDelivery } : {}),
  });

  const server = restify.createServer({ name: 'rebind' });
  // Every byte from outside is hostile: targets that are not paths are refused before routing, every
  // error is answered without detail, and bodies are JSON, ≤ 1 MB as sent, never decompressed.
  useOriginFormTargets(server);
  useErrorResponses(server, { logger, shapes: [AGENT_API_ERRORS] });
  useJsonBodies(server);

  // Headers on every response; the pages and their assets set their own (securityHeaders.ts).
  useSecurityHeaders(server, { trustProxy: config.TRUST_PROXY_HOPS > 0 });
  const widgetOrigins = (config.WIDGET_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  // Behind Azure Bot Service the widget talks to Azure's Direct Line, with tokens this server exchanges
  // the channel's secret for; on one machine (no app id) to this server's own Direct Line.
  const localDirectLine = config.LOCAL_DIRECT_LINE === 'on' && !config.MicrosoftAppId;
  const azureDirectLine = !localDirectLine && config.DIRECT_LINE_SECRET !== undefined && config.DIRECT_LINE_SECRET !== '';
  mountStaticFiles(server, { widgetOrigins, connectSources: azureDirectLine ? directLineConnectSources(config.DIRECT_LINE_ENDPOINT) : [] });
  const agentConsole = mountAgentConsole({ server, services });
  // The local Direct Line serves the web widget on this machine. Behind Azure Bot Service (an app id
  // is set), Azure's Direct Line does that job and this one stays off.
  let port = config.PORT;
  if (azureDirectLine) {
    allowWidgetOrigins(server, widgetOrigins);
    mountAzureDirectLineTokens({ server, secret: config.DIRECT_LINE_SECRET as string, endpoint: config.DIRECT_LINE_ENDPOINT, logger });
  }
  if (localDirectLine) {
    allowWidgetOrigins(server, widgetOrigins);
    mountDirectLine({
      server,
      adapter,
      bot,
      hub: new DirectLineHub({ clock: services.clock }),
      tokens: createTokenService({ key: services.keys.directLine, ttlMs: config.DIRECT_LINE_TOKEN_MINUTES * 60_000 }),
      logger,
      internalBase: () => `http://127.0.0.1:${port}`,
      capability: randomId(24),
      clientIp: (req) => clientIp(req, config.TRUST_PROXY_HOPS),
    });
  }

  let ready = false;
  let stopping = false;

  mountBotEndpoint({ server, adapter, bot, logger, stopping: () => stopping });
  server.get('/healthz', (_req, res, next) => {
    res.send(ready && !stopping ? 200 : 503, { status: ready && !stopping ? 'ok' : 'unavailable' });
    return next();
  });
  // Prometheus text exposition; open like /healthz, so keep it behind the firewall (README).
  server.get('/metrics', async (_req, res) => {
    const { contentType, body } = await services.metrics.exposition();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });

  await new Promise<void>((resolve) => server.listen(config.PORT, resolve));
  ready = true;
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info('listening', {
    port,
    auth: config.MicrosoftAppId ? 'bot framework' : 'none (local)',
    webChat: localDirectLine
      ? `http://localhost:${port}/`
      : azureDirectLine
        ? `http://localhost:${port}/ on Azure's Direct Line`
        : 'off (set DIRECT_LINE_SECRET for the widget on Azure Direct Line)',
  });

  let stopped: Promise<void> | undefined;
  return {
    server,
    adapter,
    port,
    relay,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        agentConsole.close(); // event streams never go idle on their own
        server.server.closeIdleConnections();
        relay.stop();
        await services.retention.stop(); // no purge still running when the stores close
        await relay.idle();
        await bot.queue.idle();
        // Connections that carried the last turns are idle now: close them too.
        setImmediate(() => server.server.closeIdleConnections());
        const forced = setTimeout(() => server.server.closeAllConnections(), 5000);
        await closed;
        clearTimeout(forced);
        services.close();
        services.metrics.close();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}
