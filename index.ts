import { config as loadDotenv } from 'dotenv';
import { ConfigError } from './config';
import { main } from './server/main';

loadDotenv({ quiet: true });
main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Rebind failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
