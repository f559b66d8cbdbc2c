// Worker threads on TypeScript entries, without Node's type stripper in every thread.
//
// Node strips types with amaro, swc compiled to WebAssembly, instantiated in each thread that loads
// a .ts file: ~15-20 MB of resident memory a thread (a Groth16 verification thread 38 -> 23 MB, a
// TEE evidence thread 45 -> 24 MB without it). The thread that starts the worker has it loaded
// already: the worker's load hook asks it for each of its .ts modules, stripped, synchronously
// (a SharedArrayBuffer to wait on, a MessagePort to read the answer from), and never loads its own.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type WorkerOptions } from 'node:worker_threads';
import { stripTypes } from './strip-types.ts';

/** The worker's own key in workerData (the caller's keys are passed through beside it). */
const CHANNEL_KEY = 'typeScriptSourceChannel';

type SourceRequest = string;
type SourceAnswer = { source: string } | { error: string };

/**
 * Runs in the worker before its entry is imported (as a CommonJS script: it must not need
 * stripping itself). Types only in comments here: this string is JavaScript.
 */
const BOOTSTRAP = `
const { registerHooks } = require('node:module');
const { receiveMessageOnPort, workerData } = require('node:worker_threads');
const { port, signal, entry } = workerData.${CHANNEL_KEY};
port.unref();
registerHooks({
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/')) return nextLoad(url, context);
    Atomics.store(signal, 0, 0);
    port.postMessage(url);
    Atomics.wait(signal, 0, 0);
    const answer = receiveMessageOnPort(port).message;
    if ('error' in answer) throw new Error(answer.error);
    return { format: 'module', source: answer.source, shortCircuit: true };
  },
});
import(entry);
`;

/** Stripped once per process and kept: the files ship with the release, and workers restart on demand. */
const strippedSources = new Map<string, string>();

function answer(url: SourceRequest): SourceAnswer {
  try {
    let source = strippedSources.get(url);
    if (source === undefined) {
      source = stripTypes(readFileSync(fileURLToPath(url), 'utf8'));
      strippedSources.set(url, source);
    }
    return { source };
  } catch (error) {
    return { error: `${url}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * `new Worker(entry, options)` for a TypeScript entry, its .ts modules stripped by this thread.
 * The worker sees `workerData` as given, plus one key of its own. An entry or module that fails
 * to load (a missing file, a type the stripper cannot erase) fails the worker as it would have.
 */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> & { workerData?: Record<string, unknown> } = {}): Worker {
  const { port1: ours, port2: theirs } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  ours.on('message', (url: SourceRequest) => {
    ours.postMessage(answer(url) satisfies SourceAnswer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
  ours.unref();
  const worker = new Worker(BOOTSTRAP, {
    ...options,
    eval: true,
    workerData: { ...options.workerData, [CHANNEL_KEY]: { port: theirs, signal, entry: entry.href } },
    transferList: [...(options.transferList ?? []), theirs],
  });
  worker.once('exit', () => ours.close());
  return worker;
}
