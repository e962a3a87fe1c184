// UI test, as a person would: F5 on the example, the Modules view fills with each module's symbol status, size and time; Search Symbols finds a function with its file:line and opens it.
import * as assert from 'node:assert/strict';
import { exampleFolder, exampleLine, useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

describe('Modules view and Search Symbols in the workbench', function () {
  const open = useWorkbench(() => ({ name: 'modules-view', folder: exampleFolder }));
  const breakpointLine = exampleLine();
  const simulateDayLine = exampleLine(/^fn simulate_day\(/);
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });

  const moduleRow = (name: string) => async () => (await wb.treeRows('Modules', name).first().textContent().catch(() => '')) ?? '';

  it('lists the modules of the session with their symbol status, size and load time', async () => {
    await wb.setBreakpointAt('main.rs', breakpointLine);
    await wb.runCommand('View: Show Run and Debug');
    await wb.page.keyboard.press('F5');
    // VS Code brings Run and Debug forward at the stop: switch to the Rust Offload container only after it.
    await wb.waitForStopAt('main.rs', breakpointLine);

    await wb.activityBarItem('Rust Offload').click();
    await wb.viewPane('Modules').waitFor({ state: 'visible' });
    // The program's own module, read from its DWARF: "warehouse" then "loaded · 12 MB · 0.8 s".
    const own = await wb.until('the example module loaded', moduleRow('warehouse'), (t) => /loaded · [\d.]+ (B|KB|MB) · [\d.]+ (ms|s)/.test(t), 150_000);
    assert.match(own, /^warehouse/);
    // The shared libraries the process loaded are listed too, each with a settled state.
    await wb.until('libc listed and settled', moduleRow('libc'), (t) => /(loaded|public symbols only|no symbols|error)/.test(t), 120_000);
    await wb.setSideBarWidth(520);
    await wb.screenshot('modules-loaded');
  });

  it('Search Symbols finds a function by part of its path, shows file:line, and opens the source there', async () => {
    // Through the palette by hand: the command opens a quick pick of its own, so the palette's input never hides.
    const input = wb.page.locator('.quick-input-widget input');
    await wb.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Rust Offload: Search Symbols');
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Rust Offload: Search Symbols' }).first().click();
    await wb.page.locator('.quick-input-widget input[placeholder^="Type part of a Rust path"]').waitFor({ state: 'visible' });
    await input.fill('simulate_day');
    const row = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'warehouse::simulate_day' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', new RegExp(`main\\.rs:${simulateDayLine}`));
    await row.hover();
    assert.ok((await row.locator('.action-label[aria-label="Set a breakpoint here"]').count()) > 0, 'a breakpoint button on the item');
    await wb.screenshot('search-symbols');
    await row.click();
    await input.waitFor({ state: 'hidden' });
    // The editor shows main.rs with the cursor on the function's line.
    const status = wb.page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${simulateDayLine},`) }).first();
    await status.waitFor({ state: 'visible', timeout: 30_000 });
    await wb.screenshot('search-opened-source');
  });
});
