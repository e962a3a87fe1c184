// Entry point of a ProcessPoolExecutor child process: the task runtime over the IPC channel (works on Windows: no signals used).
import { toWireError } from './errors';
import { WorkerRuntime } from './worker-runtime';
import type { HostToWorker, WorkerToHost } from './wire';

if (typeof process.send !== 'function') {
  throw new Error('futures/process-worker-entry must be started by ProcessPoolExecutor with an IPC channel');
}
const send = process.send.bind(process);
const runtime = new WorkerRuntime((msg: WorkerToHost) => {
  send(msg);
});

// Tell the host what killed us before going: an IPC message sent just before exit would be lost.
runtime.guardExit();
process.on('uncaughtException', (err) => {
  runtime.flush();
  send({ t: 'fatal', error: toWireError(err) } satisfies WorkerToHost, () => process.exit(70));
  setTimeout(() => process.exit(70), 1000).unref();
});
process.on('unhandledRejection', (reason) => {
  throw reason;
});
// The pool went away (host crashed or closed the channel): nothing left to work for.
process.on('disconnect', () => process.exit(0));

process.on('message', (msg: HostToWorker) => {
  switch (msg.t) {
    case 'init':
      void runtime.init(msg.init);
      return;
    default:
      runtime.onMessage(msg);
  }
});
