// Lists running processes for the attach picker: `ps` on Linux and macOS, PowerShell CIM (CSV) on Windows.
import { execFile } from 'node:child_process';

export interface ProcessEntry {
  pid: number;
  name: string;
  commandLine: string;
}

/** `ps -axww -o pid=,comm=,args=` output: pid, short name, full command line. */
export function parsePsOutput(text: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), name: m[2], commandLine: m[3] || m[2] });
  }
  return out;
}

/** Splits one CSV record (RFC 4180 quotes, doubled quotes inside). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** PowerShell `ConvertTo-Csv` of ProcessId, Name, CommandLine (CRLF, a header row, empty CommandLine for system processes). */
export function parseWindowsProcessCsv(text: string): ProcessEntry[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#TYPE'));
  const header = parseCsvLine(lines.shift() ?? '').map((h) => h.trim());
  const pidAt = header.indexOf('ProcessId');
  const nameAt = header.indexOf('Name');
  const cmdAt = header.indexOf('CommandLine');
  if (pidAt < 0 || nameAt < 0) return [];
  return lines
    .map(parseCsvLine)
    .map((f) => ({ pid: Number(f[pidAt]), name: f[nameAt] ?? '', commandLine: (cmdAt >= 0 ? f[cmdAt] : '') || f[nameAt] || '' }))
    .filter((p) => Number.isInteger(p.pid) && p.pid > 0);
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 32 << 20, timeout: 20_000, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

export async function listProcesses(platform: NodeJS.Platform = process.platform): Promise<ProcessEntry[]> {
  if (platform === 'win32') {
    const script = 'Get-CimInstance Win32_Process | Select-Object ProcessId,Name,CommandLine | ConvertTo-Csv -NoTypeInformation';
    return parseWindowsProcessCsv(await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script]));
  }
  return parsePsOutput(await run('ps', ['-axww', '-o', 'pid=,comm=,args=']));
}
