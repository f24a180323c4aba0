#!/usr/bin/env node
/*
 * Checks the code examples of README.md and docs/*.md, offline:
 *
 * 1. Every TypeScript block (```ts, ```typescript) is compiled and translated by
 *    `jsii-rosetta extract --strict`, with the fixtures of this directory (`rosetta/<name>.ts-fixture`,
 *    chosen by ```ts fixture=<name>, `default` otherwise, none with ```ts nofixture). jsii-rosetta reads
 *    README.md from the jsii assembly (.jsii), so the assembly must be compiled from the current README.md;
 *    docs/*.md are not in the assembly, so they are added to a staged copy of it as submodule READMEs.
 * 2. Every JavaScript block (```js, ```javascript), which jsii-rosetta does not read (the offline test API,
 *    `cdk-proton-account-connections/local`, is TypeScript and JavaScript only and not part of the jsii API),
 *    is type-checked by the TypeScript compiler (checkJs, strict) against the package's declarations.
 *
 * Needs first: the jsii compile (.jsii and lib/**.d.ts), and for the JavaScript blocks that import
 * `cdk-proton-account-connections/local`, the compile of the offline tools (lib/local-tools).
 *
 * Everything runs in a staged copy of the assembly in the OS temp directory (package.json, .jsii, and links to
 * lib, node_modules and rosetta), removed afterwards: nothing is written to the repository, and no tablet of an
 * earlier run (.jsii.tabl.json, which jsii-rosetta would reuse as a cache) can hide a diagnostic.
 *
 * Exit status: 0 all examples compile; 1 some do not (diagnostics printed); 2 the check could not run.
 * Options: --keep (keep the staging directory and print where it is), --tablet FILE (copy the tablet there).
 */
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const started = Date.now();
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const tabletOut = args.includes('--tablet') ? path.resolve(args[args.indexOf('--tablet') + 1] ?? '') : undefined;
const log = (msg) => process.stderr.write(`[readme-examples] ${msg}\n`);

function fail(msg) {
  log(`ERROR: ${msg}`);
  process.exit(2);
}

/** Code blocks of a markdown file: { lang, info, line (of the opening fence, 1-based), code }. */
function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ lang: lang.toLowerCase(), info: `${lang}${rest}`.trim(), line: i + 1, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

// ---- preconditions ------------------------------------------------------------------------------------------
const readmeFile = path.join(root, 'README.md');
const assemblyFile = path.join(root, '.jsii');
if (!fs.existsSync(assemblyFile) || !fs.existsSync(path.join(root, 'lib', 'index.d.ts'))) {
  fail('no jsii assembly (.jsii, lib/index.d.ts): run the jsii compile first (npx projen compile, or npx jsii)');
}
const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf-8'));
if (assembly.schema !== 'jsii/0.10.0' || !assembly.readme) {
  fail('.jsii is not a jsii assembly with a README (a compressed redirect?): run the jsii compile first');
}
const normalize = (text) => text.replace(/\r\n/g, '\n').trimEnd();
if (normalize(assembly.readme.markdown) !== normalize(fs.readFileSync(readmeFile, 'utf-8'))) {
  fail('README.md differs from the README in .jsii (jsii embeds it at compile): run the jsii compile first');
}
const srcDir = path.join(root, 'src');
const assemblyTime = fs.statSync(assemblyFile).mtimeMs;
const newerSources = fs.existsSync(srcDir)
  ? fs.readdirSync(srcDir, { recursive: true }).filter((f) => /\.ts$/.test(f) && fs.statSync(path.join(srcDir, f)).mtimeMs > assemblyTime)
  : [];
if (newerSources.length > 0) {
  log(`warning: ${newerSources.length} file(s) of src/ changed after the last jsii compile (e.g. src/${newerSources[0]}): the examples are checked against the compiled API`);
}

const rosettaCli = path.join(root, 'node_modules', 'jsii-rosetta', 'bin', 'jsii-rosetta');
if (!fs.existsSync(rosettaCli)) {
  fail(`jsii-rosetta is not installed (${path.relative(root, rosettaCli)}): run npm ci`);
}

const docsDir = path.join(root, 'docs');
const docs = fs.existsSync(docsDir)
  ? fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => ({ file: `docs/${f}`, markdown: fs.readFileSync(path.join(docsDir, f), 'utf-8') }))
  : [];
const markdownFiles = [{ file: 'README.md', markdown: assembly.readme.markdown }, ...docs];

// JavaScript blocks (checked in step 2)
const jsBlocks = markdownFiles.flatMap(({ file, markdown }) => codeBlocks(markdown)
  .filter((b) => b.lang === 'js' || b.lang === 'javascript')
  .map((b) => ({ ...b, file, name: `${file.replace(/[^A-Za-z0-9]/g, '_')}-L${b.line}.mjs` })));
// the package's own entry points the blocks import (`<package>/local`) must be compiled
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
for (const b of jsBlocks) {
  for (const [, sub] of b.code.matchAll(new RegExp(`from\\s+['"]${packageJson.name}(/[^'"]*)?['"]`, 'g'))) {
    const entry = packageJson.exports?.[sub ? `.${sub}` : '.'];
    const types = typeof entry === 'object' ? entry.types : undefined;
    if (types && !fs.existsSync(path.join(root, types))) {
      fail(`${b.file}:${b.line} imports ${packageJson.name}${sub ?? ''}, whose declarations ${types} are not compiled: run the compile of the offline tools first (npx projen compile:local-tools)`);
    }
  }
}

