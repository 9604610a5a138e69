// Usage: node orphan-guard.cjs <pid>
//
// Kills <pid> (SIGTERM, then SIGKILL after 5 s) as soon as this guard's stdin reaches end-of-file, and exits
// when <pid> is gone. The process that starts a child (the Temporal dev server) starts this guard next to it
// with stdin on a pipe it keeps open: however that process ends — an orderly exit, a crash, SIGKILL — the
// kernel closes the pipe, so the child never outlives it. Linux has prctl(PR_SET_PDEATHSIG) for this, but
// Node cannot call it; a pipe works on every POSIX system.
//
// Plain JavaScript with no dependencies: it starts in a fraction of the time and memory of a TypeScript
// entry point, and it has to be running before the child is of any use.
'use strict';

const pid = Number(process.argv[2]);
if (!Number.isInteger(pid) || pid <= 0) {
  process.stderr.write('orphan-guard: expected the pid to guard\n');
  process.exit(2);
}

const alive = () => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let killing = false;
const killChild = () => {
  if (killing) return;
  killing = true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    process.exit(0);
  }
  setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5_000).unref();
};

// The guard lives in its own process group; signals meant for the parent's group are not for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);

process.stdin.on('end', killChild);
process.stdin.on('close', killChild);
process.stdin.on('error', killChild);
process.stdin.resume();

// Exit once the child is gone (stopped by its parent, or by the kill above).
setInterval(() => {
  if (!alive()) process.exit(0);
}, 250);
