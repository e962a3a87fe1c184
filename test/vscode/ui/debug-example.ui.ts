// UI test, as a person would: F5 on the example crate, stop at a breakpoint, watch a slow expression in Debugger Tasks, cancel it there, step.
import * as assert from 'node:assert/strict';
import { exampleFolder, exampleLine, useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

const SLOW_WATCH = 'snapshot == backup';

describe('debugging the example crate in the workbench', function () {
  // The example's launch.json already allows the slow watch two minutes; the setting covers a user without it.
  const open = useWorkbench(() => ({ name: 'debug-example', folder: exampleFolder, settings: { 'rustOffload.evaluationTimeout': 120_000 } }));
  const breakpointLine = exampleLine();
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });

  /** The top frame's row in Call Stack, e.g. "main main.rs 76:9". */
  const topFrame = (): Promise<string> => wb.frameIn('main.rs');
  const watchRow = () => wb.treeRows('Watch', SLOW_WATCH).first();
  const taskRow = () => wb.treeRows('Debugger Tasks', SLOW_WATCH).first();

  it('F5 builds the example with cargo and stops at the breakpoint', async () => {
    await wb.setBreakpointAt('main.rs', breakpointLine);
    await wb.runCommand('View: Show Run and Debug');
    await wb.page.keyboard.press('F5');
    await wb.waitForStopAt('main.rs', breakpointLine);
    await wb.screenshot('stopped-at-breakpoint');
  });

  it('a slow watch runs in Debugger Tasks, is cancelled there, and the watch shows "cancelled"', async () => {
    const watch = wb.viewPane('Watch');
    await watch.locator('.pane-header').hover();
    await watch.locator('.pane-header .action-label[aria-label="Add Expression"]').click();
    await wb.page.keyboard.type(SLOW_WATCH);
    await wb.page.keyboard.press('Enter');

    await wb.activityBarItem('Rust Offload').click();
    await wb.until('the slow watch running in Debugger Tasks', async () => (await taskRow().textContent().catch(() => '')) ?? '', (t) => /running · /.test(t), 90_000);
    await wb.setSideBarWidth(520);
    await wb.screenshot('slow-watch-running');
    const row = taskRow();
    await row.hover();
    await row.locator('.actions .action-label[aria-label="Cancel Task"]').click();
    await wb.until('the task cancelled', async () => (await taskRow().textContent().catch(() => '')) ?? '', (t) => /cancelled · /.test(t));
    await wb.screenshot('slow-watch-cancelled-in-tasks');

    await wb.runCommand('View: Show Run and Debug');
    const text = await wb.until('the watch showing cancelled', async () => (await watchRow().textContent().catch(() => '')) ?? '', (t) => t.includes('cancelled'));
    assert.match(text, /snapshot == backup.*cancelled/);
    await wb.screenshot('watch-shows-cancelled');
  });

  it('stepping answers while the slow watch is re-evaluated at the new stop', async () => {
    const before = await topFrame();
    await wb.page.keyboard.press('F10');
    const after = await wb.until('the step to land on the next line', topFrame, (t) => t !== before && /main\.rs\s*\d+:\d+/.test(t));
    assert.notEqual(after, before);
    // VS Code re-evaluates watches at each stop: the slow one runs again, and the next step cancels it.
    await wb.activityBarItem('Rust Offload').click();
    await wb.until('the re-evaluated watch running', async () => (await wb.treeRows('Debugger Tasks', SLOW_WATCH).filter({ hasText: 'running' }).count()) > 0, (n) => n);
    await wb.runCommand('View: Show Run and Debug');
    const beforeSecond = await topFrame();
    await wb.page.keyboard.press('F10');
    await wb.until('the second step', topFrame, (t) => t !== beforeSecond && /main\.rs\s*\d+:\d+/.test(t));
    await wb.screenshot('stepped');
    await wb.activityBarItem('Rust Offload').click();
    await wb.until('the step to cancel the running watch', async () => (await wb.treeRows('Debugger Tasks', SLOW_WATCH).filter({ hasText: 'cancelled' }).count()) >= 2, (ok) => ok);
    await wb.screenshot('step-cancelled-the-watch');
  });
});
