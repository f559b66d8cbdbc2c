import { expect, test } from 'vitest';
import type { Schemas } from '../../api/client.ts';
import { componentBars, formatShare } from './agent-reputation.tsx';

type Component = Schemas['AgentReputation']['components'][number];
const component = (source: Component['source'], strength: Component['strength'], positive: number, negative: number): Component => ({
  source, strength, positive, negative, mass: positive + negative, cap: null, counted_mass: positive + negative, count: 1,
});

test('shares as whole percentages; no score: none', () => {
  expect(formatShare(0.78222)).toBe('78%');
  expect(formatShare(0)).toBe('0%');
  expect(formatShare(null)).toBe('none');
});

test('bars on one scale: the heaviest component fills the width', () => {
  expect(componentBars([component('work', 'paid_verified', 4, 0), component('feedback', 'bare', 0.2, 0.05), component('work', 'verified', 0, 1)])).toEqual([
    { key: 'work/paid_verified', positive: 100, negative: 0 },
    { key: 'feedback/bare', positive: 5, negative: 1.25 },
    { key: 'work/verified', positive: 0, negative: 25 },
  ]);
  expect(componentBars([])).toEqual([]);
  expect(componentBars([component('feedback', 'bare', 0, 0)])).toEqual([{ key: 'feedback/bare', positive: 0, negative: 0 }]);
});
