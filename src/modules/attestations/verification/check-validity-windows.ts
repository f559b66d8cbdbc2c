import type { ValidityWindow } from './prepare-collateral.ts';

/**
 * Null when every window contains `at`, else one sentence naming each item outside its window,
 * whether it expired or is not yet valid, and the window itself.
 */
export function describeInvalidWindows(windows: readonly ValidityWindow[], at: Date): string | null {
  const problems = windows.flatMap((window) => {
    if (at.getTime() > window.notAfter.getTime()) return [`${window.item} expired (valid ${formatWindow(window)})`];
    if (at.getTime() < window.notBefore.getTime()) return [`${window.item} is not yet valid (valid ${formatWindow(window)})`];
    return [];
  });
  return problems.length === 0 ? null : `at ${at.toISOString()}: ${problems.join('; ')}`;
}

const formatWindow = (window: ValidityWindow): string => `${window.notBefore.toISOString()} .. ${window.notAfter.toISOString()}`;
