import client from 'prom-client';

export type GlobalManagerMetrics = {
  cycleDuration: client.Histogram;
  taskRuns: client.Counter<'task' | 'outcome'>;
  taskDuration: client.Histogram<'task'>;
  lastSuccess: client.Gauge;
  isLeader: client.Gauge;
};

/** In the process's registry: the API's when embedded in `serve`, the admin port's otherwise. */
export function createGlobalManagerMetrics(registry: client.Registry): GlobalManagerMetrics {
  const buckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900];
  return {
    cycleDuration: new client.Histogram({ name: 'veridity_global_manager_cycle_duration_seconds', help: 'Duration of global manager cycles (every task run)', buckets, registers: [registry] }),
    taskRuns: new client.Counter({ name: 'veridity_global_manager_task_runs_total', help: 'Global manager task runs by outcome', labelNames: ['task', 'outcome'], registers: [registry] }),
    taskDuration: new client.Histogram({ name: 'veridity_global_manager_task_duration_seconds', help: 'Duration of global manager task runs', labelNames: ['task'], buckets, registers: [registry] }),
    lastSuccess: new client.Gauge({ name: 'veridity_global_manager_last_success_timestamp_seconds', help: 'When the last cycle of this process in which every task succeeded ended (Unix time)', registers: [registry] }),
    isLeader: new client.Gauge({ name: 'veridity_global_manager_is_leader', help: '1 while this process holds the global manager lock', registers: [registry] }),
  };
}
