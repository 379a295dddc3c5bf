// The floor of benchmark 6's RSS: the least a Node function doing the same kinds of work holds.
// It answers the Fn FDK's calls on FN_LISTENER's unix socket with node:http, and per call makes
// one keep-alive HTTP request to the Object Storage endpoint and one RSA-2048 signature in libuv's
// threadpool with the resource principal's key, as dist/func.js does for each OCI call. No SDK,
// no validators, no engine: whatever dist/func.js holds above this is its own JavaScript and data.
'use strict';
const { createPrivateKey, sign } = require('node:crypto');
const { symlinkSync } = require('node:fs');
const http = require('node:http');
const { basename, dirname, join } = require('node:path');

const listener = (process.env.FN_LISTENER ?? '').replace(/^unix:/, '');
const endpoint = new URL(process.env.REENCRYPT_OBJECTSTORAGE_ENDPOINT ?? 'http://127.0.0.1:1');
const key = createPrivateKey(process.env.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM ?? '');
const agent = new http.Agent({ keepAlive: true });

function signed(text) {
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(text), key, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64')))));
}

function objectStorageRequest(authorization) {
  return new Promise((resolve) => {
    const req = http.request({ host: endpoint.hostname, port: endpoint.port, path: '/n/', agent, headers: { date: new Date().toUTCString(), authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const status = await objectStorageRequest(await signed(`date: ${new Date().toUTCString()}`));
    const answer = JSON.stringify({ ok: true, complete: true, continuation: null, bucketName: body.bucketName ?? null, upstreamStatus: status });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
  // Listen on another name and link the Fn name to it once listening, as the FDK does: the socket
  // file exists from bind(), a moment before listen(), and a caller that sees it then is refused.
}).listen(join(dirname(listener), `phony-${process.pid}-${basename(listener)}`), function linkWhenListening() {
  symlinkSync(basename(this.address()), listener);
});
