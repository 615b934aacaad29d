import type { Page } from 'playwright-core';

/**
 * axe-core's WCAG 2.1 A and AA rules (and those of 2.0 they include) on the page as it is now:
 * every violation, each with the elements it found, in words a failing test can show.
 */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Violation = { id: string; help: string; nodes: { target: unknown[]; html: string; failureSummary?: string }[] };

export const accessibilityViolations = async (page: Page): Promise<string[]> => {
  // The page at rest: no hover state left by the last click (the design system's primary button
  // hovers to white on primary500, 3.5:1, Strapi's own), and transitions (toasts fading in) over.
  await page.mouse.move((page.viewportSize()?.width ?? 1440) - 10, 5);
  await page.waitForTimeout(400);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { source } = require('axe-core') as { source: string };
  // Evaluated, not added as a <script>: the admin panel's Content-Security-Policy refuses inline scripts.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(source);
  const violations = (await page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_21_AA)} }, resultTypes: ['violations'] })
       .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) })))`,
  )) as Violation[];
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.id} (${v.help}): ${n.html.slice(0, 300)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
    ),
  );
};
