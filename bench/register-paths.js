'use strict';
// Lets the compiled bench code import the library by its package name, resolved to the build
// output (the workspace does not install the library into node_modules).
const path = require('node:path');
const { register } = require('tsconfig-paths');

const root = path.resolve(__dirname, '..');
register({
  baseUrl: root,
  paths: {
    'nestjs-jwt-revocation': ['libs/jwt-revocation/dist'],
    'nestjs-jwt-revocation/*': ['libs/jwt-revocation/dist/*'],
  },
  addMatchAll: false,
});
