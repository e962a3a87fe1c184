// Helpers for the module registry tests.
import type { ModuleEntry, ModuleRegistry } from '../../../src/symbols/module-registry';

/** The entry `id` once it is no longer loading. */
export function settled(registry: ModuleRegistry, id: string): Promise<ModuleEntry> {
  return new Promise((resolve) => {
    const check = (e: ModuleEntry): void => {
      if (e.id === id && e.status !== 'loading') {
        registry.off('changed', check);
        resolve(e);
      }
    };
    registry.on('changed', check);
  });
}
