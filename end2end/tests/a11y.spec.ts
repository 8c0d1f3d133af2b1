import { expect, Locator, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, expectAccessible, PAGES, signIn, waitForHydration } from './helpers';

// axe-core on every page once it has hydrated, as an operator (every action enabled) and before
// sign-in; the review and run pages are checked by the update journeys (at their screenshots).
test('every page has no serious or critical accessibility violation, hydrated', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await expectAccessible(page);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  for (const path of PAGES) {
    await page.goto(path);
    await waitForHydration(page);
    await expectAccessible(page);
  }
});

/// Presses Tab until `target` has the focus (it must be reachable), checking the focus is seen.
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) {
      const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline, 'the focused control shows its focus').not.toBe('none');
      return;
    }
  }
  throw new Error(`Tab never reached ${target}`);
}

test('the edit page can be completed with the keyboard alone', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/stores/000000000000/us-east-1/cks-0a1b2c3d4e5f60001/edit');
  await waitForHydration(page);
  const name = page.getByRole('textbox', { name: /^Key store name/ });
  await tabTo(page, name);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('payments-xks-keyboard');
  const review = page.getByRole('button', { name: 'Review the change' });
  await tabTo(page, review);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/review\//);
  await expect(page.getByText('payments-xks-keyboard').first()).toBeVisible();
  // The review's confirmation and its button are reachable too (the run is not started).
  const confirm = page.getByRole('checkbox', { name: /I have read the impact/ });
  await tabTo(page, confirm);
  await page.keyboard.press('Space');
  await expect(confirm).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Start the run' }));
});
