import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { createLogger } from '../../services/platform/log';
import type { RebindBot } from '../../bot/RebindBot';
import { createBot } from '../../server/createBot';
import { createServices, type ServiceOverrides, type Services } from '../../server/createServices';
import { startServer, type RunningServer } from '../../server/createServer';
import { NLU_CACHE, TEST_SECRET } from './harness';

export const DEMO_SEED = join(__dirname, '..', '..', 'data', 'demo-bank.json');

export interface TestServer {
  running: RunningServer;
  bot: RebindBot;
  /** The server's services (queue, audit, …), to arrange and inspect what the HTTP side does. */
  services: Services;
  /** http://127.0.0.1:<port> */
  base: string;
  dataDir: string;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

/** The real server on a free loopback port, with its own data directory. */
export async function startTestServer(
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rebind-http-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET, BANK_SEED_PATH: DEMO_SEED, ...env });
  const services = await createServices(config, createLogger({ level: 'silent' }), { nluCacheDir: NLU_CACHE, ...overrides });
  const bot = createBot(services);
  const running = await startServer(services, bot);
  return {
    running,
    bot,
    services,
    base: `http://127.0.0.1:${running.port}`,
    dataDir,
    async dispose() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
