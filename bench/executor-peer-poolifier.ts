// The benchmark's task functions registered as a poolifier ThreadWorker (poolifier needs a worker of its own kind).
import { ThreadWorker } from 'poolifier';
import { quick, spin } from './executor-peer-tasks';

export default new ThreadWorker<number, number>({ quick: (x?: number) => quick(x ?? 0), spin: () => spin() });
