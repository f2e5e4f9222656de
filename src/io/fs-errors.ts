/**
 * Maps Node file-system errors to IoError with a one-line, actionable message.
 */
import { IoError, RebalanceError } from '../core/errors.js';

export function ioErrorFrom(e: unknown, path: string, action: 'read' | 'write' | 'open' | 'rename'): RebalanceError {
  if (e instanceof RebalanceError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const where = { file: path };
  switch (code) {
    case 'ENOENT':
      return action === 'write' || action === 'rename'
        ? new IoError('REBALANCE_NO_DIR', `cannot write '${path}': the folder does not exist; create it first`, { where, cause: e })
        : new IoError('REBALANCE_NOT_FOUND', `cannot read '${path}': no such file; check the path`, { where, cause: e });
    case 'EISDIR':
      return new IoError('REBALANCE_IS_DIR', `'${path}' is a directory, expected a file`, { where, cause: e });
    case 'EACCES':
    case 'EPERM':
      return new IoError('REBALANCE_PERMISSION', `permission denied to ${action} '${path}'`, { where, cause: e });
    case 'ENOSPC':
      return new IoError('REBALANCE_DISK_FULL', `no space left on the device while writing '${path}'; free space or write elsewhere`, { where, cause: e });
    case 'EFBIG':
      return new IoError('REBALANCE_FILE_TOO_BIG', `file size limit reached while writing '${path}' (ulimit -f?)`, { where, cause: e });
    case 'EROFS':
      return new IoError('REBALANCE_READ_ONLY', `cannot write '${path}': read-only file system`, { where, cause: e });
    case 'ENOTDIR':
      return new IoError('REBALANCE_NOT_DIR', `a parent of '${path}' is not a directory`, { where, cause: e });
    default: {
      const msg = e instanceof Error ? e.message : String(e);
      return new IoError('REBALANCE_IO', `cannot ${action} '${path}': ${msg}`, { where, cause: e });
    }
  }
}
