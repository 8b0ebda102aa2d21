'use strict';
// Where the bench finds the workspace, its compiled servers and the path-mapping preload.
const path = require('node:path');

const BENCH_DIR = path.resolve(__dirname, '..');
const ROOT = path.resolve(BENCH_DIR, '..');
const BUILD = path.join(BENCH_DIR, '.build');
const REGISTER_PATHS = path.join(BENCH_DIR, 'register-paths.js');

module.exports = { BENCH_DIR, ROOT, BUILD, REGISTER_PATHS };
