/**
 * `npm run bench -- --soak`: what the bot's memory does over a long run at a steady rate. The RSS
 * samples are summarised here (the level after warm-up, the end, the largest deviation from that
 * level) and drawn as a small SVG beside latest.svg.
 */

export interface RssSample {
  /** Seconds since the soak's load began. */
  t: number;
  rssBytes: number;
}

export interface SoakMemory {
  /** The level after warm-up: the median of the samples in the minute after it, bytes. */
  afterWarmupBytes: number;
  /** The last sample, bytes. */
  endBytes: number;
  /** The highest sample after warm-up, bytes. */
  maxAfterWarmupBytes: number;
  /** The largest |sample − level| / level after warm-up (0.1 = 10%). */
  maxDeviation: number;
  /** Within `flatWithin` of the level for the whole run after warm-up. */
  flat: boolean;
}

/**
 * Summarises RSS samples: the level is the median of those taken in the minute after `warmupSeconds`
 * (or of every sample after it when the run is shorter), and "flat" means no later sample strays from it
 * by more than `flatWithin`.
 */
export function summariseRss(samples: readonly RssSample[], warmupSeconds: number, flatWithin = 0.1): SoakMemory {
  const after = samples.filter((s) => s.t >= warmupSeconds);
  if (after.length === 0) throw new Error('no RSS sample after the warm-up: run the soak longer than its warm-up');
  const firstMinute = after.filter((s) => s.t < warmupSeconds + 60);
  const level = median((firstMinute.length > 0 ? firstMinute : after).map((s) => s.rssBytes));
  const maxDeviation = Math.max(...after.map((s) => Math.abs(s.rssBytes - level) / level));
  return {
    afterWarmupBytes: level,
    endBytes: (after.at(-1) as RssSample).rssBytes,
    maxAfterWarmupBytes: Math.max(...after.map((s) => s.rssBytes)),
    maxDeviation,
    flat: maxDeviation <= flatWithin,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const MB = 1024 * 1024;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** RSS over time, the level after warm-up with its ±10% band, the warm-up shaded. */
export function renderSoakChart(
  samples: readonly RssSample[],
  memory: SoakMemory,
  warmupSeconds: number,
  title: string,
  subtitle: string,
): string {
  const W = 900;
  const H = 360;
  const left = 70;
  const right = W - 30;
  const top = 70;
  const bottom = H - 60;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const mbs = samples.map((s) => s.rssBytes / MB);
  const yMax = Math.max(...mbs, (memory.afterWarmupBytes * 1.1) / MB) * 1.1;
  const x = (t: number) => left + (t / tMax) * (right - left);
  const y = (mb: number) => bottom - (mb / yMax) * (bottom - top);
  const level = memory.afterWarmupBytes / MB;
  const line = samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(s.rssBytes / MB).toFixed(1)}`).join(' ');
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((yMax * f) / 10) * 10);
  const xTicks = Array.from({ length: 6 }, (_, i) => (tMax * i) / 5);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">
  <rect width="${W}" height="${H}" fill="#fff"/>
  <text x="${W / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>
  <text x="${W / 2}" y="42" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>
  <rect x="${left}" y="${top}" width="${(x(Math.min(warmupSeconds, tMax)) - left).toFixed(1)}" height="${bottom - top}" fill="#f1f1f1"/>
  <text x="${left + 6}" y="${top + 14}" font-size="11" fill="#777">warm-up</text>
  <rect x="${x(Math.min(warmupSeconds, tMax)).toFixed(1)}" y="${y(level * 1.1).toFixed(1)}" width="${(right - x(Math.min(warmupSeconds, tMax))).toFixed(1)}" height="${(y(level * 0.9) - y(level * 1.1)).toFixed(1)}" fill="#2e7d32" fill-opacity="0.08"/>
  <line x1="${x(Math.min(warmupSeconds, tMax)).toFixed(1)}" y1="${y(level).toFixed(1)}" x2="${right}" y2="${y(level).toFixed(1)}" stroke="#2e7d32" stroke-dasharray="6 4"/>
  <text x="${right - 4}" y="${(y(level * 1.1) - 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#2e7d32">level after warm-up ${level.toFixed(0)} MB ± 10%</text>
  ${yTicks.map((v) => `<line x1="${left - 4}" y1="${y(v).toFixed(1)}" x2="${left}" y2="${y(v).toFixed(1)}" stroke="#333"/><text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${v}</text>`).join('\n  ')}
  ${xTicks.map((t) => `<text x="${x(t).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" font-size="11">${(t / 60).toFixed(1)}</text>`).join('\n  ')}
  <line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>
  <line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>
  <text x="${(left + right) / 2}" y="${bottom + 40}" text-anchor="middle" font-size="12">minutes</text>
  <text x="18" y="${(top + bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 18 ${(top + bottom) / 2})">RSS of the bot, MB</text>
  <path d="${line}" fill="none" stroke="#2f6fb3" stroke-width="1.5"/>
</svg>
`;
}
