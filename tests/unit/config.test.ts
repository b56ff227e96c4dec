import { ConfigError, loadConfig } from '../../config';

describe('configuration', () => {
  test('embedded defaults need no settings at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3978,
      MicrosoftAppId: '',
      DATA_DIR: './var',
      BANK_SEED_PATH: 'data/demo-bank.json',
      SMS_PROVIDER: 'outbox',
      SMS_OUTBOX_PATH: 'var/sms-outbox.jsonl',
      OTP_TTL_SECONDS: 300,
      OTP_MAX_ATTEMPTS: 5,
      OTP_LOCK_MINUTES: 30,
      OTP_RESEND_COOLDOWN_SECONDS: 60,
      IDENTITY_MAX_ATTEMPTS: 3,
    });
  });

  test('empty values count as unset', () => {
    expect(loadConfig({ PORT: '', OTP_TTL_SECONDS: '  ' }).PORT).toBe(3978);
  });

  test('rate limits: rules, or off', () => {
    expect(loadConfig({ RATE_LIMIT_MESSAGES: 'off', RATE_LIMIT_CODES: 'card:3/1d' })).toMatchObject({
      RATE_LIMIT_MESSAGES: 'off',
      RATE_LIMIT_CODES: 'card:3/1d',
      RATE_LIMIT_IDENTITY: 'conversation:6/1h,user:6/1h,ip:30/1h,card:10/1d',
    });
  });

  test('numbers are read from strings', () => {
    expect(loadConfig({ PORT: '8080', OTP_TTL_SECONDS: '120' })).toMatchObject({ PORT: 8080, OTP_TTL_SECONDS: 120 });
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ OTP_TTL_SECONDS: '5' }, 'OTP_TTL_SECONDS'],
    [{ OTP_MAX_ATTEMPTS: '0' }, 'OTP_MAX_ATTEMPTS'],
    [{ SMS_PROVIDER: 'carrier-pigeon' }, 'SMS_PROVIDER'],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MicrosoftAppType: 'Anything' }, 'MicrosoftAppType'],
    [{ MicrosoftAppId: 'abc' }, 'MicrosoftAppPassword'],
    [{ WIDGET_ORIGINS: 'bank.example' }, 'WIDGET_ORIGINS'],
    [{ LOCAL_DIRECT_LINE: 'maybe' }, 'LOCAL_DIRECT_LINE'],
    [{ AGENT_TOKENS: 'a01:王丽:short' }, 'AGENT_TOKENS'],
    [{ AGENT_TOKENS: 'just-a-token-without-an-id' }, 'AGENT_TOKENS'],
    [{ AGENT_HOURS: 'Mon-Fri 18:00-09:00' }, 'AGENT_HOURS'],
    [{ AGENT_HOURS: 'weekdays' }, 'AGENT_HOURS'],
    [{ AGENT_TIMEZONE: 'Mars/Olympus' }, 'AGENT_TIMEZONE'],
    [{ HANDOFF_MODE: 'pigeon' }, 'HANDOFF_MODE'],
    [{ HANDOFF_AVERAGE_MINUTES: '0' }, 'HANDOFF_AVERAGE_MINUTES'],
    [{ STORAGE: 'redis' }, 'REDIS_URL'],
    [{ STORAGE: 'redis', REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ STORAGE: 'mongo' }, 'STORAGE'],
    [{ REDIS_PREFIX: 'has space' }, 'REDIS_PREFIX'],
    [{ SMS_PROVIDER: 'http' }, 'SMS_HTTP_URL'],
    [{ BANK_PROVIDER: 'mainframe' }, 'BANK_PROVIDER'],
    [{ BANK_PROVIDER: 'http' }, 'BANK_HTTP_URL'],
    [{ BANK_PROVIDER: 'http', BANK_HTTP_URL: 'core.bank.example' }, 'BANK_HTTP_URL'],
    [{ BANK_PROVIDER: 'http', BANK_HTTP_URL: 'https://core.bank.example', BANK_HTTP_CERT: 'client.pem' }, 'BANK_HTTP_CERT'],
    [{ ToBotFromChannelOpenIdMetadataUrl: 'not a url' }, 'ToBotFromChannelOpenIdMetadataUrl'],
    [{ SMS_HTTP_TIMEOUT_MS: '10000', SMS_RETRIES: '2' }, 'SMS_HTTP_TIMEOUT_MS'],
    [{ BANK_TIMEOUT_MS: '60000' }, 'BANK_TIMEOUT_MS'],
    [{ RATE_LIMIT_MESSAGES: 'conversation:20' }, 'RATE_LIMIT_MESSAGES'],
    [{ RATE_LIMIT_MESSAGES: 'card:5/1m' }, 'RATE_LIMIT_MESSAGES'],
    [{ RATE_LIMIT_IDENTITY: 'ip:5/1m,ip:9/1h' }, 'RATE_LIMIT_IDENTITY'],
    [{ RATE_LIMIT_CODES: 'card:0/1d' }, 'RATE_LIMIT_CODES'],
    [{ TRUST_PROXY_HOPS: '-1' }, 'TRUST_PROXY_HOPS'],
    [{ TRUST_PROXY_HOPS: '11' }, 'TRUST_PROXY_HOPS'],
    [{ TRANSCRIPT_RETENTION_DAYS: '0' }, 'TRANSCRIPT_RETENTION_DAYS'],
  ])('%j is refused, naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

test('a bad agent token is refused without the token appearing in the message', () => {
  let message = '';
  try {
    loadConfig({ AGENT_TOKENS: 'a01:王丽:tok-aaaaaaaaaaaaaaaa,a02:Li:short-secret' });
  } catch (err) {
    message = String(err);
  }
  expect(message).toContain('entry 2 (a02)');
  expect(message).not.toContain('short-secret');
  expect(message).not.toContain('tok-aaaaaaaaaaaaaaaa');
});
