'use strict';
// CPU time used on the machine by anything other than the bench's own processes during a run,
// from /proc (Linux only), so a row disturbed by other work can be seen and re-run.
const fs = require('node:fs');

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every mainstream Linux

function readTicks() {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return { busy: user + nice + system + irq + softirq, steal };
  } catch {
    return undefined;
  }
}

function processTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/**
 * Starts a measurement; `stop()` returns the seconds it lasted and, in cores: what each of `pids` used (`pidCores`), what
 * every other process used (`otherCores`) and the hypervisor's steal time (`stealCores`).
 */
function measureOtherCpu(pids) {
  const started = process.hrtime.bigint();
  const before = readTicks();
  const pidsBefore = pids.map(processTicks);
  const selfBefore = ownTicks();
  return {
    stop() {
      const after = readTicks();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const toCores = (ticks) => Math.max(0, ticks) / TICKS_PER_SECOND / seconds;
      const pidTicks = pids.map((pid, i) => processTicks(pid) - pidsBefore[i]);
      const pidCores = pidTicks.map(toCores);
      if (!before || !after) return { seconds, pidCores, otherCores: NaN, stealCores: NaN };
      const own = pidTicks.reduce((a, b) => a + b, 0) + ownTicks() - selfBefore;
      return { seconds, pidCores, otherCores: toCores(after.busy - before.busy - own), stealCores: toCores(after.steal - before.steal) };
    },
  };
}

/**
 * CPU of a process's main thread (its JavaScript thread: task id = pid), in cores over the time
 * until `stop()`; NaN off Linux. Near 1 means the JavaScript thread, not the load, set the pace.
 */
function threadCpu(pid) {
  const started = process.hrtime.bigint();
  const before = processTicks(`${pid}/task/${pid}`);
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const after = processTicks(`${pid}/task/${pid}`);
      return before === 0 && after === 0 ? NaN : (after - before) / TICKS_PER_SECOND / seconds;
    },
  };
}

function ownTicks() {
  const { user, system } = process.cpuUsage();
  return ((user + system) / 1e6) * TICKS_PER_SECOND;
}

module.exports = { measureOtherCpu, threadCpu };
