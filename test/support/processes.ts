// Whether a process still exists, for tests that check nothing is left behind.

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
