// Prints a benchmark's figures as a table and writes them to bench/results/<name>.json as [{ metric, unit, ours, peer, ratio }].
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BenchRow {
  metric: string;
  unit: string;
  ours: number;
  /** The peer measured in the same run; null where no peer has the feature. */
  peer: number | null;
  /** ours / peer, or null without a peer. */
  ratio: number | null;
  peerName?: string;
  note?: string;
}

export function row(metric: string, unit: string, ours: number, peer: number | null, extra: Partial<BenchRow> = {}): BenchRow {
  const ratio = peer === null || peer === 0 ? null : Number((ours / peer).toFixed(3));
  return { metric, unit, ours: round(ours), peer: peer === null ? null : round(peer), ratio, ...extra };
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Number(n.toFixed(3));
}

export function report(name: string, rows: BenchRow[]): void {
  console.table(rows.map((r) => ({ metric: r.metric, unit: r.unit, ours: r.ours, peer: r.peer ?? '-', ratio: r.ratio ?? '-', note: r.note ?? '' })));
  // Results live in the source tree's bench/results, whether run from out/bench or bench.
  const dir = path.resolve(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(rows, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), path.join(dir, `${name}.json`))}`);
}
