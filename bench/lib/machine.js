'use strict';
// What the report says about the machine and the package versions measured.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT } = require('./paths');
const { serverVersions } = require('./services');

function machineInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: keep os.cpus()
  }
  const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || os.availableParallelism();
  return {
    model,
    nproc,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAtStart: os.loadavg()[0],
    loadAtEnd: NaN,
  };
}

function hasTaskset() {
  return process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

const PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-express',
  'express',
  '@nestjs/platform-fastify',
  'fastify',
  '@nestjs/passport',
  'passport',
  'passport-jwt',
  '@nestjs/jwt',
  'jsonwebtoken',
  'fast-jwt',
  '@nestjs/typeorm',
  'typeorm',
  'better-sqlite3',
  'pg',
  'ioredis',
  'autocannon',
];

async function packageVersions(databases, redisUrl) {
  const versions = { 'nestjs-jwt-revocation': readVersion(path.join(ROOT, 'libs/jwt-revocation/package.json')) };
  for (const name of PACKAGES) versions[name] = readVersion(path.join(ROOT, 'node_modules', name, 'package.json'));
  return { ...versions, ...(await serverVersions(databases, redisUrl)) };
}

function readVersion(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

module.exports = { machineInfo, hasTaskset, packageVersions };
