import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heapGrowth';

describe('limitHeapGrowth', () => {
  it("sets V8's heap growing percent when node was started without one", () => {
    const set = jest.fn();
    expect(limitHeapGrowth(['--enable-source-maps'], set)).toBe(true);
    expect(set).toHaveBeenCalledWith(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(HEAP_GROWING_PERCENT).toBeLessThan(300);
  });

  it.each([['--heap-growing-percent=50'], ['--heap_growing_percent=200'], ['--heap-growing-percent']])(
    'leaves the choice of whoever started node (%s)',
    (flag) => {
      const set = jest.fn();
      expect(limitHeapGrowth(['--max-old-space-size=512', flag], set)).toBe(false);
      expect(set).not.toHaveBeenCalled();
    },
  );

  it('is accepted by this V8', () => {
    // An unknown flag would be ignored silently by setFlagsFromString; node rejects it on its command line.
    const r = spawnSync(process.execPath, [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, '-e', '0'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
