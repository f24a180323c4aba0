/**
 * The handler runner is plain CommonJS (handler processes run it with plain `node`), outside what
 * `tsc -p tsconfig.dev.json` and the project's ESLint run see (they take `.ts` files only). This checks it as
 * TypeScript would check a `.ts` file: tsc with the project's compiler options plus `allowJs`/`checkJs` (its JSDoc
 * types, the payload type shared with the deployer), and ESLint with the project's rules.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cleanupTmp, tmpDir } from './helpers';
import { HANDLER_RUNNER } from '../../../local/deployer/handler-process';

const ROOT = path.join(__dirname, '..', '..', '..');

afterAll(cleanupTmp);

/** A tsconfig that extends the project's and checks the runner (and the `.ts` files it imports types from). */
function runnerTsconfig(): string {
  const file = path.join(tmpDir('handler-runner-check-'), 'tsconfig.json');
  fs.writeFileSync(file, JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: { allowJs: true, checkJs: true, noEmit: true, rootDir: ROOT, typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
    include: [],
    files: [HANDLER_RUNNER],
  }));
  return file;
}

test('the runner is the handler-runner.js next to the deployer, and it is type-checked JavaScript', () => {
  expect(HANDLER_RUNNER).toBe(path.join(ROOT, 'local', 'deployer', 'handler-runner.js'));
  expect(fs.readFileSync(HANDLER_RUNNER, 'utf8').split('\n')[0]).toBe('// @ts-check');
});

test('tsc --allowJs --checkJs with the project\'s compiler options finds no error in the runner', () => {
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', runnerTsconfig()], { cwd: ROOT, encoding: 'utf8' });
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
}, 60_000);

test('the project\'s ESLint rules find no problem in the runner', () => {
  const script = `
    const { loadESLint } = require(${JSON.stringify(require.resolve('eslint'))});
    (async () => {
      const ESLint = await loadESLint({ useFlatConfig: false });
      const eslint = new ESLint({
        cwd: ${JSON.stringify(ROOT)},
        ignore: false, // the project ignores *.js
        overrideConfig: { parserOptions: { projectService: false, project: ${JSON.stringify(runnerTsconfig())} } },
      });
      const results = await eslint.lintFiles([${JSON.stringify(HANDLER_RUNNER)}]);
      const problems = results.flatMap((r) => r.messages.map((m) => m.line + ':' + m.column + ' ' + m.ruleId + ' ' + m.message));
      console.log(JSON.stringify({ files: results.length, problems }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ESLINT_USE_FLAT_CONFIG: 'false' } });
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({ files: 1, problems: [] });
}, 60_000);
