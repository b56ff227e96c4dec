import { loadConfig } from '../config';
import { createLogger } from '../services/platform/log';
import { createBot } from './createBot';
import { createServices } from './createServices';
import { startServer } from './createServer';
import { limitHeapGrowth } from './heapGrowth';

/** The composition root: config → services → machine → bot → server. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const config = loadConfig(env);
  limitHeapGrowth();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const services = await createServices(config, logger);
  const bot = createBot(services);
  const running = await startServer(services, bot);

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
