import type { ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';

const TONES = {
  neutral: 'border-border text-muted-foreground',
  success: 'border-success/40 text-success',
  warning: 'border-warning/40 text-warning',
  danger: 'border-destructive/40 text-destructive',
} as const;

export function Badge(props: { tone?: keyof typeof TONES; children: ReactNode }) {
  return <span className={cn('inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap', TONES[props.tone ?? 'neutral'])}>{props.children}</span>;
}
