/**
 * A small hand-written SVG of a bench run: turns per second, p99 latency and CPU time per turn of the
 * SDK's echo bot, the peer (the same flow in botbuilder-dialogs) and Rebind on each store, with the
 * targets (at least the peer's turns/s, at most its p99) as dashed lines.
 */

export interface ChartBar {
  name: string;
  turnsPerSecond: number;
  p99Ms: number;
  /** CPU time of the bot's process per turn, ms (the figure a loaded machine disturbs least). */
  cpuMsPerTurn?: number;
}

const COLOURS: Record<string, string> = { echo: '#8a8f98', peer: '#b9770e', sqlite: '#2f6fb3', redis: '#c0392b' };
const W = 900;
const H = 360;
const PANEL_W = 260;
const GAP = 30;
const PLOT_TOP = 90;
const PLOT_H = 190;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function panel(
  x0: number,
  title: string,
  unit: string,
  values: Array<{ name: string; value: number; note?: string }>,
  target?: { value: number; label: string },
): string {
  const max = Math.max(...values.map((v) => v.value), target?.value ?? 0) * 1.15 || 1;
  const y = (v: number) => PLOT_TOP + PLOT_H - (v / max) * PLOT_H;
  const slot = PANEL_W / values.length;
  const barW = Math.min(70, slot * 0.6);
  const parts: string[] = [
    `<text x="${x0 + PANEL_W / 2}" y="${PLOT_TOP - 26}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${x0}" y1="${PLOT_TOP + PLOT_H}" x2="${x0 + PANEL_W}" y2="${PLOT_TOP + PLOT_H}" stroke="#333"/>`,
  ];
  values.forEach((v, i) => {
    const cx = x0 + slot * i + slot / 2;
    const top = y(v.value);
    parts.push(
      `<rect x="${cx - barW / 2}" y="${top.toFixed(1)}" width="${barW}" height="${(PLOT_TOP + PLOT_H - top).toFixed(1)}" fill="${COLOURS[v.name] ?? '#555'}"/>`,
      `<text x="${cx}" y="${(top - 6).toFixed(1)}" text-anchor="middle" font-size="12">${fmt(v.value)} ${esc(unit)}</text>`,
      `<text x="${cx}" y="${PLOT_TOP + PLOT_H + 18}" text-anchor="middle" font-size="12">${esc(v.name)}</text>`,
    );
    if (v.note) {
      parts.push(`<text x="${cx}" y="${PLOT_TOP + PLOT_H + 33}" text-anchor="middle" font-size="11" fill="#555">${esc(v.note)}</text>`);
    }
  });
  if (target) {
    const ty = y(target.value).toFixed(1);
    const ly = PLOT_TOP + PLOT_H + 55;
    parts.push(
      `<line x1="${x0}" y1="${ty}" x2="${x0 + PANEL_W}" y2="${ty}" stroke="#2e7d32" stroke-dasharray="6 4"/>`,
      `<line x1="${x0 + 10}" y1="${ly - 4}" x2="${x0 + 40}" y2="${ly - 4}" stroke="#2e7d32" stroke-dasharray="6 4"/>`,
      `<text x="${x0 + 46}" y="${ly}" font-size="11" fill="#2e7d32">${esc(target.label)}</text>`,
    );
  }
  return parts.join('\n  ');
}

export function renderChart(bars: ChartBar[], subtitle: string): string {
  // Rebind is measured against the peer, the same flow as the SDK's samples write it.
  const peer = bars.find((b) => b.name === 'peer');
  const versus = (b: ChartBar, value: (x: ChartBar) => number | undefined) => {
    const mine = value(b);
    const theirs = peer ? value(peer) : undefined;
    return peer && b !== peer && b.name !== 'echo' && mine !== undefined && theirs ? { note: `${(mine / theirs).toFixed(2)}× peer` } : {};
  };
  const throughput = panel(
    GAP,
    'turns per second (higher is better)',
    '',
    bars.map((b) => ({ name: b.name, value: b.turnsPerSecond, ...versus(b, (x) => x.turnsPerSecond) })),
    peer ? { value: peer.turnsPerSecond, label: "target: at least the peer's" } : undefined,
  );
  const latency = panel(
    GAP * 2 + PANEL_W,
    'p99 per turn, ms (lower is better)',
    'ms',
    bars.map((b) => ({ name: b.name, value: b.p99Ms, ...versus(b, (x) => x.p99Ms) })),
    peer ? { value: peer.p99Ms, label: "target: at most the peer's" } : undefined,
  );
  const withCpu = bars.filter((b) => b.cpuMsPerTurn !== undefined);
  const cpu =
    withCpu.length === bars.length
      ? panel(
          GAP * 3 + PANEL_W * 2,
          "bot's CPU per turn, ms (lower is better)",
          'ms',
          bars.map((b) => ({ name: b.name, value: b.cpuMsPerTurn ?? 0, ...versus(b, (x) => x.cpuMsPerTurn) })),
        )
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">
  <rect width="${W}" height="${H}" fill="#fff"/>
  <text x="${W / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">npm run bench: Rebind beside the SDK's own bots (echo, and the same flow in botbuilder-dialogs)</text>
  <text x="${W / 2}" y="42" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>
  ${throughput}
  ${latency}
  ${cpu}
</svg>
`;
}
