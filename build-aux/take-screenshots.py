#!/usr/bin/python3
# build-aux/take-screenshots.py — screenshots of every view of the app, in the light and the dark
# style and in Chinese, taken from the real app under Xvfb
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/take-screenshots.py BUILD_DIR [--output DIR] [--variants light,dark,zh_CN]
#                                      [--update-data]
#
# Builds BUILD_DIR (a meson build folder of this source tree), then for each variant starts the
# app from it in its test mode (BACKPROP_TEST_EVENTS=1, see the README's developer section) on
# a private Xvfb screen, with in-memory settings, and drives it as the UI tests do: it trains
# chapter 1's network on MNIST for a while, shows the weights and one neuron, draws a 3 on the
# pad, lists the test set's mistakes and walks one test image through the Backprop view,
# capturing the window at each step into
# OUTPUT/<variant>-<view>.png (default OUTPUT: BUILD_DIR/screenshots). --update-data copies the
# light English ones that the AppStream metadata shows into data/screenshots/.
#
# Needs xvfb-run, xdotool, ImageMagick's import and MNIST (build-aux/fetch-mnist.sh).

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDTH, HEIGHT = 1200, 800
SCREEN_WIDTH, SCREEN_HEIGHT = 1600, 1200
# The view switcher's buttons: a row of pixels inside their top edge, and the gap between them.
SWITCHER_ROW = 14
SWITCHER_SPACING = 3
SCREEN = f'-screen 0 {SCREEN_WIDTH}x{SCREEN_HEIGHT}x24'

# Variants: the environment each runs the app with.
VARIANTS = {
    'light': {'ADW_DEBUG_COLOR_SCHEME': 'prefer-light'},
    'dark': {'ADW_DEBUG_COLOR_SCHEME': 'prefer-dark'},
    'zh_CN': {'ADW_DEBUG_COLOR_SCHEME': 'prefer-light', 'LANGUAGE': 'zh_CN'},
}

# The screenshots the AppStream metadata shows (data/screenshots/<view>.png), from the light
# English run, in the order the software centre lists them.
DATA_VIEWS = ['train', 'weights', 'draw', 'mistakes']

# The digit drawn on the pad: the first hand style of tests/data/drawn-digits/<digit>.json.
DRAWN_DIGIT = 3


def fail(message):
    print(f'take-screenshots: {message}', file=sys.stderr)
    sys.exit(1)


def mnist_dir():
    if os.environ.get('BACKPROP_DATA_DIR'):
        return os.environ['BACKPROP_DATA_DIR']
    data_home = os.environ.get('XDG_DATA_HOME', '')
    if not data_home.startswith('/'):
        data_home = os.path.join(os.path.expanduser('~'), '.local', 'share')
    return os.path.join(data_home, 'backprop', 'mnist')


def has_mnist(folder):
    names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
             't10k-labels-idx1-ubyte']
    return all(os.path.exists(os.path.join(folder, n)) or os.path.exists(os.path.join(folder, n + '.gz'))
               for n in names)


def xdotool(*args):
    return subprocess.run(['xdotool', *args], check=True, capture_output=True,
                          text=True).stdout.strip()


