import { escapeMarkup } from '#platform/http/escape-markup.ts';
import type { GlobalManagerStatus } from './read-status.ts';

/** The admin port's `/`: the status as a small HTML page (no script, no external resource). */
export function renderStatusPage(status: GlobalManagerStatus & { this_process: { runner: string; is_leader: boolean } }): string {
  const rows = status.cycles.flatMap((cycle) =>
    cycle.tasks.map((task, index) => `<tr${index === 0 ? ' class="first"' : ''}>
<td>${index === 0 ? `${escapeMarkup(cycle.cycle_id)}<br><small>${escapeMarkup(cycle.runner)}</small>` : ''}</td>
<td>${escapeMarkup(task.task)}</td><td>${escapeMarkup(task.started_at)}</td>
<td>${task.duration_ms === null ? '' : `${task.duration_ms} ms`}</td>
<td class="${escapeMarkup(task.outcome)}">${escapeMarkup(task.outcome)}</td>
<td>${escapeMarkup(Object.entries(task.counts).map(([name, count]) => `${name}: ${count}`).join(', '))}</td>
<td>${escapeMarkup(task.error ?? '')}</td></tr>`),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Veridity global manager</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .6em;text-align:left;vertical-align:top}
tr.first td{border-top:1px solid #ccc}.succeeded{color:#080}.failed,.interrupted{color:#b00}.skipped,.running{color:#a60}</style></head>
<body><h1>Global manager</h1>
<p>This process: ${escapeMarkup(status.this_process.runner)} (${status.this_process.is_leader ? 'leader' : 'standby'}).
Leader: ${escapeMarkup(status.leader ?? 'none')}.
Last successful cycle: ${escapeMarkup(status.last_success_at ?? 'none yet')}${status.lag_seconds === null ? '' : ` (lag ${status.lag_seconds} s)`}.</p>
<p><a href="status.json">status.json</a> · <a href="metrics">metrics</a></p>
<table><thead><tr><th>Cycle</th><th>Task</th><th>Started</th><th>Duration</th><th>Outcome</th><th>Counts</th><th>Error</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></body></html>
`;
}
