// Typed references to task functions by module and export name, so submit() is checked against the task's signature.
import * as path from 'node:path';
import type { TaskContext, TaskRef } from './contract';

/** The arguments after `ctx` and the awaited result of a task function. */
type RefOf<F> = F extends (ctx: TaskContext, ...args: infer A) => infer R ? TaskRef<A, Awaited<R>> : never;

/** The task functions among a module's exports, as TaskRefs. */
export type TaskModuleRefs<M> = {
  readonly [K in keyof M as M[K] extends (ctx: TaskContext, ...args: never[]) => unknown ? K : never]: RefOf<M[K]>;
};

/** A reference to one task; prefer taskModule() which checks the names and types. */
export function taskRef<A extends unknown[], R>(module: string, name: string): TaskRef<A, R> {
  checkModulePath(module);
  return Object.freeze({ module, name });
}

/**
 * `taskModule<typeof import('./demo-tasks')>('futures/demo-tasks')` gives `.slow`, `.quick`, ... as
 * typed TaskRefs. `module` is relative to the executor's modulesRoot, without extension; the type
 * import is erased, so the host never loads the task module.
 */
export function taskModule<M>(module: string): TaskModuleRefs<M> {
  checkModulePath(module);
  const cache = new Map<string, TaskRef<unknown[], unknown>>();
  return new Proxy({} as TaskModuleRefs<M>, {
    get(_target, prop) {
      // Not a thenable, not an iterable: only string names are task names.
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let ref = cache.get(prop);
      if (!ref) {
        ref = Object.freeze({ module, name: prop });
        cache.set(prop, ref);
      }
      return ref;
    },
  });
}

/** Module names are '/'-separated paths under modulesRoot on every platform; no absolute paths, no '..'. */
const checkedModules = new Set<string>();

export function checkModulePath(module: string): void {
  if (checkedModules.has(module)) return;
  if (typeof module !== 'string' || module.length === 0) {
    throw new TypeError(`task module must be a non-empty path relative to the executor's modulesRoot, like 'futures/demo-tasks' (got ${JSON.stringify(module)})`);
  }
  if (/^([a-zA-Z]:|[\\/])/.test(module) || module.split(/[\\/]/).includes('..') || module.endsWith('.js') || module.endsWith('.ts')) {
    throw new TypeError(`task module ${JSON.stringify(module)} must be relative to the executor's modulesRoot, without '..', drive letter or extension, like 'futures/demo-tasks'`);
  }
  if (checkedModules.size < 1000) checkedModules.add(module);
}

export function describeTask(ref: { module: string; name: string }): string {
  return `${ref.module}#${ref.name}`;
}

/**
 * The file a worker loads for a task module: '<modulesRoot>/<module>.js', the module's '/'-separated
 * parts joined with the platform's separator (pass path.win32 or path.posix to check another platform).
 */
export function taskModuleFile(modulesRoot: string, module: string, pathApi: path.PlatformPath = path): string {
  return pathApi.join(modulesRoot, ...module.split('/')) + '.js';
}
