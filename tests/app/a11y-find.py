#!/usr/bin/python3
# tests/app/a11y-find.py — wait for an object in the app's accessibility tree, as a screen reader
# sees it over AT-SPI, and print its name and description
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Used by tests/app/test-a11y.sh. Walks the tree of the application named --app on the AT-SPI
# bus until an object with the role --role (AT-SPI's role name: "status bar", "image", …) has a
# name matching --name and a description matching --description (Python regular expressions,
# searched), or --timeout seconds pass; with --focused, the object must also have the keyboard
# focus (AT-SPI's "focused" state). Prints "ROLE | NAME | DESCRIPTION" of the match, or of every
# object with that role when none matches (with "| focused" after those that have the focus),
# and exits 0 on a match, 1 otherwise, 2 when the application is not on the bus. With --serve
# alone, it answers such queries one per line of its standard input instead (see serve()).

import argparse
import re
import shlex
import sys
import time

import pyatspi


def find_app(name):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and app.name == name:
            return app
    return None


def walk(accessible, role, found, depth=0):
    # GTK nests widgets deeply (window, stacks, boxes, bins); 60 levels is far more than the
    # app's tree has.
    if accessible is None or depth > 60:
        return
    try:
        if accessible.getRoleName() == role:
            focused = accessible.getState().contains(pyatspi.STATE_FOCUSED)
            found.append((accessible.name or "", accessible.description or "", focused))
        children = [accessible.getChildAtIndex(i) for i in range(accessible.childCount)]
    except Exception:
        # An object that went away while the tree was read (a popover closing).
        return
    for child in children:
        walk(child, role, found, depth + 1)


def parser():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default="backprop")
    parser.add_argument("--role", required=True)
    parser.add_argument("--name", default="")
    parser.add_argument("--description", default="")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--focused", action="store_true")
    return parser


def find(args):
    deadline = time.monotonic() + args.timeout
    app = None
    found = []
    while True:
        app = app or find_app(args.app)
        if app is not None:
            # Names and descriptions change under us: read them afresh on every walk.
            try:
                app.clearCache()
            except Exception:
                pass
            found = []
            walk(app, args.role, found)
            for name, description, focused in found:
                if (re.search(args.name, name) and re.search(args.description, description)
                        and (focused or not args.focused)):
                    print(f"{args.role} | {name} | {description}" + (" | focused" if focused else ""))
                    return 0
        if time.monotonic() >= deadline:
            break
        time.sleep(0.3)

    if app is None:
        print(f"no application named {args.app!r} on the accessibility bus")
        return 2
    for name, description, focused in found:
        print(f"{args.role} | {name} | {description}" + (" | focused" if focused else ""))
    if not found:
        print(f"no object with the role {args.role!r}")
    return 1


def serve():
    # One query per line of standard input, as the command line's options (shell words); each
    # answer is its printed lines, then "a11y-find-status N" and an empty line. One process for the whole
    # test: a Python and pyatspi per query cost a second each.
    queries = parser()
    queries.exit_on_error = False
    for line in sys.stdin:
        try:
            status = find(queries.parse_args(shlex.split(line)))
        except (argparse.ArgumentError, SystemExit, ValueError) as error:
            print(f"bad query {line.strip()!r}: {error}")
            status = 2
        print(f"a11y-find-status {status}\n", flush=True)


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
        return 0
    return find(parser().parse_args())


if __name__ == "__main__":
    sys.exit(main())
