// Runs the octo-sts release binary for this runner's OS and architecture, as the portable
// entry point's main and post steps. The binary's SHA-256 must equal the one in checksums.txt
// beside this file: the checksums are committed at the ref the workflow uses, so pinning
// octo-sts/action/portable@<ref> pins the bytes that run. Plain Node built-ins, no dependencies.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const os = require('os');
const path = require('path');
const tls = require('tls');
const { spawnSync } = require('child_process');

const RELEASES = 'https://github.com/octo-sts/action/releases/download';
const MAX_BYTES = 200 * 1024 * 1024; // the binaries are ~10 MB
const TIMEOUT_MS = 60 * 1000;
const MAX_REDIRECTS = 5;

// command writes a workflow command; escaping keeps a newline in data from ending it.
function command(name, props, message) {
  const p = Object.entries(props).map(([k, v]) => `${k}=${escapeProp(v)}`).join(',');
  process.stdout.write(`::${name}${p ? ' ' + p : ''}::${escapeData(message)}${os.EOL}`);
}
function escapeData(s) {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProp(s) {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

class Failure extends Error {}

// target names the release asset for this runner: octo-sts-<os>-<arch>[.exe].
function target() {
  const goos = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
  const goarch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  if (!goos || !goarch) {
    throw new Failure(`no octo-sts release binary for ${process.platform}/${process.arch}; ` +
      'releases cover linux, darwin and windows on x64 and arm64');
  }
  return `octo-sts-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`;
}

// release reads the version and the asset's SHA-256 committed beside this file.
function release(asset) {
  let version, sums;
  try {
    version = fs.readFileSync(path.join(__dirname, 'VERSION'), 'utf8').trim();
    sums = fs.readFileSync(path.join(__dirname, 'checksums.txt'), 'utf8');
  } catch (e) {
    throw new Failure('this ref of octo-sts/action/portable carries no release checksums ' +
      '(portable/VERSION, portable/checksums.txt): use a release tag such as @v1 or a release ' +
      'commit SHA; branches like @main have no prebuilt binaries');
  }
  if (!/^v\d+\.\d+\.\d+$/.test(version)) {
    throw new Failure(`portable/VERSION holds ${JSON.stringify(version.slice(0, 40))}, not a release version like v1.2.3`);
  }
  for (const line of sums.split(/\r?\n/)) {
    const m = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (m && m[2] === asset) return { version, sha256: m[1] };
  }
  throw new Failure(`portable/checksums.txt has no SHA-256 for ${asset}`);
}

// baseURL is where the assets are downloaded from: the GitHub release, or a mirror named by
// OCTO_STS_PORTABLE_BASE_URL (https, or http on loopback). Either way the checksum decides.
function baseURL(version) {
  const override = process.env.OCTO_STS_PORTABLE_BASE_URL;
  if (!override) return `${RELEASES}/${version}`;
  let u;
  try {
    u = new URL(override);
  } catch (e) {
    throw new Failure('OCTO_STS_PORTABLE_BASE_URL is not a URL: set it to the https:// address the release assets are mirrored under, or unset it to download from GitHub');
  }
  if (!allowedURL(u)) throw new Failure('OCTO_STS_PORTABLE_BASE_URL must be https (http only on loopback)');
  return override.replace(/\/+$/, '');
}

function isLoopback(host) {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function allowedURL(u) {
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname));
}

// proxyFor returns the proxy URL for target u from HTTPS_PROXY/HTTP_PROXY and NO_PROXY (either
// case), or null. Like curl and Go: NO_PROXY entries match the host or its subdomains, "*" all.
function proxyFor(u) {
  const name = (n) => (process.env[n] ? n : n.toLowerCase());
  const env = (n) => process.env[name(n)] || '';
  const variable = name(u.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
  const raw = env(variable);
  if (!raw) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  for (let entry of env('NO_PROXY').split(',')) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return null;
    let [h, p] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : entry.split(':');
    if (p && p !== port) continue;
    h = h.replace(/^\*?\./, '');
    if (host === h || host.endsWith('.' + h)) return null;
  }
  let p;
  try {
    p = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch (e) {
    // never echo the value: it may hold a password
    throw new Failure(`${variable} is not a URL: set it to http://host:port (user:password@ allowed) or unset it`);
  }
  if (p.protocol !== 'http:') {
    throw new Failure(`${variable} is a ${p.protocol}// proxy: only http:// proxies are supported; set it to http://host:port`);
  }
  return p;
}

function proxyAuth(p) {
  if (!p.username) return {};
  const cred = `${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`;
  return { 'Proxy-Authorization': 'Basic ' + Buffer.from(cred).toString('base64') };
}

// tunnel opens a CONNECT tunnel through proxy p to u's host and port.
function tunnel(p, u) {
  const port = u.port || '443';
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: p.hostname, port: p.port || 80, method: 'CONNECT', path: `${u.hostname}:${port}`,
      headers: { Host: `${u.hostname}:${port}`, ...proxyAuth(p) }, timeout: TIMEOUT_MS,
    });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Failure(`the proxy refused the tunnel to ${u.hostname}:${port} (${res.statusCode})`));
        return;
      }
      resolve(socket);
    });
    req.on('timeout', () => req.destroy(new Failure('the proxy did not answer in time')));
    req.on('error', (e) => reject(e instanceof Failure ? e : new Failure(`cannot reach the proxy: ${e.code || e.message}`)));
    req.end();
  });
}

