// Drives the load-generator process run by run, and samples the target's process tree meanwhile.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { LoaderMessage, RunResult, RunSpec } from './load-generator.ts';
import { machineCpuTicks, sampleTree, type TreeSample } from './process-stats.ts';
import type { ServerProcess } from './server-process.ts';

export type Measurement = {
  result: RunResult;
  /** CPU seconds spent during the measurement. */
  serverCpuS: number;
  postgresCpuS: number;
  /** Share of the machine's CPU time (all cores) left idle during the measurement: near 0 is saturated. */
  machineIdleShare: number;
  /** Peaks over the measurement (sampled every second). */
  serverRssMb: number;
  postgresPssMb: number;
  /** 1-minute load average at the end: other work on this machine shows here. */
  loadAverage: number;
};

const SAMPLE_EVERY_MS = 1000;

export class LoadGenerator {
  private readonly child: ChildProcess = fork(path.join(import.meta.dirname, 'load-generator.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  /** One run; `onSample` sees the tree every second of the measurement (the soak prints RSS with it). */
  async run(spec: RunSpec, target: ServerProcess, onSample?: (sample: TreeSample, elapsedS: number) => void): Promise<Measurement> {
    let first: TreeSample | undefined;
    let machineBefore = machineCpuTicks();
    let startedAt = 0;
    let peakRss = 0;
    let peakPss = 0;
    let timer: NodeJS.Timeout | undefined;
    const sample = () => {
      const now = sampleTree(target.pid);
      peakRss = Math.max(peakRss, now.serverRssMb);
      peakPss = Math.max(peakPss, now.postgresPssMb);
      return now;
    };
    const result = await new Promise<RunResult>((resolve, reject) => {
      const onMessage = (message: LoaderMessage) => {
        if (message.type === 'measuring') {
          first = sample();
          machineBefore = machineCpuTicks();
          startedAt = performance.now();
          timer = setInterval(() => onSample?.(sample(), (performance.now() - startedAt) / 1000), SAMPLE_EVERY_MS);
        } else {
          this.child.off('message', onMessage);
          this.child.off('exit', onExit);
          resolve(message.result);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`the load generator exited with ${code}`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send({ type: 'run', spec });
    });
    clearInterval(timer);
    const last = sample();
    const machineAfter = machineCpuTicks();
    const idle = machineAfter.idle - machineBefore.idle;
    return {
      result,
      serverCpuS: last.serverCpuS - first!.serverCpuS,
      postgresCpuS: last.postgresCpuS - first!.postgresCpuS,
      machineIdleShare: idle / (idle + machineAfter.busy - machineBefore.busy),
      serverRssMb: peakRss,
      postgresPssMb: peakPss,
      loadAverage: loadavg()[0]!,
    };
  }

  close(): void {
    this.child.send({ type: 'exit' });
  }
}
