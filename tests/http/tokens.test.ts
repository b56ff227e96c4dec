import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { cd, last } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

/*
 * With MicrosoftAppId set, /api/messages takes only tokens the Bot Connector signed for this bot. The
 * Connector's key service is played by a local server (the SDK's ToBotFromChannelOpenIdMetadataUrl), so
 * a token signed with its key is valid: the first test shows one is accepted, so each refusal below is
 * the token's fault alone. Every refusal is 401 with a JSON error and no detail of ours.
 */

const APP_ID = 'rebind-test-app';
const ISSUER = 'https://api.botframework.com';
const SERVICE_URL = 'http://localhost:1/unused';
const KID = 'test-key';

const connector = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

let keyServer: Server;
let keysUrl: string;
let bot: TestServer;
let ids = 0;

beforeAll(async () => {
  const jwk = connector.publicKey.export({ format: 'jwk' });
  keyServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/openid') res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${keysUrl}/keys` }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e }] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  keysUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
  bot = await startTestServer({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'not-used-with-expect-replies',
    ToBotFromChannelOpenIdMetadataUrl: `${keysUrl}/openid`,
    ToBotFromEmulatorOpenIdMetadataUrl: `${keysUrl}/openid`,
  });
});

afterAll(async () => {
  await bot.dispose();
  await new Promise<void>((resolve) => keyServer.close(() => resolve()));
});

const now = () => Math.floor(Date.now() / 1000);

/** The claims the Bot Connector puts in a token for this bot. */
const claims = (over: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: APP_ID,
  serviceurl: SERVICE_URL,
  nbf: now() - 60,
  exp: now() + 3600,
  ...over,
});

function sign(payload: object, { key = connector.privateKey, kid = KID }: { key?: KeyObject; kid?: string } = {}): string {
  return jwt.sign(payload, key, { algorithm: 'RS256', keyid: kid, noTimestamp: true });
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function post(base: string, authorization: string | undefined) {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({
      type: 'message',
      text: '更换绑定手机号',
      channelId: 'webchat',
      serviceUrl: SERVICE_URL,
      conversation: { id: `token-${++ids}` },
      from: { id: 'customer' },
      recipient: { id: APP_ID },
      deliveryMode: 'expectReplies',
      id: `a-${ids}`,
    }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('a token the Connector signed for this bot is accepted: the turn runs', async () => {
  const res = await post(bot.base, `Bearer ${sign(claims())}`);
  expect(res.status).toBe(200);
  const { activities } = JSON.parse(res.text) as { activities: Array<{ channelData?: unknown }> };
  expect(cd(last(activities))).toMatchObject({ expecting: 'cardNumber' });
});

const tampered = () => {
  const [h, , s] = sign(claims()).split('.');
  return `${h}.${b64(claims({ aud: APP_ID, serviceurl: 'http://attacker.example' }))}.${s}`;
};

test.each<[string, () => string | undefined]>([
  ['no Authorization header', () => undefined],
  ['an empty header', () => ''],
  ['garbage', () => 'Bearer garbage'],
  ['a Basic header', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
  ['three garbage parts', () => 'Bearer abc.def.ghi'],
  ['alg: none, unsigned', () => `Bearer ${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${b64(claims())}.`],
  ['HS256 with the public key as the secret', () => {
    const secret = connector.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    return `Bearer ${jwt.sign(claims(), secret, { algorithm: 'HS256', keyid: KID, noTimestamp: true })}`;
  }],
  ['expired', () => `Bearer ${sign(claims({ exp: now() - 3600, nbf: now() - 7200 }))}`],
  ['not yet valid', () => `Bearer ${sign(claims({ nbf: now() + 3600 }))}`],
  ['for another bot (wrong audience)', () => `Bearer ${sign(claims({ aud: 'someone-else' }))}`],
  ['from another issuer', () => `Bearer ${sign(claims({ iss: 'https://evil.example' }))}`],
  ['signed with another key under the right key id', () => `Bearer ${sign(claims(), { key: stranger.privateKey })}`],
  ['signed with a key the Connector does not publish', () => `Bearer ${sign(claims(), { key: stranger.privateKey, kid: 'other' })}`],
  ['no key id', () => `Bearer ${jwt.sign(claims(), connector.privateKey, { algorithm: 'RS256', noTimestamp: true })}`],
  ['a payload changed after signing', () => `Bearer ${tampered()}`],
  ['claims of the wrong types', () => `Bearer ${b64({ alg: 'RS256', kid: KID })}.${b64(claims({ exp: 'tomorrow', aud: 42 }))}.c2ln`],
  ['a token that is a JSON list', () => `Bearer ${b64({ alg: 'RS256', kid: KID })}.${b64([1, 2])}.c2ln`],
  ['12 KB of token', () => `Bearer ${'a'.repeat(6 * 1024)}.${'b'.repeat(6 * 1024)}.c`],
])('%s → 401, with no detail of ours', async (_what, header) => {
  const res = await post(bot.base, header());
  expect(res.status).toBe(401);
  expect(JSON.parse(res.text)).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(res.text).not.toMatch(/\bat \S+\.js|Error:|jwt |jsonwebtoken/);
});

test('when the Connector keys cannot be fetched, a well-formed token gets 503 (try again), not 500 or 401', async () => {
  const unreachable = await startTestServer({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'not-used',
    // A port nothing listens on: the key service is down.
    ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid-down',
  });
  try {
    const res = await post(unreachable.base, `Bearer ${sign(claims())}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'AuthenticationUnavailable' } });
    // A token that is not one is still simply refused.
    expect((await post(unreachable.base, 'Bearer garbage')).status).toBe(401);
  } finally {
    await unreachable.dispose();
  }
});