// get performs one GET of u (through the proxy when one applies) and resolves to the response.
async function get(u) {
  const p = proxyFor(u);
  // One request per connection (no keep-alive), so no idle socket keeps the step running.
  const opts = {
    method: 'GET', agent: false, timeout: TIMEOUT_MS,
    headers: { 'User-Agent': 'octo-sts-portable', Accept: 'application/octet-stream', Connection: 'close' },
  };
  let req, socket;
  if (u.protocol === 'https:') {
    if (p) {
      socket = await tunnel(p, u);
      opts.createConnection = () => tls.connect({ socket, host: u.hostname, servername: net.isIP(u.hostname) ? undefined : u.hostname });
    }
    req = https.request(u, opts);
  } else if (p) {
    req = http.request({ host: p.hostname, port: p.port || 80, path: u.href, ...opts, headers: { ...opts.headers, ...proxyAuth(p) } });
  } else {
    req = http.request(u, opts);
  }
  // Close the connection (and the proxy tunnel) once the body is consumed: an open socket
  // would keep Node, and so the step, running.
  const done = () => { req.destroy(); if (socket) socket.destroy(); };
  return new Promise((resolve, reject) => {
    req.on('response', (res) => { res.on('end', done); res.on('close', done); resolve(res); });
    req.on('timeout', () => req.destroy(new Failure(`no answer from ${u.host} in ${TIMEOUT_MS / 1000}s`)));
    req.on('error', (e) => reject(e instanceof Failure ? e : new Failure(`download from ${u.host} failed: ${e.code || e.message}`)));
    req.end();
  });
}

// shown is url as error messages print it: without the user:password a mirror's
// OCTO_STS_PORTABLE_BASE_URL may carry.
function shown(url) {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href;
}

// download streams url into file, following redirects (https only, or loopback http), and
// resolves to the hex SHA-256 of what it wrote.
async function download(url, file) {
  let u = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await get(u);
    if ([301, 302, 303, 307, 308].includes(res.statusCode) && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new Failure(`too many redirects downloading ${shown(url)}`);
      u = new URL(res.headers.location, u);
      if (!allowedURL(u)) throw new Failure(`refusing a redirect to ${u.protocol}//${u.host}`);
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new Failure(`GET ${shown(url)} answered ${res.statusCode}`);
    }
    return new Promise((resolve, reject) => {
      const hash = crypto.createHash('sha256');
      const out = fs.createWriteStream(file, { mode: 0o700 });
      let n = 0;
      res.on('data', (chunk) => {
        n += chunk.length;
        if (n > MAX_BYTES) res.destroy(new Failure(`${shown(url)} is larger than ${MAX_BYTES} bytes`));
        hash.update(chunk);
      });
      res.on('error', (e) => { out.destroy(); reject(e instanceof Failure ? e : new Failure(`download interrupted: ${e.message}`)); });
      res.pipe(out);
      // 'close', not 'finish': the file must be closed before it is executed (ETXTBSY).
      out.on('close', () => resolve(hash.digest('hex')));
      out.on('error', (e) => reject(new Failure(`cannot write ${file}: ${e.message}`)));
    });
  }
}

function fileSHA256(file) {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (e) {
    return '';
  }
}

// binary returns the path of the verified binary: from this job's cache when its bytes still
// match the committed checksum, else freshly downloaded and checked before it is kept.
async function binary() {
  const asset = target();
  const { version, sha256 } = release(asset);
  const dir = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'octo-sts-portable', sha256);
  const file = path.join(dir, asset);
  if (fileSHA256(file) === sha256) return file;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.download`;
  const url = `${baseURL(version)}/${asset}`;
  try {
    const got = await download(url, tmp);
    if (got !== sha256) {
      throw new Failure(`checksum mismatch for ${asset} from ${new URL(url).host}: got SHA-256 ${got}, ` +
        `portable/checksums.txt at this ref says ${sha256}. Refusing to run it.`);
    }
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  console.log(`octo-sts ${version} (${asset}, SHA-256 ${sha256} verified)`);
  return file;
}

// exec runs the binary's action mode with this step's environment (INPUT_*, GITHUB_*, STATE_*
// pass through unchanged) and returns its exit code.
function exec(file) {
  const r = spawnSync(file, ['action'], { stdio: 'inherit', env: process.env, windowsHide: true });
  if (r.error) throw new Failure(`cannot run ${path.basename(file)}: ${r.error.code || r.error.message}`);
  return r.status === null ? 1 : r.status;
}

// main: fails the step on any problem (a token was not minted).
async function main() {
  try {
    process.exitCode = exec(await binary());
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    command('error', { title: 'octo-sts: portable entry point' }, e.message);
    process.exitCode = 1;
  }
}

// post: revokes through the binary when the main step ran it; never fails the job.
async function post() {
  if (!process.env.STATE_phase) return; // main never started the binary: nothing to revoke
  try {
    exec(await binary());
  } catch (e) {
    command('warning', {}, `octo-sts post step could not run (the token expires within an hour): ${e instanceof Failure ? e.message : e}`);
  }
  process.exitCode = 0;
}

module.exports = { main, post };
