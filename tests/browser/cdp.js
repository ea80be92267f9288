// cdp.js: a minimal Chrome DevTools Protocol client over --remote-debugging-pipe
// (file descriptors 3 and 4, NUL-separated JSON), so the browser tests need
// nothing but node and Debian's chromium: no npm package, no network port.
//
//   const b = await launch(chromium, userDataDir);
//   const page = await b.open(url, {width, height, dark});  // loads it, records
//   page.errors   // console errors, uncaught exceptions, failed loads
//   page.requests // every URL the page asked for
//   await page.eval('document.title')                     // a JSON value
//   await page.screenshot(file)                           // the whole page
//   await b.close();
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');

const FLAGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run',
	'--disable-default-apps', '--disable-extensions', '--mute-audio',
	'--host-resolver-rules=MAP * ~NOTFOUND', '--remote-debugging-pipe',
];

async function launch(bin, userDataDir) {
	const proc = spawn(bin, [...FLAGS, `--user-data-dir=${userDataDir}`, 'about:blank'],
		{ stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
	let stderr = '';
	proc.stderr.on('data', (d) => { stderr += d; });
	const out = proc.stdio[3], inp = proc.stdio[4];
	let nextId = 1, buf = '';
	const pending = new Map(), listeners = [];
	inp.on('data', (chunk) => {
		buf += chunk.toString('utf8');
		let at;
		while ((at = buf.indexOf('\0')) >= 0) {
			const msg = JSON.parse(buf.slice(0, at));
			buf = buf.slice(at + 1);
			if (msg.id && pending.has(msg.id)) {
				const { resolve, reject } = pending.get(msg.id);
				pending.delete(msg.id);
				if (msg.error) reject(new Error(JSON.stringify(msg.error)));
				else resolve(msg.result);
			} else if (msg.method) {
				for (const l of listeners) l(msg);
			}
		}
	});
	const exited = new Promise((resolve) => proc.on('exit', resolve));
	function send(method, params = {}, sessionId) {
		const id = nextId++;
		const msg = { id, method, params };
		if (sessionId) msg.sessionId = sessionId;
		out.write(JSON.stringify(msg) + '\0');
		return new Promise((resolve, reject) => {
			pending.set(id, { resolve, reject });
			setTimeout(() => {
				if (pending.has(id)) {
					pending.delete(id);
					reject(new Error(`${method}: no answer in 30 s; chromium said: ${stderr.slice(-500)}`));
				}
			}, 30000);
		});
	}

	async function open(url, opts = {}) {
		const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
		const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
		const page = { errors: [], requests: [], sessionId, targetId };
		let loaded;
		const loadedP = new Promise((resolve) => { loaded = resolve; });
		listeners.push((msg) => {
			if (msg.sessionId !== sessionId) return;
			const p = msg.params;
			switch (msg.method) {
			case 'Runtime.consoleAPICalled':
				if (p.type === 'error' || p.type === 'assert')
					page.errors.push('console: ' + p.args.map((a) => a.value ?? a.description).join(' '));
				break;
			case 'Runtime.exceptionThrown':
				page.errors.push('exception: ' + (p.exceptionDetails.exception?.description ?? p.exceptionDetails.text));
				break;
			case 'Log.entryAdded':
				if (p.entry.level === 'error') page.errors.push('log: ' + p.entry.text + ' ' + (p.entry.url || ''));
				break;
			case 'Network.requestWillBeSent':
				page.requests.push(p.request.url);
				break;
			case 'Network.loadingFailed':
				page.errors.push('load failed: ' + p.errorText);
				break;
			case 'Page.loadEventFired':
				loaded();
				break;
			}
		});
		for (const d of ['Runtime', 'Log', 'Network', 'Page']) await send(`${d}.enable`, {}, sessionId);
		await send('Emulation.setDeviceMetricsOverride', {
			width: opts.width || 1280, height: opts.height || 900,
			deviceScaleFactor: 1, mobile: !!opts.mobile,
		}, sessionId);
		await send('Emulation.setEmulatedMedia', {
			media: opts.print ? 'print' : '',
			features: [{ name: 'prefers-color-scheme', value: opts.dark ? 'dark' : 'light' }],
		}, sessionId);
		await send('Page.navigate', { url }, sessionId);
		await Promise.race([loadedP, new Promise((_, rej) => setTimeout(() => rej(new Error(`${url}: no load event in 30 s`)), 30000))]);
		page.eval = async (expr) => {
			const r = await send('Runtime.evaluate', { expression: expr, returnByValue: true }, sessionId);
			if (r.exceptionDetails) throw new Error(`${expr}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
			return r.result.value;
		};
		page.screenshot = async (file) => {
			const r = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
			fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
		};
		page.close = () => send('Target.closeTarget', { targetId });
		return page;
	}

	async function close() {
		try { await send('Browser.close'); } catch (e) { proc.kill('SIGTERM'); }
		await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
		if (proc.exitCode === null) proc.kill('SIGKILL');
	}
	return { open, close, send };
}

module.exports = { launch };
