/**
 * What kind of code a frame is, for the flame graph's colours and "focus on my code": the app's own code,
 * a third-party library, Python's standard library, or native code. py-spy prints paths shortened to the
 * import path (`threading.py`, `http/server.py`, `badapp/hashing.py`, `<frozen runpy>`), so the standard library
 * is recognised by its top-level module name, libraries by an install folder when one is printed.
 */
import type { FrameInfo } from '../profile/model.js';

export type FrameKind = 'app' | 'lib' | 'std' | 'native';

export const kindLabels: Record<FrameKind, string> = {
  app: "the app's code",
  lib: 'third-party library',
  std: 'standard library',
  native: 'native / unknown',
};

/** Top-level standard-library modules a server's stack passes through (sys.stdlib_module_names, the usual part). */
const STDLIB = new Set(
  ('abc argparse ast asyncio base64 bdb bisect builtins bz2 calendar cgi codecs collections concurrent configparser contextlib contextvars copy copyreg csv ctypes dataclasses datetime decimal difflib dis email encodings enum fnmatch functools gc genericpath getopt gettext glob gzip hashlib heapq hmac html http importlib inspect io ipaddress itertools json keyword linecache locale logging lzma mailbox mimetypes multiprocessing numbers opcode operator os pathlib pickle pkgutil platform posixpath pprint profile queue quopri random re reprlib runpy sched secrets selectors shlex shutil signal site socket socketserver sqlite3 ssl stat statistics string struct subprocess sysconfig tarfile tempfile textwrap threading time timeit token tokenize traceback types typing unittest urllib uuid warnings weakref wsgiref xml zipfile zipimport zlib _collections_abc _weakrefset _threading_local _strptime _compression __future__').split(' '),
);

export function frameKind(frame: FrameInfo | undefined): FrameKind {
  const file = frame?.file;
  if (!frame || !file || /^<native|\.(so|c|cc|cpp|rs|h)$|^\?\?$/.test(file) || frame.name.startsWith('<native')) return 'native';
  if (/[\\/](site|dist)-packages[\\/]/.test(file)) return 'lib';
  if (file.startsWith('<frozen')) return 'std';
  if (/[\\/]lib[\\/]python\d[\d.]*[\\/]/.test(file)) return 'std';
  const top = file.replace(/^\.?[\\/]/, '').split(/[\\/]/)[0]!.replace(/\.py$/, '');
  if (STDLIB.has(top)) return 'std';
  return 'app';
}
