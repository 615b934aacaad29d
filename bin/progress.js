'use strict';
/**
 * A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms; on anything else
 * (a pipe, a CI log) only one line per phase. No dependency: cli-progress would be the only one.
 */
const PHASES = { threads: 'Threads', users: 'Blocks and preferences', settings: 'Settings' };

const createProgress = (stream = process.stderr) => {
  const tty = Boolean(stream.isTTY);
  let phase = null;
  let started = Date.now();
  let drawn = 0;

  const line = ({ done, total }) => {
    const width = Math.max(10, Math.min(40, (stream.columns || 80) - 50));
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const elapsed = (Date.now() - started) / 1000;
    const eta = ratio > 0 && ratio < 1 ? ` ETA ${Math.round((elapsed / ratio) * (1 - ratio))} s` : '';
    return `${PHASES[phase] ?? phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%${eta}`;
  };

  return {
    update(p) {
      if (p.phase !== phase) {
        if (tty && phase !== null) stream.write('\n');
        phase = p.phase;
        started = Date.now();
        drawn = 0;
        if (!tty) stream.write(`${PHASES[phase] ?? phase}: ${p.total} to go\n`);
      }
      if (!tty) return;
      const now = Date.now();
      if (now - drawn < 100 && p.done < p.total) return;
      drawn = now;
      stream.write(`\r${line(p)}\x1b[K`);
    },
    end() {
      if (tty && phase !== null) stream.write('\n');
      phase = null;
    },
  };
};

module.exports = { createProgress };