// ---- staging ------------------------------------------------------------------------------------------------
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-examples-'));
let exitCode = 0;
try {
  fs.copyFileSync(path.join(root, 'package.json'), path.join(stage, 'package.json'));
  for (const link of ['lib', 'node_modules', 'rosetta']) {
    fs.symlinkSync(path.join(root, link), path.join(stage, link), 'dir');
  }
  // docs/*.md become submodule READMEs of the staged assembly: jsii-rosetta then checks their TypeScript blocks
  // like the README's (snippet files named <package>.docs_<name>-README-L<line>.ts, fixtures from rosetta/).
  const docsModules = new Map();
  const staged = { ...assembly, submodules: { ...assembly.submodules } };
  for (const { file, markdown } of docs) {
    if (!codeBlocks(markdown).some((b) => b.lang === 'ts' || b.lang === 'typescript')) continue;
    const fqn = `${assembly.name}.docs_${path.basename(file, '.md').replace(/[^A-Za-z0-9]/g, '_')}`;
    staged.submodules[fqn] = { readme: { markdown } };
    docsModules.set(fqn, file);
  }
  fs.writeFileSync(path.join(stage, '.jsii'), JSON.stringify(staged));

  // ---- 1. TypeScript blocks: jsii-rosetta extract --strict ----------------------------------------------------
  const tsCount = markdownFiles.map(({ markdown }) => codeBlocks(markdown).filter((b) => b.lang === 'ts' || b.lang === 'typescript').length);
  log(`jsii-rosetta extract --strict: ${tsCount.reduce((a, b) => a + b, 0)} TypeScript block(s) (${markdownFiles.map((m, i) => `${m.file} ${tsCount[i]}`).join(', ')})`);
  const rosetta = cp.spawnSync(
    process.execPath,
    [rosettaCli, 'extract', '--strict', '--directory', stage, stage],
    {
      cwd: stage,
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0], JSII_SILENCE_SUPPORT_WARNING: '1' },
    },
  );
  const output = `${rosetta.stdout ?? ''}${rosetta.stderr ?? ''}`
    // jsii-rosetta validates that the package itself is installed in --directory; it is not (the examples import
    // it by its own name, which the staged package.json resolves), so that warning says nothing
    .replace(/^.*packages necessary to compile examples missing from supplied directory.*\n/m, '');
  process.stderr.write(output);
  // where each diagnostic is in the markdown: jsii-rosetta names the block by its fence line (-README-L<line>) and
  // counts lines in the source completed by its fixture, then quotes that line: find the quoted line in the block
  const located = [];
  const outputLines = output.split('\n');
  outputLines.forEach((text, i) => {
    const m = /^(\S+?)-README-L(\d+)\.ts:(\d+):(\d+) - (error|warning) (TS\d+): (.*)$/.exec(text);
    if (!m) return;
    const [, fqn, fence, line, col, severity, code, message] = m;
    const file = fqn === assembly.name ? 'README.md' : docsModules.get(fqn) ?? fqn;
    const block = codeBlocks(markdownFiles.find((f) => f.file === file)?.markdown ?? '').find((b) => b.line === Number(fence));
    const quoted = outputLines.slice(i + 1, i + 4).map((l) => new RegExp(`^\\s*${line} (.*)$`).exec(l)).find((q) => q)?.[1];
    const index = block && quoted !== undefined ? block.code.split('\n').indexOf(quoted) : -1;
    const where = index >= 0 ? `${file}:${Number(fence) + 1 + index}:${col}` : `${file}:${fence} (the block of this fence; line ${line} of it with its fixture)`;
    located.push(`${where} ${severity} ${code}: ${message}`);
  });
  if (rosetta.status !== 0 || rosetta.error) {
    exitCode = 1;
    log(`jsii-rosetta failed (exit ${rosetta.status ?? rosetta.error})${located.length ? ', at:' : ''}`);
    for (const l of located) log(`  ${l}`);
  } else {
    log('TypeScript blocks: all compile and translate');
  }
  if (tabletOut && fs.existsSync(path.join(stage, '.jsii.tabl.json'))) {
    fs.copyFileSync(path.join(stage, '.jsii.tabl.json'), tabletOut);
    log(`tablet copied to ${tabletOut}`);
  }

  // ---- 2. JavaScript blocks: tsc --checkJs --strict -----------------------------------------------------------
  if (jsBlocks.length > 0) {
    log(`tsc --checkJs --strict: ${jsBlocks.length} JavaScript block(s) (${jsBlocks.map((b) => `${b.file}:${b.line}`).join(', ')})`);
    const ts = require(require.resolve('typescript', { paths: [root] }));
    fs.mkdirSync(path.join(stage, 'js-examples'));
    for (const b of jsBlocks) fs.writeFileSync(path.join(stage, 'js-examples', b.name), `${b.code}\n`);
    const program = ts.createProgram(jsBlocks.map((b) => path.join(stage, 'js-examples', b.name)), {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: ['node', 'jest'],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    if (diagnostics.length > 0) {
      exitCode = 1;
      const byName = new Map(jsBlocks.map((b) => [path.resolve(stage, 'js-examples', b.name), b]));
      for (const d of diagnostics) {
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        const block = d.file && byName.get(path.resolve(d.file.fileName));
        if (d.file && d.start !== undefined && block) {
          const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
          log(`  ${block.file}:${block.line + 1 + line}:${character + 1} error TS${d.code}: ${message}`);
        } else {
          log(`  ${d.file ? d.file.fileName : '(options)'} error TS${d.code}: ${message}`);
        }
      }
      log(`JavaScript blocks: ${diagnostics.length} diagnostic(s)`);
    } else {
      log('JavaScript blocks: all type-check');
    }
  }
} finally {
  if (keep) {
    log(`staging directory kept: ${stage}`);
  } else {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
log(`${exitCode === 0 ? 'OK' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(exitCode);
