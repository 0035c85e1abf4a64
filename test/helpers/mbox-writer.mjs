/**
 * A mail delivery agent for the tests: appends numbered messages to an mbox, one delivery at a time,
 * as Postfix's local(8) does: open the mailbox for appending, lock it, write the message in pieces,
 * fsync, close. The lock style is the first argument: `fcntl` (a POSIX record lock on the open file),
 * `dotlock` (MBOX.lock created O_EXCL before the mailbox is opened) or `both` (dotlock, then fcntl).
 *
 *   node mbox-writer.mjs STYLE MBOX MAX STOPFILE
 *
 * Delivers until STOPFILE exists or MAX messages are written, then prints the count delivered.
 */
import { closeSync, constants, existsSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const fsExt = createRequire(import.meta.url)('fs-ext');
// fs-ext's fcntlSync passes the lock type where fcntl(2) wants a struct flock (EFAULT): use the async call.
const fcntl = promisify(fsExt.fcntl);
const [style, mbox, maxArg, stopFile] = process.argv.slice(2);
const max = Number(maxArg);
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(pause, 0, 0, ms);

function dotlock() {
  for (;;) {
    try {
      const fd = openSync(`${mbox}.lock`, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      writeSync(fd, `writer ${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      sleep(1);
    }
  }
}

let n = 0;
while (n < max && !existsSync(stopFile)) {
  const id = n + 1;
  if (style !== 'fcntl') dotlock();
  const fd = openSync(mbox, constants.O_WRONLY | constants.O_APPEND);
  // F_SETLKW: wait for the lock, as a delivery agent that retries until it gets it.
  if (style !== 'dotlock') await fcntl(fd, 'setlkw', fsExt.constants.F_WRLCK);
  writeSync(fd, `From writer@firma.dk Mon Jan  5 10:00:00 2026\nFrom: writer@firma.dk\nTo: hr@firma.dk\n`);
  writeSync(fd, `Message-ID: <w${id}@writer>\nSubject: delivery ${id}\n\nDelivery number ${id}.\n\n`);
  fsyncSync(fd);
  // A delivery takes a while (a bigger message, a slower disk): the locks are held most of the time.
  sleep(2);
  closeSync(fd);
  if (style !== 'fcntl') unlinkSync(`${mbox}.lock`);
  n = id;
  sleep(1);
}
process.stdout.write(`${n}\n`);
