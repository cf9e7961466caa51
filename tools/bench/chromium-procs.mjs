// What the Chromium processes started by this node process use, from /proc (Linux): the GPU
// process's resident memory (SwiftShader keeps the GPU buffers there) and CPU seconds by process
// kind. On SwiftShader every kernel runs on the CPU in the GPU process, so its CPU seconds over a
// step are the step's GPU work, which another session's load changes far less than wall time.
// Used by tools/bench/browser_bench.mjs and tools/bench/webgpu_calls.mjs.
import { readFileSync } from 'node:fs';

/** Every process under `rootPid` (Chromium runs as a child of node), with its --type. */
function descendants(rootPid = process.pid) {
  const children = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch { return []; }
  };
  const all = [];
  const walk = (pid) => {
    for (const c of children(pid)) {
      try {
        all.push({ pid: c, kind: /--type=([\w-]+)/.exec(readFileSync(`/proc/${c}/cmdline`, 'utf8'))?.[1] ?? 'browser' });
      } catch { /* the process ended */ }
      walk(c);
    }
  };
  walk(rootPid);
  return all;
}

/** Resident MB of Chromium's GPU process. */
export function gpuProcessRssMb(rootPid = process.pid) {
  let kb = 0;
  for (const { pid, kind } of descendants(rootPid)) {
    if (kind !== 'gpu-process') continue;
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch { /* the process ended */ }
  }
  return kb / 1024;
}

/** CPU seconds (user + system) used so far by Chromium's processes, by kind ('gpu-process', 'renderer', …). */
export function cpuSeconds(rootPid = process.pid) {
  const ticks = 100; // USER_HZ, 100 on every Linux this runs on
  const out = {};
  for (const { pid, kind } of descendants(rootPid)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out[kind] = (out[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime
    } catch { /* the process ended */ }
  }
  return out;
}

/** The CPU seconds by kind between two `cpuSeconds()` readings. */
export function cpuSince(before, after = cpuSeconds()) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
}
