/** The user's theme choice, stored under the key public/theme-init.js reads before first paint. */
export const THEME_STORAGE_KEY = 'veridity-theme';

export type Theme = 'light' | 'dark';

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // blocked (privacy settings): the choice lasts until the page is left
  }
}

export function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The stored choice, else the system's preference. */
export function currentTheme(): Theme {
  const stored = storage()?.getItem(THEME_STORAGE_KEY);
  return stored === 'dark' || stored === 'light' ? stored : systemTheme();
}

export function applyTheme(theme: Theme): void {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  storage()?.setItem(THEME_STORAGE_KEY, theme);
}
