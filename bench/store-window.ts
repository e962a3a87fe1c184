// Child process of the symbols benchmark: a new window's first use of the on-disk index store, in a fresh process (V8 has compiled nothing yet, as in a new window's extension host): from the module event until the module's symbols are ready and its first queries answered (a breakpoint by Rust path, address → function and line, the module listing). Prints the figures as JSON.
import { ThreadPoolExecutor } from '../src/futures/thread-pool';
import { SymbolIndexStore } from '../src/symbols/index-store';
import { ModuleEntry, ModuleRegistry } from '../src/symbols/module-registry';

async function main(dir: string, bin: string, name: string): Promise<void> {
  const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  try {
    const registry = new ModuleRegistry(executor, { store: new SymbolIndexStore({ dir }) });
    const t0 = performance.now();
    const entry = await new Promise<ModuleEntry>((resolve) => {
      registry.on('changed', (e) => {
        if (e.status !== 'loading') resolve(e);
      });
      registry.onModule('new', { id: 1, name: 'big', path: bin });
    });
    const loadedMs = performance.now() - t0;
    // What a session does first with a module's symbols.
    const hits = registry.resolveFunction(name);
    const at = hits.length === 1 ? entry.index?.lookupAddress(hits[0].address + 1) : undefined;
    const listing = registry.modules().map((m) => ({ name: m.name, status: m.status, symbols: m.index?.symbolCount ?? 0 }));
    const readyMs = performance.now() - t0;
    registry.dispose();
    const ok = entry.cached === true && hits.length === 1 && at?.function?.name === name && at.line !== undefined && listing[0].symbols > 0;
    const uptimeMs = process.uptime() * 1000;
    // Untimed: the same open and queries straight on the store, for how much of its file they read.
    const store = new SymbolIndexStore({ dir });
    const again = await store.get(store.keyOf(bin)!);
    const hit = again?.index.lookupByName(name)[0];
    if (hit) again?.index.lookupAddress(hit.address + 1);
    void again?.index.symbolCount;
    const bytesRead = again?.stored?.bytesRead();
    console.log(JSON.stringify({ ok, loadedMs, readyMs, symbols: listing[0].symbols, line: at?.line, bytesRead, fileBytes: again?.stored?.fileBytes, uptimeMs }));
  } finally {
    await executor.shutdown({ wait: true });
  }
}

const [dir, bin, name] = process.argv.slice(2);
main(dir, bin, name ?? 'big::m0::entry').catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
