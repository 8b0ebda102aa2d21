'use strict';
// Child processes the bench starts (servers, load generator, propagation), their IPC messages,
// and the clean-up steps run when the bench ends or is interrupted.
const { spawn, spawnSync } = require('node:child_process');
const { ROOT, REGISTER_PATHS } = require('./paths');

const children = new Set();
const cleanups = [];

/** A node process with an IPC channel, on `cpu` when given (through taskset). */
function startNode(script, cpu, env, registerPaths = true, preloads = []) {
  const nodeArgs = [...(registerPaths ? ['-r', REGISTER_PATHS] : []), ...preloads.flatMap((file) => ['-r', file]), script];
  const [command, args] = cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Moves every thread of a running process to `cpu` (taskset -a -p). */
function pinToCpu(pid, cpu) {
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin process ${pid} to CPU ${cpu}`);
}

function nextMessage(child, types, timeoutMs) {
  const wanted = [].concat(types);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${wanted.join('/')}`)), timeoutMs);
    const onMessage = (message) => {
      if (message && wanted.includes(message.type)) done(undefined, message);
    };
    const onExit = (code) => done(new Error(`process exited (${code}) before ${wanted.join('/')}`));
    function done(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Asks a child to close (or disconnects it), then kills it if it has not exited in 5 s. */
function stop(child, message) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (message && child.connected) child.send(message);
    else if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A step for cleanup(), run in reverse order of registration. */
function onCleanup(step) {
  cleanups.push(step);
}

async function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`bench: cleanup failed: ${error.message}`);
    }
  }
  cleanups.length = 0;
}

module.exports = { startNode, pinToCpu, nextMessage, stop, getJson, onCleanup, cleanup };
