// axe-core's accessibility rules on the demo page, both tabs loaded (the elements' fixture page
// has its own check in elements.test.mjs).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { createSession, FACES_MANIFEST, MANIFEST, openReadyDemo, PKG_CPU, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

test('axe-core finds no accessibility violation on the demo page', { skip: skipUnless(PKG_CPU, MANIFEST, FACES_MANIFEST) }, async () => {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  for (const query of ['?backend=cpu', '?backend=cpu&panel=faces']) {
    const { page, context } = await openReadyDemo(session, query);
    try {
      await page.evaluate(source); // evaluated by the test, so the page's strict CSP does not apply
      const violations = await page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
      assert.deepEqual(violations, [], query);
    } finally {
      await context.close();
    }
  }
});
