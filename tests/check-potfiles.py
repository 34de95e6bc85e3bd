#!/usr/bin/python3
# tests/check-potfiles.py — po/POTFILES.in lists every file with translatable strings, as TAP
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# A file that marks strings for translation but is missing from POTFILES.in never reaches the
# translators, and nothing else notices: the strings just stay English. So every C file under
# src/app and src/cli and every GtkBuilder file under ui/ that uses _(), N_(), C_(), NC_() or
# one of the ngettext family, or has translatable="yes", must be listed (or named in
# po/POTFILES.skip), as must the desktop entry, the AppStream metadata and a settings schema
# that declares a gettext-domain. Every listed file must exist, and be listed once.

import os
import re
import sys

# The glib preset's keywords (meson's i18n module) plus plain ngettext, which the code uses too.
C_MARKER = re.compile(r'(?<![A-Za-z0-9_])'
                      r'(?:_|N_|C_|NC_|Q_|ngettext|g_dgettext|g_dcgettext|g_dngettext|g_dpgettext2?)'
                      r'\s*\(')
UI_MARKER = re.compile(r'''\btranslatable\s*=\s*["'](?:yes|true|1)["']''', re.IGNORECASE)
SCHEMA_MARKER = re.compile(r'\bgettext-domain\s*=')

SCANNED_DIRS = ['src/app', 'src/cli', 'ui', 'data']


def read_list(path):
    """The file names in a POTFILES-style list: one a line, # starts a comment line."""
    names = []
    if not os.path.exists(path):
        return names
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                names.append(line)
    return names


def has_translatable_strings(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    if path.endswith(('.c', '.h')):
        return C_MARKER.search(text) is not None
    if path.endswith('.ui'):
        return UI_MARKER.search(text) is not None
    if path.endswith(('.desktop.in', '.metainfo.xml.in', '.appdata.xml.in')):
        # Every one of these has a name and a summary for people to read.
        return True
    if path.endswith('.gschema.xml'):
        return SCHEMA_MARKER.search(text) is not None
    return False


def marked_files(root):
    found = []
    for top in SCANNED_DIRS:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                if has_translatable_strings(path):
                    found.append(os.path.relpath(path, root).replace(os.sep, '/'))
    return found


def main():
    if len(sys.argv) != 2:
        print('usage: check-potfiles.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = sys.argv[1]
    listed = read_list(os.path.join(root, 'po', 'POTFILES.in'))
    skipped = read_list(os.path.join(root, 'po', 'POTFILES.skip'))
    failures = 0
    number = 0

    def report(ok, description, problems):
        nonlocal failures, number
        number += 1
        print(('ok' if ok else 'not ok') + ' %d - %s' % (number, description))
        for problem in problems:
            print('# ' + problem)
        if not ok:
            failures += 1

    print('1..4')

    report(len(listed) > 0, 'po/POTFILES.in exists and lists files',
           [] if listed else ['po/POTFILES.in is missing or empty'])

    missing_files = [name for name in listed + skipped
                     if not os.path.isfile(os.path.join(root, name))]
    report(not missing_files, 'every file POTFILES.in and POTFILES.skip name exists',
           ['%s does not exist: remove it from po/POTFILES.in' % name for name in missing_files])

    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    report(not duplicates, 'no file is listed twice',
           ['%s is listed more than once in po/POTFILES.in' % name for name in duplicates])

    known = set(listed) | set(skipped)
    unlisted = [name for name in marked_files(root) if name not in known]
    report(not unlisted, 'every file with translatable strings is in po/POTFILES.in',
           ['%s has translatable strings but is not in po/POTFILES.in' % name for name in unlisted])

    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
