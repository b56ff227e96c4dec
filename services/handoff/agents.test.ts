import { AgentTokensError, createAgentPresence, parseAgentTokens } from './agents';

describe('parseAgentTokens', () => {
  const agents = parseAgentTokens(' a01:王丽:tok-aaaaaaaaaaaaaaaa , a02:tok-bbbbbbbbbbbbbbbb ');

  test('reads id:name:token and id:token', () => {
    expect(agents.size).toBe(2);
    expect(agents.authenticate('tok-aaaaaaaaaaaaaaaa')).toEqual({ id: 'a01', name: '王丽' });
    expect(agents.authenticate('tok-bbbbbbbbbbbbbbbb')).toEqual({ id: 'a02', name: 'a02' });
    expect(agents.nameOf('a01')).toBe('王丽');
    expect(agents.nameOf('zz')).toBeUndefined();
  });

  test.each([undefined, '', 'tok-aaaaaaaaaaaaaaa', 'tok-aaaaaaaaaaaaaaaaa', 'TOK-AAAAAAAAAAAAAAAA', 'x'.repeat(300)])(
    'refuses %j',
    (token) => {
      expect(agents.authenticate(token)).toBeUndefined();
    },
  );

  test('empty: nobody can sign in', () => {
    expect(parseAgentTokens(undefined).size).toBe(0);
    expect(parseAgentTokens('').authenticate('anything-at-all-here')).toBeUndefined();
  });

  test.each([
    ['a01:王丽:short', 'the token must be 16+'],
    ['a01:王:丽:tok-aaaaaaaaaaaaaaaa', 'write id:name:token'],
    ['a 01:王丽:tok-aaaaaaaaaaaaaaaa', 'the id must be'],
    ['a01: :tok-aaaaaaaaaaaaaaaa', 'the name must be'],
    ['a01:x:tok-aaaaaaaaaaaaaaaa,a01:y:tok-bbbbbbbbbbbbbbbb', 'appears twice'],
    ['a01:x:tok-aaaaaaaaaaaaaaaa,a02:y:tok-aaaaaaaaaaaaaaaa', 'used twice'],
  ])('refuses the spec %j (%s), never echoing a token', (spec, why) => {
    expect(() => parseAgentTokens(spec)).toThrow(AgentTokensError);
    expect(() => parseAgentTokens(spec)).toThrow(why);
    try {
      parseAgentTokens(spec);
    } catch (err) {
      expect(String(err)).not.toContain('tok-');
    }
  });
});

describe('createAgentPresence', () => {
  test('counts distinct agents with an open stream, and says when the count changes', () => {
    const presence = createAgentPresence();
    const seen: number[] = [];
    presence.onChange((n) => seen.push(n));
    const a1 = presence.enter('a01');
    const a1again = presence.enter('a01'); // a second tab
    const b = presence.enter('a02');
    expect(presence.online()).toBe(2);
    a1();
    expect(presence.online()).toBe(2);
    a1again();
    a1again(); // leaving twice counts once
    expect(presence.online()).toBe(1);
    b();
    expect(presence.online()).toBe(0);
    expect(seen).toEqual([1, 2, 1, 0]);
  });
});
