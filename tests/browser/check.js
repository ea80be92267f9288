// check.js CHROMIUM DEMO_DIR HOSTILE_DIR SHOT_DIR [SHORT_DIR LONG_DIR]: load recon's generated
// pages in a real headless Chromium from file:// and check what a reader
// gets: the banner, the summary and check rows against the day's JSON, the
// charts with their titles, the navigation, zero console errors, no request
// other than file://, and (HOSTILE_DIR: the escaping fixture's report) no
// element, attribute or link that came from the data.  SHORT_DIR and
// LONG_DIR hold 3 and 90 days of reports: the charts keep readable bars, show
// the days without a report, and no two labels of a chart overlap; the gate
// banner's colour follows the gate (red fail, amber not yet met, green met,
// blue baseline).  Prints one "ok ..." or "FAIL ..." line per assertion;
// exits 1 when any failed.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { launch } = require('./cdp.js');

const [chromium, demoDir, hostileDir, shotDir, shortDir, longDir] = process.argv.slice(2);
let failures = 0;

function check(what, cond, detail) {
	if (cond) {
		console.log(`ok ${what}`);
	} else {
		failures++;
		console.log(`FAIL ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
	}
}

const url = (dir, name) => 'file://' + path.resolve(dir, name);

// Every page: no console error, nothing fetched but the file itself.
function clean(name, page) {
	check(`${name}: no console errors`, page.errors.length === 0, page.errors);
	const foreign = page.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'));
	check(`${name}: no network request`, foreign.length === 0, foreign);
}

// What the page holds, gathered in the page (returns plain JSON).
const SURVEY = `(() => {
	const text = (e) => (e ? e.textContent.replace(/\\s+/g, ' ').trim() : null);
	const h2 = (t) => [...document.querySelectorAll('h2')].find((h) => text(h) === t);
	const tableAfter = (h) => { for (let e = h && h.nextElementSibling; e; e = e.nextElementSibling) { if (e.tagName === 'TABLE') return e; if (e.tagName === 'H2') return null; } return null; };
	const rows = (t) => (t ? [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map(text)) : []);
	const summary = Object.fromEntries(rows(tableAfter(h2('Summary'))));
	const checkTable = tableAfter(h2('Checks'));
	const failing = [];
	for (let e = h2('Failing checks'); e && (e = e.nextElementSibling) && e.tagName !== 'H2';)
		if (e.tagName === 'H3') failing.push(text(e));
	const charts = [...document.querySelectorAll('svg.chart')].map((s) => ({
		cls: s.getAttribute('class'), title: text(s.querySelector(':scope > title')),
		desc: text(s.querySelector(':scope > desc')), cells: s.querySelectorAll('g.cell').length,
		width: s.getBoundingClientRect().width }));
	const th = [...document.querySelectorAll('table')].every((t) => t.querySelectorAll('thead th').length > 0);
	return {
		title: document.title, mainClass: document.querySelector('main').className,
		banner: text(document.querySelector('blockquote')),
		nav: [...document.querySelectorAll('nav a')].map((a) => [text(a), a.getAttribute('href')]),
		summary, checkRows: rows(checkTable).length, checkHead: checkTable ? [...checkTable.querySelectorAll('thead th')].map(text) : [],
		failing, charts, tablesHaveTh: th,
		overflowX: document.documentElement.scrollWidth > window.innerWidth + 1,
		links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
	};
})()`;

// Elements and attributes recon itself writes: anything else came from data.
const TAGS = new Set(['html', 'head', 'meta', 'title', 'link', 'body', 'main', 'nav', 'p', 'a',
	'h1', 'h2', 'h3', 'h4', 'blockquote', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr',
	'th', 'td', 'ul', 'li', 'figure', 'figcaption', 'div', 'svg', 'g', 'rect', 'path', 'text', 'desc',
	'circle', 'polyline']);
const ATTRS = new Set(['lang', 'charset', 'name', 'content', 'class', 'href', 'rel', 'style', 'aria-label',
	'xmlns', 'role', 'viewBox', 'width', 'height', 'x', 'y', 'rx', 'cx', 'cy', 'r', 'd', 'fill', 'stroke',
	'stroke-width', 'stroke-dasharray', 'font-size', 'text-anchor', 'points']);
const HOSTILE = `(() => {
	const all = [...document.querySelectorAll('*')];
	return {
		tags: [...new Set(all.map((e) => e.localName))],
		attrs: [...new Set(all.flatMap((e) => [...e.attributes].map((a) => a.name)))],
		scripts: document.scripts.length, imgs: document.images.length,
		on: all.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
		js: all.filter((e) => [...e.attributes].some((a) => /^\\s*javascript:/i.test(a.value))).length,
		hrefs: [...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href')),
		styles: [...document.querySelectorAll('[style]')].map((e) => e.getAttribute('style')),
		text: document.body.textContent,
		svgTitles: [...document.querySelectorAll('svg title')].map((t) => t.textContent),
	};
})()`;
const SAFE_HREF = /^(\d{4}-\d{2}-\d{2}|index|index-\d{4})\.html$/;

// Pairs of text elements of one chart whose boxes overlap (half a pixel of
// slack for anti-aliasing), as [chart class, text, text].
const OVERLAPS = `(() => {
	const out = [];
	for (const svg of document.querySelectorAll('svg.chart')) {
		const boxes = [...svg.querySelectorAll('text')].map((t) => [t.textContent, t.getBoundingClientRect()])
			.filter(([, r]) => r.width > 0 && r.height > 0);
		for (let i = 0; i < boxes.length; i++)
			for (let j = i + 1; j < boxes.length; j++) {
				const [a, r] = boxes[i], [b, q] = boxes[j];
				if (r.left < q.right - 0.5 && q.left < r.right - 0.5 && r.top < q.bottom - 0.5 && q.top < r.bottom - 0.5)
					out.push([svg.getAttribute('class'), a, b]);
			}
	}
	return out;
})()`;

function noOverlaps(name, overlaps) {
	check(`${name}: no two chart labels overlap`, overlaps.length === 0, overlaps.slice(0, 5));
}
const SAFE_STYLE = /^text-align: (left|right|center)$/;

async function dayPage(b, dir, date, shots) {
	const json = JSON.parse(fs.readFileSync(path.join(dir, `${date}.json`), 'utf8'));
	const page = await b.open(url(dir, `${date}.html`));
	const s = await page.eval(SURVEY);
	const name = `day ${date}`;
	clean(name, page);
	const gate = json.baseline ? 'Baseline report' : json.gate.met ? 'Gate: MET' : 'Gate: NOT MET';
	check(`${name}: banner says "${gate}"`, s.banner && s.banner.startsWith(gate), s.banner);
	const streak = json.gate.met ? `streak ${json.gate.streak} clean days (${json.gate.required} required)`
		: `streak ${json.gate.streak} of ${json.gate.required} clean days`;
	check(`${name}: banner says "${streak}"`, s.banner && s.banner.includes(streak), s.banner);
	check(`${name}: no alert marker shows on the page`, s.banner && !s.banner.includes('[!'), s.banner);
	const cls = json.baseline ? 'gate-baseline' : json.gate.status === 'fail' ? 'gate-fail' : json.gate.met ? 'gate-met' : 'gate-pass';
	check(`${name}: page class ${cls}`, s.mainClass.split(' ').includes(cls), s.mainClass);
	for (const k of ['checks', 'pass', 'fail', 'error', 'skipped', 'drift'])
		check(`${name}: summary ${k} = ${json.summary[k]}`, s.summary[k] === String(json.summary[k]), s.summary[k]);
	check(`${name}: ${json.checks.length} check rows`, s.checkRows === json.checks.length, s.checkRows);
	check(`${name}: checks table has header cells`, s.checkHead[0] === 'check' && s.tablesHaveTh, s.checkHead);
	const failing = json.checks.filter((c) => c.status === 'fail');
	check(`${name}: ${failing.length} failing check sections`, s.failing.length === failing.length &&
		failing.every((c) => s.failing.includes(c.id)), s.failing);
	const strip = s.charts.find((c) => c.cls === 'chart window');
	check(`${name}: window strip with ${json.window.length} day cells`, strip && strip.cells === json.window.length, strip);
	check(`${name}: window strip titled`, strip && strip.title.startsWith(`Gate status of the last ${json.window.length} days`) &&
		strip.desc.includes(json.date), strip && strip.title);
	const sparks = s.charts.filter((c) => c.cls === 'chart spark');
	check(`${name}: a sparkline per check and per failing check`, sparks.length === json.checks.length + failing.length, sparks.length);
	check(`${name}: every chart has a title and a desc`, s.charts.every((c) => c.title && c.desc), s.charts.filter((c) => !c.title || !c.desc));
	check(`${name}: navigation links to the index`, s.nav.some(([, h]) => h === 'index.html'), s.nav);
	const links = s.links.filter((h) => !SAFE_HREF.test(h));
	check(`${name}: every link is a report page`, links.length === 0, links);
	// only pages that exist are linked: no "next day" that is not written yet
	const missing = s.links.filter((h) => !fs.existsSync(path.join(dir, h)));
	check(`${name}: every link resolves`, missing.length === 0, missing);
	const earlier = fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.html$/.test(f) && f < `${date}.html`).sort();
	if (earlier.length)
		check(`${name}: navigation links to the previous report`, s.nav.some(([, h]) => h === earlier[earlier.length - 1]), s.nav);
	noOverlaps(name, await page.eval(OVERLAPS));
	if (shots) await page.screenshot(path.join(shotDir, `day-${date}.png`));
	await page.close();
	return s;
}

async function indexPage(b, dir, file, shots) {
	const reports = fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort();
	const page = await b.open(url(dir, file));
	const s = await page.eval(SURVEY);
	const name = file;
	clean(name, page);
	const latest = reports[reports.length - 1].slice(0, 10);
	if (file === 'index.html')
		check(`${name}: banner names the latest report ${latest}`, s.banner && s.banner.startsWith(`Latest report: ${latest}`), s.banner);
	const days = s.charts.find((c) => c.cls === 'chart days');
	check(`${name}: daily chart titled`, days && /^Drift and streak per day, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/.test(days.title), days);
	check(`${name}: daily chart describes the gate`, days && /gate of \d+ clean days/.test(days.desc), days && days.desc);
	// the reports table: the first on the index, the last on a year page
	const rows = await page.eval(`[...document.querySelectorAll('table')].at(${file === 'index.html' ? 0 : -1}).querySelectorAll('tbody tr').length`);
	const bars = await page.eval(`document.querySelectorAll('svg.days g.pass > g, svg.days g.fail > g, svg.days g.none > g').length`);
	check(`${name}: a chart day per report row (${rows})`, rows > 0 && bars === rows, { rows, bars });
	const links = s.links.filter((h) => !SAFE_HREF.test(h));
	check(`${name}: every link is a report page`, links.length === 0, links);
	const missing = s.links.filter((h) => !fs.existsSync(path.join(dir, h)));
	check(`${name}: every link resolves`, missing.length === 0, missing);
	noOverlaps(name, await page.eval(OVERLAPS));
	if (shots) await page.screenshot(path.join(shotDir, file.replace('.html', '.png')));
	await page.close();
}

async function hostilePage(b, dir, file) {
	const page = await b.open(url(dir, file));
	const h = await page.eval(HOSTILE);
	const name = `hostile ${file}`;
	clean(name, page);
	check(`${name}: no <script>`, h.scripts === 0, h.scripts);
	check(`${name}: no <img>`, h.imgs === 0, h.imgs);
	check(`${name}: no on* attribute`, h.on === 0, h.on);
	check(`${name}: no javascript: value`, h.js === 0, h.js);
	const tags = h.tags.filter((t) => !TAGS.has(t));
	check(`${name}: only recon's elements`, tags.length === 0, tags);
	const attrs = h.attrs.filter((a) => !ATTRS.has(a));
	check(`${name}: only recon's attributes`, attrs.length === 0, attrs);
	const hrefs = h.hrefs.filter((x) => !SAFE_HREF.test(x) && x !== 'style.css');
	check(`${name}: only links to report pages`, hrefs.length === 0, hrefs);
	const styles = h.styles.filter((x) => !SAFE_STYLE.test(x));
	check(`${name}: only cmark's alignment styles`, styles.length === 0, styles);
	if (/^\d{4}-\d{2}-\d{2}\.html$/.test(file)) {
		for (const lit of ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '[x](javascript:alert(1))', 'a|b `code` **bold** # h'])
			check(`${name}: shows ${lit} literally`, h.text.includes(lit));
		check(`${name}: chart titles show the hostile id literally`,
			h.svgTitles.some((t) => t.includes('x<script>|`y`')), h.svgTitles.filter((t) => t.startsWith('Drift of')));
	}
	await page.close();
}

// The banner's computed colours, per gate state (the stylesheet's light
// scheme): green only for a met gate.
const BANNER = {
	fail: 'rgb(255, 235, 233)', notmet: 'rgb(255, 248, 197)', met: 'rgb(218, 251, 225)', baseline: 'rgb(221, 244, 255)',
};
const STATE_CLASS = { fail: 'gate-fail', notmet: 'gate-pass', met: 'gate-met', baseline: 'gate-baseline' };

function gateState(json) {
	if (json.baseline) return 'baseline';
	if (json.gate.status === 'fail') return 'fail';
	return json.gate.met ? 'met' : 'notmet';
}

async function bannerColours(b, dir) {
	const first = {};
	for (const f of fs.readdirSync(dir).filter((x) => /^\d{4}-\d{2}-\d{2}\.json$/.test(x)).sort()) {
		const st = gateState(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
		if (!first[st]) first[st] = f.slice(0, 10);
	}
	const seen = new Set();
	for (const st of Object.keys(BANNER)) {
		check(`banner: the history has a ${st} day`, !!first[st], first);
		if (!first[st]) continue;
		await dayPage(b, dir, first[st], false);
		const page = await b.open(url(dir, `${first[st]}.html`));
		const c = await page.eval(`(() => { const q = document.querySelector('main blockquote'), s = getComputedStyle(q);
			return { bg: s.backgroundColor, edge: s.borderLeftColor, cls: document.querySelector('main').className }; })()`);
		check(`banner ${st} (${first[st]}): class ${STATE_CLASS[st]}`, c.cls.split(' ').includes(STATE_CLASS[st]), c.cls);
		check(`banner ${st} (${first[st]}): background ${BANNER[st]}`, c.bg === BANNER[st], c);
		seen.add(c.edge);
		await page.screenshot(path.join(shotDir, `banner-${st}.png`));
		await page.close();
	}
	check('banner: four gate states, four edge colours', seen.size === 4, [...seen]);
}

// The daily chart of an index page: bars of a readable width, a mark for
// each day without a report, no overlapping labels.
async function chartDays(b, dir, ndays, shot) {
	const dates = fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).map((f) => f.slice(0, 10)).sort();
	const absent = [];
	for (let t = Date.parse(`${dates[0]}T00:00:00Z`); t <= Date.parse(`${dates[dates.length - 1]}T00:00:00Z`); t += 86400000) {
		const d = new Date(t).toISOString().slice(0, 10);
		if (!dates.includes(d)) absent.push(d);
	}
	const page = await b.open(url(dir, 'index.html'));
	const c = await page.eval(`(() => {
		const s = document.querySelector('svg.chart.days'), box = (e) => e.getBoundingClientRect();
		const bars = [...s.querySelectorAll('g.pass > g > rect, g.fail > g > rect, g.none > g > rect')].map((r) => box(r).width);
		const marks = [...s.querySelectorAll('g.missing > g')].map((g) => ({ title: g.querySelector('title').textContent,
			height: Math.max(...[...g.querySelectorAll('rect')].map((r) => box(r).height)) }));
		return { width: box(s).width, bars, marks, days: s.querySelectorAll('g.pass > g, g.fail > g, g.none > g').length };
	})()`);
	const name = `chart of ${ndays} days`;
	clean(name, page);
	check(`${name}: a bar group per report (${dates.length})`, c.days === dates.length, c.days);
	check(`${name}: bars between 4 and 36 px wide`, c.bars.length > 0 && Math.min(...c.bars) >= 4 && Math.max(...c.bars) <= 36,
		[Math.min(...c.bars), Math.max(...c.bars)]);
	if (ndays <= 7)
		check(`${name}: the chart is not stretched (${Math.round(c.width)} px)`, c.width <= 400, c.width);
	check(`${name}: a mark for each of the ${absent.length} days without a report`, c.marks.length === absent.length &&
		absent.every((d) => c.marks.some((m) => m.title === `${d}: no report`)), c.marks.map((m) => m.title));
	check(`${name}: the marks are tall enough to see`, c.marks.every((m) => m.height >= 50), c.marks.map((m) => m.height));
	noOverlaps(name, await page.eval(OVERLAPS));
	if (shot) await page.screenshot(path.join(shotDir, `chart-${ndays}-days.png`));
	await page.close();
}

(async () => {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'recon-chromium-'));
	let b;
	try {
		b = await launch(chromium, profile);
		const dates = fs.readdirSync(demoDir).filter((f) => /^\d{4}-\d{2}-\d{2}\.html$/.test(f)).map((f) => f.slice(0, 10)).sort();
		for (const date of dates)
			await dayPage(b, demoDir, date, date === dates[4] || date === dates[dates.length - 1]);
		await indexPage(b, demoDir, 'index.html', true);
		for (const f of fs.readdirSync(demoDir).filter((x) => /^index-\d{4}\.html$/.test(x)))
			await indexPage(b, demoDir, f, false);
		// a phone-width screen: nothing but tables scrolls sideways
		for (const f of [`${dates[4]}.html`, 'index.html']) {
			const page = await b.open(url(demoDir, f), { width: 390, height: 844, mobile: true });
			const wide = await page.eval(`[...document.querySelectorAll('main > *:not(table)')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '.' + e.className)`);
			check(`${f} at phone width: no element wider than the screen but tables`, wide.length === 0, wide);
			await page.screenshot(path.join(shotDir, `phone-${f.replace('.html', '.png')}`));
			await page.close();
		}
		// dark mode: the page background follows the scheme
		{
			const page = await b.open(url(demoDir, `${dates[4]}.html`), { dark: true });
			const bg = await page.eval(`getComputedStyle(document.body).backgroundColor`);
			check(`dark mode: dark background (${bg})`, bg === 'rgb(13, 17, 23)', bg);
			await page.screenshot(path.join(shotDir, `dark-day-${dates[4]}.png`));
			await page.close();
		}
		if (hostileDir) {
			for (const f of fs.readdirSync(hostileDir).filter((x) => x.endsWith('.html')).sort())
				await hostilePage(b, hostileDir, f);
		}
		if (shortDir && longDir) {
			await chartDays(b, shortDir, 3, true);
			await chartDays(b, longDir, 90, true);
			await indexPage(b, longDir, 'index.html', false);
			await bannerColours(b, longDir);
		}
	} catch (e) {
		failures++;
		console.log(`FAIL browser: ${e.stack || e}`);
	} finally {
		if (b) await b.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
	process.exit(failures ? 1 : 0);
})();
