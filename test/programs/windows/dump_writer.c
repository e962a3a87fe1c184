/* A full-memory minidump writer for wine's (and Windows') AeDebug key: `dump_writer.exe PID EVENT`, run by the crashing
 * process's unhandled-exception filter. It attaches as a debugger, releases the crashing thread, and writes the dump
 * at the exception's second chance, so the dump's exception stream holds the faulting thread's context.
 *
 * The dump goes to crash-PID.dmp in the current directory, the crashing process's (wine hands the AeDebug debugger
 * its working directory, but not its environment). It is written as crash-PID.dmp.partial and renamed when complete:
 * a reader that sees the .dmp sees the whole dump. Built with x86_64-w64-mingw32-gcc -ldbghelp
 * (test/support/minidump-writer.ts). */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what) {
  fprintf(stderr, "dump_writer: %s failed (error %lu)\n", what, (unsigned long)GetLastError());
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: dump_writer PID EVENT (as the AeDebug Debugger value \"dump_writer.exe %%ld %%ld\")\n");
    return 2;
  }
  DWORD pid = (DWORD)strtoul(argv[1], NULL, 10);
  HANDLE release = (HANDLE)(ULONG_PTR)strtoull(argv[2], NULL, 10);
  char path[MAX_PATH], partial[MAX_PATH + 16];
  snprintf(path, sizeof path, "crash-%lu.dmp", (unsigned long)pid);
  snprintf(partial, sizeof partial, "%s.partial", path);

  if (!DebugActiveProcess(pid)) return fail("DebugActiveProcess");
  HANDLE process = NULL;
  BOOL released = FALSE;
  for (;;) {
    DEBUG_EVENT ev;
    if (!WaitForDebugEvent(&ev, 60000)) return fail("WaitForDebugEvent");
    DWORD status = DBG_CONTINUE;
    switch (ev.dwDebugEventCode) {
    case CREATE_PROCESS_DEBUG_EVENT:
      process = ev.u.CreateProcessInfo.hProcess;
      if (ev.u.CreateProcessInfo.hFile) CloseHandle(ev.u.CreateProcessInfo.hFile);
      break;
    case LOAD_DLL_DEBUG_EVENT:
      if (ev.u.LoadDll.hFile) CloseHandle(ev.u.LoadDll.hFile);
      break;
    case EXIT_PROCESS_DEBUG_EVENT:
      fprintf(stderr, "dump_writer: process %lu exited before its exception reached the debugger\n", (unsigned long)pid);
      return 1;
    case EXCEPTION_DEBUG_EVENT:
      if (!released) {
        /* The attach breakpoint: now let the crashing thread go on; its exception comes back as a second chance. */
        released = TRUE;
        if (release) SetEvent(release);
        break;
      }
      if (ev.u.Exception.dwFirstChance) {
        status = DBG_EXCEPTION_NOT_HANDLED;
        break;
      }
      {
        HANDLE thread = OpenThread(THREAD_ALL_ACCESS, FALSE, ev.dwThreadId);
        CONTEXT context;
        memset(&context, 0, sizeof context);
        context.ContextFlags = CONTEXT_FULL;
        if (!thread || !GetThreadContext(thread, &context)) return fail("GetThreadContext");
        EXCEPTION_POINTERS pointers = {&ev.u.Exception.ExceptionRecord, &context};
        MINIDUMP_EXCEPTION_INFORMATION exception = {ev.dwThreadId, &pointers, FALSE};
        HANDLE file = CreateFileA(partial, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file == INVALID_HANDLE_VALUE) return fail("CreateFile");
        MINIDUMP_TYPE type = MiniDumpWithFullMemory | MiniDumpWithThreadInfo;
        BOOL written = MiniDumpWriteDump(process, pid, file, type, &exception, NULL, NULL);
        CloseHandle(file);
        if (!written) return fail("MiniDumpWriteDump");
        if (!MoveFileExA(partial, path, MOVEFILE_REPLACE_EXISTING)) return fail("MoveFileEx");
        TerminateProcess(process, ev.u.Exception.ExceptionRecord.ExceptionCode);
        ContinueDebugEvent(ev.dwProcessId, ev.dwThreadId, DBG_CONTINUE);
        return 0;
      }
    }
    ContinueDebugEvent(ev.dwProcessId, ev.dwThreadId, status);
  }
}
