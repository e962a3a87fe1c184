// What `vsce ls` says the .vsix holds: every file the README and package.json point at (images, icon, walkthrough media), and no test, source or map file.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** Relative links and images of a Markdown file (`[text](path)`, `![alt](path)`), without URLs and anchors. */
export function localLinks(markdown: string): string[] {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1].split('#')[0];
    if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.add(path.posix.normalize(target.replace(/^\.\//, '')));
  }
  return [...out];
}

/** Files package.json makes VS Code or the marketplace load from the package. */
function manifestFiles(manifest: Record<string, any>): string[] {
  const files = [manifest.main.replace(/^\.\//, ''), manifest.icon];
  for (const c of manifest.contributes?.viewsContainers?.activitybar ?? []) files.push(c.icon);
  for (const views of Object.values(manifest.contributes?.views ?? {}) as Array<Array<{ icon?: string }>>) for (const v of views) if (v.icon) files.push(v.icon);
  for (const w of manifest.contributes?.walkthroughs ?? []) for (const s of w.steps) files.push(s.media?.image ?? s.media?.markdown ?? s.media?.svg);
  return files.filter((f): f is string => typeof f === 'string');
}

describe('the packaged extension (vsce ls)', function () {
  this.timeout(180_000);
  let listed: Set<string>;

  before(async function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
      throw new Error('dist/extension.js is missing: run `npm run build` first (npm test does), so the listing includes the bundles');
    }
    const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' }, (err, out, errOut) =>
        err ? reject(new Error(`vsce ls failed: ${err.message}\n${errOut}`)) : resolve(out),
      ),
    );
    listed = new Set(stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  });

  it('includes every file the README links to or shows', () => {
    const links = localLinks(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
    assert.ok(links.some((l) => l.endsWith('.png')), 'the README shows images (the check would be empty otherwise)');
    const missing = links.filter((l) => !listed.has(l));
    assert.deepEqual(missing, [], `README.md refers to files the .vsix leaves out: ${missing.join(', ')}; add them to .vscodeignore's exceptions`);
  });

  it("includes the files package.json points at: main, icon, view icons, the walkthrough's media", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const files = manifestFiles(manifest);
    assert.ok(files.includes('media/icon.png') && files.some((f) => f.startsWith('docs/walkthrough/')));
    for (const f of files) assert.ok(fs.existsSync(path.join(repoRoot, f)), `package.json refers to ${f}, which does not exist`);
    const missing = files.filter((f) => !listed.has(f));
    assert.deepEqual(missing, [], `package.json refers to files the .vsix leaves out: ${missing.join(', ')}`);
  });

  it('holds no test, source or source map file', () => {
    const unwanted = [...listed].filter((f) => /^(src|test|bench|out|scripts|example|\.ci|\.vscode-test|node_modules)\//.test(f) || /\.(map|ts|tsbuildinfo)$/.test(f));
    assert.deepEqual(unwanted, []);
    assert.ok(listed.has('dist/extension.js'), 'the bundle is in it');
  });
});

describe('localLinks', () => {
  it('finds relative links and images, and skips URLs and anchors', () => {
    assert.deepEqual(localLinks('![a](docs/x.png) [b](https://x.invalid/y) [c](#top) [d](./CHANGELOG.md#unreleased) [e](mailto:a@b)'), ['docs/x.png', 'CHANGELOG.md']);
  });
});
