/**
 * The source of the kNN worker thread, as plain JavaScript: workers run it with `eval: true`, so
 * it works alike when the engine runs from TypeScript sources (vitest) and from dist/.
 *
 * Protocol: the main thread posts a task { id, module, memory, memId, fn, args, qbPos, qePos,
 * scratchPos, scratch, counterPtr, total, chunk }. The worker instantiates the module on the shared
 * memory (once per memId; the first Memory object is kept, see below), then claims query ranges [s, s + chunk) from an int32 counter in that
 * memory with Atomics.add until `total` is reached, calling exports[fn] with args in which
 * positions qbPos/qePos/scratchPos are set, and answers { type: 'done', id } or
 * { type: 'error', id, message }. { type: 'forget', memId } drops an instance.
 */
export const KNN_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const instances = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'forget') { instances.delete(m.memId); return; }
  try {
    let entry = instances.get(m.memId);
    if (entry === undefined) {
      entry = { memory: m.memory, inst: new WebAssembly.Instance(m.module, { env: { memory: m.memory } }) };
      instances.set(m.memId, entry);
    }
    // Each message deserializes a new Memory object; reading .buffer on the one the instance was
    // built with makes it (and the instance) see growth done by other threads since.
    const counter = new Int32Array(entry.memory.buffer, m.counterPtr, 1);
    const fn = entry.inst.exports[m.fn];
    const a = m.args.slice();
    a[m.scratchPos] = m.scratch;
    for (;;) {
      const s = Atomics.add(counter, 0, m.chunk);
      if (s >= m.total) break;
      a[m.qbPos] = s;
      a[m.qePos] = Math.min(s + m.chunk, m.total);
      fn(...a);
    }
    parentPort.postMessage({ type: 'done', id: m.id });
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: m.id, message: String((e && e.stack) || e) });
  }
});
`;
