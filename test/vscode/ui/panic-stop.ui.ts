// UI test, as a person would: the start button of Run and Debug on a program that panics; with nothing set by hand, VS Code stops at the panic, the exception widget shows the panic message, and Call Stack the panicking function.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProgram } from '../../dap/support/programs';
import { useWorkbench } from '../harness';
import type { Workbench } from '../workbench';

describe('stopping on a panic in the workbench', function () {
  let folder: string | undefined;
  const open = useWorkbench(() => {
    const program = compileProgram('panics');
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rod-panic-'));
    fs.mkdirSync(path.join(folder, '.vscode'));
    const launch = { version: '0.2.0', configurations: [{ type: 'rust-offload', request: 'launch', name: 'Debug panics', program, env: { RUST_BACKTRACE: '0' } }] };
    fs.writeFileSync(path.join(folder, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2));
    return { name: 'panic-stop', folder };
  });
  let wb: Workbench;
  beforeEach(() => {
    wb = open.wb;
  });
  after(() => {
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the start button stops at the panic! line, with Rust: Panic ticked by default and the message in the exception widget', async () => {
    await wb.runCommand('View: Show Run and Debug');
    // The green start button at the top of Run and Debug, with the folder's only launch configuration chosen.
    await wb.page.locator('.part.sidebar .start-debug-action-item .codicon-debug-start').first().click();
    await wb.page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 150_000 });
    const widget = wb.page.locator('.exception-widget');
    await wb.untilDebugging('the panic message in the exception widget', async () => (await widget.textContent({ timeout: 1000 }).catch(() => '')) ?? '', (t) => t.includes('level 7 is too deep'), 60_000);
    assert.match((await widget.textContent()) ?? '', /panics\.rs:\d+:\d+/);
    assert.match(await wb.frameIn('panics.rs'), /panics::check/);
    const filter = wb.treeRows('Breakpoints', 'Rust: Panic').first();
    assert.equal(await filter.getAttribute('aria-checked'), 'true', 'Rust: Panic is ticked without the user doing anything');
    await wb.setSideBarWidth(420);
    await wb.screenshot('paused-on-panic');
  });
});
