import { createContext, use, type ReactNode } from 'react';
import type { ConsoleApi } from './client.ts';

const ApiContext = createContext<ConsoleApi | undefined>(undefined);

export function ApiProvider(props: { api: ConsoleApi; children: ReactNode }) {
  return <ApiContext value={props.api}>{props.children}</ApiContext>;
}

export function useApi(): ConsoleApi {
  const api = use(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}
