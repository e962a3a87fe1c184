// Entry point of a ThreadPoolExecutor worker thread: wires the task runtime to the parent port.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { WorkerRuntime } from './worker-runtime';
import type { HostToWorker, WorkerInit } from './wire';

const init = workerData as WorkerInit | undefined;
if (!parentPort || !init?.port) throw new Error('futures/worker-entry must be started by ThreadPoolExecutor as a worker thread');
const port = init.port;
const runtime = new WorkerRuntime(
  (msg) => port.postMessage(msg),
  () => receiveMessageOnPort(port)?.message as HostToWorker | undefined,
);
port.on('message', (msg: HostToWorker) => runtime.onMessage(msg));
runtime.guardExit();
// An uncaught error ends the thread; send the held results and the error first (exit code 70).
process.on('uncaughtException', (err) => {
  runtime.reportFatal(err);
  process.exit(70);
});
void runtime.init(init);
