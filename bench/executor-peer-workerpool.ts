// The benchmark's task functions registered as a workerpool worker (workerpool needs a worker of its own kind).
import * as workerpool from 'workerpool';
import { quick, spin } from './executor-peer-tasks';

workerpool.worker({ quick, spin });
