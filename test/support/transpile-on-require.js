'use strict';
// `node -r test/support/transpile-on-require.js src/main.ts`: runs the demo from its TypeScript
// sources in a child process (each file transpiled alone, as isolatedModules allows), with the
// library resolved by its package name to libs/jwt-revocation/src, as in the jest config.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');
const { register } = require('tsconfig-paths');

const root = path.resolve(__dirname, '../..');
const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, declaration: false };

register({
  baseUrl: root,
  paths: { 'nestjs-jwt-revocation': ['libs/jwt-revocation/src'], 'nestjs-jwt-revocation/*': ['libs/jwt-revocation/src/*'] },
  addMatchAll: false,
});

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