class App:
    """The app started in its test mode: its event lines, its window, input and captures."""

    def __init__(self, build_dir, out_dir, variant, env):
        self.out_dir = out_dir
        self.variant = variant
        self.events_path = os.path.join(out_dir, f'{variant}-events.log')
        self.stderr_path = os.path.join(out_dir, f'{variant}-stderr.log')
        full_env = dict(os.environ)
        full_env.update({
            'GSK_RENDERER': 'cairo',
            'GTK_A11Y': 'none',
            # Nothing the app remembers between runs (the window size, the last view) leaks
            # into the screenshots, or out of them into the user's settings.
            'GSETTINGS_BACKEND': 'memory',
            'GSETTINGS_SCHEMA_DIR': os.path.join(build_dir, 'data'),
            'BACKPROP_LOCALEDIR': os.path.join(build_dir, 'po'),
            'BACKPROP_TEST_EVENTS': '1',
            'LC_ALL': 'C.UTF-8',
        })
        full_env.pop('LANGUAGE', None)
        full_env.update(env)
        with open(self.events_path, 'w') as events, open(self.stderr_path, 'w') as errors:
            self.process = subprocess.Popen([os.path.join(build_dir, 'src', 'app', 'backprop')],
                                            stdout=events, stderr=errors, env=full_env)
        self.wid = None

    def lines(self):
        with open(self.events_path, encoding='utf-8') as f:
            return f.read().splitlines()

    def mark(self):
        return len(self.lines())

    def wait_for(self, regex, timeout=30, after=0):
        """The first event line after line AFTER matching REGEX, waiting up to TIMEOUT s."""
        pattern = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines()[after:]:
                if pattern.search(line):
                    return line
            if self.process.poll() is not None:
                fail(f'{self.variant}: the app ended (status {self.process.returncode}) while '
                     f'waiting for "{regex}"; see {self.stderr_path}')
            if time.monotonic() > deadline:
                fail(f'{self.variant}: no "{regex}" in {timeout} s; see {self.events_path}')
            time.sleep(0.05)

    def find_window(self):
        pid = str(self.process.pid)
        out = subprocess.run(['timeout', '20', 'xdotool', 'search', '--sync', '--onlyvisible',
                              '--pid', pid], capture_output=True, text=True).stdout.split()
        if not out:
            fail(f'{self.variant}: the app shows no window')
        self.wid = out[0]
        xdotool('windowsize', '--sync', self.wid, str(WIDTH), str(HEIGHT))
        self.focus()

    def focus(self):
        xdotool('windowfocus', '--sync', self.wid)

    def windows(self):
        out = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(self.process.pid)],
                             capture_output=True, text=True).stdout.split()
        return out

    def geometry(self, wid=None):
        out = xdotool('getwindowgeometry', '--shell', wid or self.wid)
        values = dict(line.split('=', 1) for line in out.splitlines())
        return int(values['X']), int(values['Y']), int(values['WIDTH']), int(values['HEIGHT'])

    def key(self, *keys):
        xdotool('key', '--clearmodifiers', *keys)

    def widget(self, name):
        """(x, y, width, height) of the last "widget NAME …" line, from the window's corner."""
        lines = [line for line in self.lines() if line.startswith(f'widget {name} ')]
        if not lines:
            fail(f'{self.variant}: no widget {name} was placed')
        return tuple(int(v) for v in lines[-1].split()[2:6])

    def click(self, x, y):
        wx, wy, _, _ = self.geometry()
        xdotool('mousemove', '--sync', str(wx + x), str(wy + y), 'click', '1')

    def find_view_switcher(self):
        """Find the header bar's view buttons from the checked one, Train's, at start-up."""
        # The views are switched with the mouse, as a person does: a key press (the views'
        # Alt+N) turns on the window's keyboard focus rings for good. The test mode does not
        # say where the switcher is, so its checked button is found in a row of pixels near
        # its top edge: a run of its own shade in the header bar's colour, in the middle of
        # the window. The buttons are as wide as each other, side by side.
        _, _, width, _ = self.geometry()
        row = subprocess.run(['import', '-window', self.wid, '-crop', f'{width}x1+0+{SWITCHER_ROW}',
                              '+repage', '-depth', '8', 'txt:-'],
                             check=True, capture_output=True, text=True).stdout.splitlines()[1:]
        colours = [line.split()[2] for line in row]
        background = max(set(colours), key=colours.count)
        runs, start = [], None
        for x, colour in enumerate(colours + [background]):
            if colour != background and start is None:
                start = x
            elif colour == background and start is not None:
                runs.append((start, x - start))
                start = None
        middle = [(x, w) for x, w in runs
                  if 40 <= w <= 300 and width * 0.2 < x and x + w < width * 0.8]
        if len(middle) != 1:
            fail(f'{self.variant}: the view switcher was not found in the header bar '
                 f'(runs {runs})')
        self.switcher = middle[0]

    def show_view(self, index):
        """Click the view switcher's button INDEX (0 Train, 1 Weights, 2 Draw, 3 Mistakes,
        4 Backprop)."""
        x, w = self.switcher
        self.click(x + w // 2 + index * (w + SWITCHER_SPACING), SWITCHER_ROW + 14)

    def shot(self, view, wid=None, settle=0.5):
        # No hover effects or tooltips: the pointer goes to the screen's corner, outside the
        # window. The last frame is painted a moment after the event that announced the change.
        xdotool('mousemove', '--sync', str(SCREEN_WIDTH - 1), str(SCREEN_HEIGHT - 1))
        time.sleep(settle)
        path = os.path.join(self.out_dir, f'{self.variant}-{view}.png')
        subprocess.run(['import', '-window', wid or self.wid, '+repage', path], check=True)
        print(f'  {os.path.relpath(path)}')
        return path

    def quit(self):
        if self.process.poll() is None:
            self.key('ctrl+q')
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def pad_position(app):
    """Show the Draw view; the pad's (x, y, width, height) from the window's corner."""
    # The "canvas" line comes when the view is shown: switch away and back to read it anew.
    app.show_view(0)
    time.sleep(0.3)
    m = app.mark()
    app.show_view(2)
    line = app.wait_for('^canvas ', 10, m)
    time.sleep(0.3)
    return tuple(int(v) for v in line.split()[1:5])


def draw_digit(app, digit):
    """Draw DIGIT's first hand style on the pad, one pointer move per call (GTK coalesces the
    moves of one call). Returns the prediction line that followed."""
    with open(os.path.join(SOURCE_ROOT, 'tests', 'data', 'drawn-digits', f'{digit}.json')) as f:
        strokes = json.load(f)['styles'][0]['strokes']

    # The view lays itself out anew once the pad has ink (the guess beside it takes more
    # room), and the pad moves. So a dot first shows where the pad goes then; the dot is
    # cleared, and the digit drawn from where it starts on the empty pad, then, the pad having
    # moved under the pen, on the pad with ink.
    empty = pad_position(app)
    wx, wy, _, _ = app.geometry()
    x, y = strokes[0][0]
    m = app.mark()
    xdotool('mousemove', '--sync', str(wx + empty[0] + round(empty[2] * x)),
            str(wy + empty[1] + round(empty[3] * y)), 'click', '1')
    app.wait_for('^prediction ', 10, m)
    inked = pad_position(app)
    if inked != empty:
        print(f'  (the pad moves when it gets ink: from {empty} to {inked})')
    m = app.mark()
    # Sent to the window (a synthetic event), Delete leaves the keyboard focus rings off.
    xdotool('key', '--window', app.wid, 'Delete')
    app.wait_for('^strokes 0$', 10, m)
    empty = pad_position(app)

    m = app.mark()
    for n, stroke in enumerate(strokes):
        for i, (x, y) in enumerate(stroke):
            px, py, pw, ph = empty if n == 0 and i == 0 else inked
            xdotool('mousemove', '--sync', str(wx + px + round(pw * x)), str(wy + py + round(ph * y)))
            if i == 0:
                xdotool('mousedown', '1')
                time.sleep(0.3 if n == 0 else 0.01)
            time.sleep(0.01)
        xdotool('mouseup', '1')
    line = app.wait_for('^prediction ', 10, m)
    after = pad_position(app)
    if after != inked:
        print(f'  (the pad moved while drawing: {inked}, then {after})')
    return line


def run_variant(build_dir, out_dir, variant):
    print(f'{variant}:')
    app = App(build_dir, out_dir, variant, VARIANTS[variant])
    try:
        app.wait_for('^ready$', 60)
        app.find_window()
        app.find_view_switcher()
        app.shot('train-empty')

        # Chapter 1's network on all of MNIST: a shot while it learns, one when it is done.
        m = app.mark()
        x, y, w, h = app.widget('start')
        app.click(x + w // 2, y + h // 2)
        app.wait_for('^epoch 4 ', 60, m)
        app.shot('train-running', settle=0.3)
        app.wait_for('^state stopped$', 120, m)
        app.shot('train', settle=1.0)

        # The weights of the hidden neurons, and one of them large (a window of its own).
        m = app.mark()
        app.show_view(1)
        app.wait_for('^widget neuron-0 ', 10, m)
        app.shot('weights')
        x, y, w, h = app.widget('neuron-0')
        before = set(app.windows())
        app.click(x + w // 2, y + h // 2)
        app.wait_for('^neuron-dialog 0$', 10, m)
        time.sleep(0.5)
        dialogs = [wid for wid in app.windows() if wid not in before and wid != app.wid]
        if dialogs:
            app.shot('neuron', wid=dialogs[0])
        else:
            print(f'  (no window for the neuron dialog: not captured)')
        # The dialog has the keyboard: its focus rings, not the main window's, turn on.
        app.key('Escape')
        time.sleep(0.3)
        app.focus()

        # A 3 drawn on the pad, read by the trained network.
        pad_position(app)
        app.shot('draw-empty')
        line = draw_digit(app, DRAWN_DIGIT)
        guess = line.split()[1]
        if guess != str(DRAWN_DIGIT):
            print(f'  (the network reads the drawn {DRAWN_DIGIT} as {guess})')
        app.shot('draw', settle=0.8)

        # The test set's mistakes, the most confident first.
        m = app.mark()
        app.show_view(3)
        app.wait_for(r'^mistakes [0-9]+ accuracy ', 60, m)
        app.wait_for('^widget first-digit ', 10, m)
        app.shot('mistakes', settle=0.8)

        # Chapter 2 on one test image: the forward pass done, then the output error (BP1) and
        # a neuron's own numbers. The steps are walked with → (the last shots: the keyboard
        # turns on the focus rings).
        m = app.mark()
        app.show_view(4)
        app.wait_for('^backprop-example test ', 10, m)
        app.wait_for('^widget backprop-hidden-0 ', 10, m)
        x, y, w, h = app.widget('backprop-hidden-0')
        app.click(x + w // 2, y + h // 2)
        app.wait_for('^backprop-neuron 0 0 ', 10, m)
        app.key('Right', 'Right')
        app.wait_for(r'^backprop-step 2 [0-9]+ forward ', 10, m)
        app.shot('backprop', settle=0.8)
        app.key('Right')
        app.wait_for(r'^backprop-step 3 [0-9]+ output-error ', 10, m)
        app.shot('backprop-bp1', settle=0.8)
        app.key('End', 'Left')
        app.wait_for(r'^backprop-step [0-9]+ [0-9]+ gradient ', 10, m)
        app.shot('backprop-gradient', settle=0.8)
    finally:
        app.quit()
    if os.path.getsize(app.stderr_path) > 0:
        print(f'  (the app wrote to stderr: {app.stderr_path})')


def main():
    parser = argparse.ArgumentParser(description='Screenshots of every view of the app.')
    parser.add_argument('build_dir', help='a meson build folder of this source tree')
    parser.add_argument('--output', help='where the PNGs go (default: BUILD_DIR/screenshots)')
    parser.add_argument('--variants', default=','.join(VARIANTS),
                        help='comma-separated, of ' + ', '.join(VARIANTS))
    parser.add_argument('--update-data', action='store_true',
                        help='copy the light English views into data/screenshots/')
    args = parser.parse_args()

    build_dir = os.path.abspath(args.build_dir)
    out_dir = os.path.abspath(args.output or os.path.join(build_dir, 'screenshots'))
    variants = [v for v in args.variants.split(',') if v]
    for v in variants:
        if v not in VARIANTS:
            fail(f'no variant "{v}"; there are {", ".join(VARIANTS)}')
    if args.update_data and 'light' not in variants:
        fail('--update-data needs the light variant')

    # Under our own Xvfb (no window manager, no decorations, a known screen), re-run ourselves.
    if os.environ.get('BACKPROP_SCREENSHOTS_XVFB') != '1':
        for tool in ('xvfb-run', 'xdotool', 'import', 'ninja'):
            if shutil.which(tool) is None:
                fail(f'{tool} is not installed (build-aux/install-deps.sh)')
        if not has_mnist(mnist_dir()):
            fail(f'MNIST is not in {mnist_dir()} (build-aux/fetch-mnist.sh)')
        if not os.path.exists(os.path.join(build_dir, 'build.ninja')):
            fail(f'{build_dir} is not a meson build folder (meson setup {build_dir})')
        subprocess.run(['ninja', '-C', build_dir, '-j2'], check=True)
        env = dict(os.environ, BACKPROP_SCREENSHOTS_XVFB='1')
        return subprocess.run(['xvfb-run', '-a', '-s', SCREEN, sys.executable,
                               os.path.abspath(__file__), *sys.argv[1:]], env=env).returncode

    os.makedirs(out_dir, exist_ok=True)
    for variant in variants:
        run_variant(build_dir, out_dir, variant)

    if args.update_data:
        data_dir = os.path.join(SOURCE_ROOT, 'data', 'screenshots')
        os.makedirs(data_dir, exist_ok=True)
        for view in DATA_VIEWS:
            # Stripped of the time stamps ImageMagick writes, so an unchanged view is an
            # unchanged file.
            subprocess.run(['convert', os.path.join(out_dir, f'light-{view}.png'), '-strip',
                            '-define', 'png:exclude-chunks=date,time',
                            os.path.join(data_dir, f'{view}.png')], check=True)
        print(f'data/screenshots: {", ".join(v + ".png" for v in DATA_VIEWS)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
