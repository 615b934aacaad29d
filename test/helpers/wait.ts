/**
 * Polls `check` every `everyMs` until it holds: answers true, or false once `ms` have passed. Tests
 * wait on what they can observe (a row, a mail, an event) rather than sleeping a guessed time, so
 * they are as fast as the machine and fail only when the thing never happens.
 */
export const waitFor = async (check: () => boolean | Promise<boolean>, ms = 10_000, everyMs = 50): Promise<boolean> => {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
};
