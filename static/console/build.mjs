// Builds the admin console into ../admin/, the files the server compiles into its
// binary (src/http/admin.rs). The output is committed, so `cargo build` needs
// neither Node.js nor the network; `.ci/run` builds it again and fails if the
// committed files differ from what these sources make.
//
//   npm ci && npm run build
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = new URL('../admin/', import.meta.url).pathname;
mkdirSync(`${out}assets`, { recursive: true });

await build({
  entryPoints: ['src/main.jsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  charset: 'utf8',
  outfile: `${out}assets/app.js`,
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/app.css'],
  bundle: true,
  minify: true,
  outfile: `${out}assets/app.css`,
  logLevel: 'warning',
});
copyFileSync('src/index.html', `${out}index.html`);

// The licences of what the bundle contains, served beside it.
const licences = ['preact', 'oauth4webapi'].map((name) => {
  const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
  const text = readFileSync(`node_modules/${name}/LICENSE${name === 'preact' ? '' : '.md'}`, 'utf8');
  return `${name} ${version}\n\n${text.trim()}\n`;
});
writeFileSync(`${out}assets/licenses.txt`, licences.join('\n' + '-'.repeat(72) + '\n\n'));
