/**
 * Small JSON files (summaries, reports, models) written atomically like every other output.
 */
import { openTarget } from './output.js';

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const target = await openTarget(path);
  try {
    await target.write(text);
    await target.commit();
  } catch (e) {
    await target.abort();
    throw e;
  }
}
