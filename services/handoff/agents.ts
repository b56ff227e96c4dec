import { createHash, timingSafeEqual } from 'node:crypto';

/** A person who answers customers in the agent console. */
export interface Agent {
  /** Stable id, e.g. a staff number; recorded on tickets. */
  id: string;
  /** Shown to the customer ("客服 王丽") and in the console. */
  name: string;
}

export interface AgentDirectory {
  /** The agent a bearer token belongs to; compares in constant time against every token. */
  authenticate(token: string | undefined): Agent | undefined;
  nameOf(agentId: string): string | undefined;
  readonly size: number;
}

export class AgentTokensError extends Error {
  override readonly name = 'AgentTokensError';
}

const ID = /^[A-Za-z0-9._-]{1,32}$/;
const TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * `AGENT_TOKENS`: comma-separated `id:name:token` entries (`id:token` uses the id as the name), e.g.
 * `a01:王丽:7f3c…,a02:Li Wei:c91d…`. Ids are letters, digits, `.`, `_`, `-`; names may not hold `:` or
 * `,`; tokens are 16+ characters. Empty: nobody can sign in. Throws AgentTokensError naming the fault
 * (never the token).
 */
export function parseAgentTokens(spec: string | undefined): AgentDirectory {
  const entries: Array<{ agent: Agent; hash: Buffer }> = [];
  const parts = (spec ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  parts.forEach((part, i) => {
    const fields = part.split(':');
    if (fields.length < 2 || fields.length > 3) {
      throw new AgentTokensError(`AGENT_TOKENS entry ${i + 1}: write id:name:token (or id:token)`);
    }
    const id = (fields[0] ?? '').trim();
    const token = (fields[fields.length - 1] ?? '').trim();
    const name = fields.length === 3 ? (fields[1] ?? '').trim() : id;
    if (!ID.test(id)) throw new AgentTokensError(`AGENT_TOKENS entry ${i + 1}: the id must be 1–32 letters, digits, '.', '_' or '-'`);
    if (name === '' || name.length > 40) throw new AgentTokensError(`AGENT_TOKENS entry ${i + 1} (${id}): the name must be 1–40 characters`);
    if (!TOKEN.test(token)) throw new AgentTokensError(`AGENT_TOKENS entry ${i + 1} (${id}): the token must be 16+ characters without spaces`);
    if (entries.some((e) => e.agent.id === id)) throw new AgentTokensError(`AGENT_TOKENS: agent ${id} appears twice`);
    const hash = digest(token);
    if (entries.some((e) => e.hash.equals(hash))) throw new AgentTokensError(`AGENT_TOKENS entry ${i + 1} (${id}): the token is used twice`);
    entries.push({ agent: { id, name }, hash });
  });
  return {
    authenticate(token) {
      if (typeof token !== 'string' || token === '' || token.length > 256) return undefined;
      const hash = digest(token);
      let found: Agent | undefined;
      // Every entry is compared, so the time taken does not say which (or whether one) matched.
      for (const e of entries) if (timingSafeEqual(e.hash, hash)) found = e.agent;
      return found ? { ...found } : undefined;
    },
    nameOf: (agentId) => entries.find((e) => e.agent.id === agentId)?.agent.name,
    size: entries.length,
  };
}

/** Who is signed in to the console now (an open event stream), for wait estimates and the console. */
export interface AgentPresence {
  /** Marks the agent online until the returned function is called (one call per stream). */
  enter(agentId: string): () => void;
  /** Distinct agents online. */
  online(): number;
  /** Told when the count changes. */
  onChange(listener: (online: number) => void): () => void;
}

export function createAgentPresence(): AgentPresence {
  const streams = new Map<string, number>();
  const listeners = new Set<(online: number) => void>();
  const changed = () => {
    for (const l of [...listeners]) l(streams.size);
  };
  return {
    enter(agentId) {
      const before = streams.size;
      streams.set(agentId, (streams.get(agentId) ?? 0) + 1);
      if (streams.size !== before) changed();
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const n = (streams.get(agentId) ?? 1) - 1;
        if (n > 0) streams.set(agentId, n);
        else {
          streams.delete(agentId);
          changed();
        }
      };
    },
    online: () => streams.size,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
