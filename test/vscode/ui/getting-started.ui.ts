// UI test of a newcomer's first hour: the Getting Started walkthrough from the Welcome page, F5, short Call Stack names with the full name on hover, Symbols kept after 150 evaluations, and the Modules view after Stop.
import * as assert from 'node:assert/strict';
import { exampleFolder, exampleLine, useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

const WALKTHROUGH = 'Debug Rust with Rust Offload';
const EVALUATIONS = 150;

describe('getting started: walkthrough, Call Stack names, Debugger Tasks and Modules after a session', function () {
  const open = useWorkbench(() => ({ name: 'getting-started', folder: exampleFolder }));
  const breakpointLine = exampleLine();
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });

  const text = (locator: ReturnType<Workbench['treeRows']>) => async () => (await locator.first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';

  it('opens the walkthrough from the Welcome page, and its first step finds lldb-dap', async () => {
    await wb.runCommand('Help: Welcome');
    const card = wb.page.locator('.getting-started-category', { hasText: WALKTHROUGH }).first();
    // With several walkthroughs the Welcome page lists a few and hides the rest behind "More...".
    const more = wb.page.locator('.see-all-walkthroughs', { hasText: 'More' }).filter({ visible: true }).first();
    const shown = await wb.until('the walkthrough, or More..., on the Welcome page', async () => ((await card.isVisible()) ? 'card' : (await more.isVisible()) ? 'more' : ''), (v) => v !== '');
    if (shown === 'more') await more.click();
    await card.click();
    const step = wb.page.locator('.getting-started-step', { hasText: 'Install lldb-dap' }).first();
    await step.waitFor({ state: 'visible' });
    for (const title of ['Open a Cargo project', 'Set a breakpoint and press F5', 'Watch slow work in Debugger Tasks, and cancel it']) {
      assert.ok(await wb.page.locator('.getting-started-step', { hasText: title }).first().isVisible(), `the walkthrough lists "${title}"`);
    }
    await step.click();
    await step.locator('a, .button-link', { hasText: 'Check for lldb-dap' }).first().click();
    const note = wb.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Rust Offload: lldb-dap' }).first();
    await note.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await note.textContent()) ?? '', /^Rust Offload: lldb-dap \d+ at \/\S+lldb-dap\S* \(/);
    // The step's picture (docs/walkthrough/lldb-dap.png): the same check from the palette, beside the project rather than the walkthrough.
    await wb.runCommand('View: Close Editor');
    await wb.openFileAt('Cargo.toml', 1);
    await wb.runCommand('Rust Offload: Check for lldb-dap');
    await note.waitFor({ state: 'visible', timeout: 30_000 });
    await wb.screenshot('walkthrough-lldb-dap');
  });

  it('shows the Cargo project in the Explorer', async () => {
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('View: Show Explorer');
    await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'Cargo.toml' }).first().waitFor({ state: 'visible' });
    await wb.openFileAt('main.rs', breakpointLine);
    await wb.screenshot('walkthrough-open-cargo-project');
  });

  it('F5 stops at the breakpoint; Call Stack shows std frames with short names and the full name on hovering the file', async () => {
    await wb.setBreakpointAt('main.rs', breakpointLine);
    await wb.runCommand('View: Show Run and Debug');
    await wb.page.keyboard.press('F5');
    await wb.waitForStopAt('main.rs', breakpointLine);
    await wb.screenshot('walkthrough-press-f5');
    // Wide enough for the frame's file to show beside its name (the file part is what has the hover).
    await wb.setSideBarWidth(1000);

    // std's `<&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + … as core::ops::function::FnOnce<()>>::call_once` below main.
    const callOnce = wb.treeRows('Call Stack', 'as FnOnce<()>>::call_once').first();
    const row = await wb.untilDebugging('the short call_once frame', text(wb.treeRows('Call Stack', 'as FnOnce<()>>::call_once')), (t) => t.length > 0);
    assert.match(row, /^<&dyn Fn<\(\), Output = i32> \+ Sync \+ RefUnwindSafe as FnOnce<\(\)>>::call_once/);
    assert.ok(!row.includes('core::'), `no core:: path inside the generic arguments: ${row}`);
    const closure = await text(wb.treeRows('Call Stack', 'lang_start'))();
    assert.ok((await wb.treeRows('Call Stack', 'std::rt::lang_start::{closure#0}').count()) > 0, `the closure frame reads {closure#0}: ${closure}`);

    await callOnce.locator('.file').hover();
    const hover = wb.page.locator('.workbench-hover, .monaco-hover', { hasText: 'core::ops::function::FnOnce<()>>::call_once' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await hover.textContent()) ?? '', /<&dyn core::ops::function::Fn<\(\), Output = i32> \+ core::marker::Sync/);
    await wb.screenshot('call-stack-full-name-hover');
    await wb.page.mouse.move(1200, 450);
    await wb.setSideBarWidth(340);
  });

  it(`Debugger Tasks still lists the session's Symbols after ${EVALUATIONS} evaluations`, async () => {
    // The Debug Console is open in the panel since F5; its input is at the bottom.
    await wb.page.locator('.repl-input-wrapper').first().click();
    for (let i = 0; i < EVALUATIONS; i++) {
      await wb.page.keyboard.type(`total_sold + ${i}`);
      await wb.page.keyboard.press('Enter');
    }
    await wb.page.locator('.repl .monaco-list-row', { hasText: `total_sold + ${EVALUATIONS - 1}` }).first().waitFor({ state: 'attached', timeout: 60_000 });

    await wb.activityBarItem('Rust Offload').click();
    const evaluations = wb.treeRows('Debugger Tasks', /^Evaluations/);
    // All settled, 100 kept (tasks.keepFinished's default) of the 150.
    await wb.until('the evaluations settled, 100 kept', text(evaluations), (t) => !/running|queued/.test(t) && [...t.matchAll(/(\d+) (done|failed|cancelled|timed out)/g)].reduce((n, m) => n + Number(m[1]), 0) === 100, 90_000);
    // Fold the evaluations so the Symbols group, sorted after them, is on screen.
    await evaluations.first().click();
    const symbols = await wb.until('the Symbols group listed', text(wb.treeRows('Debugger Tasks', /^Symbols/)), (t) => /\d+ done/.test(t));
    assert.match(symbols, /^Symbols/);
    await wb.setSideBarWidth(520);
    await wb.screenshot('tasks-symbols-after-evaluations');
  });

  it("removes the session's modules from the Modules view after Debug: Stop", async () => {
    const modules = wb.viewPane('Modules');
    // Clicking the container's icon while it is shown would close the side bar.
    if (!(await modules.isVisible())) await wb.activityBarItem('Rust Offload').click();
    await modules.waitFor({ state: 'visible' });
    await wb.until('the example module listed', text(wb.treeRows('Modules', 'warehouse')), (t) => t.startsWith('warehouse'), 120_000);
    await wb.runCommand('Debug: Stop');
    await wb.page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
    await wb.until('the Modules view empty', async () => wb.treeRows('Modules').count(), (n) => n === 0, 30_000);
    await modules.locator('.welcome-view-content', { hasText: 'No modules yet' }).first().waitFor({ state: 'visible' });
    await wb.screenshot('modules-after-stop');
  });
});
