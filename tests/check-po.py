#!/usr/bin/python3
# tests/check-po.py — every language in po/LINGUAS translates every message of the code, as TAP
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-po.py SOURCE_ROOT
#
# Checking a .po file alone is not enough: a string added to the code since the last
# `ninja backprop-update-po` is simply absent from it. So the template is extracted afresh
# from po/POTFILES.in with the keywords of meson's glib preset, each <lang>.po is merged against
# it into a temporary file, and that must have no untranslated and no fuzzy message. For each
# language it also checks the .po itself with `msgfmt --check` (header, plural forms, the format
# specifiers of every c-format message), that every mnemonic underscore survived the
# translation, and, where a glossary below has the language, that the field's terms are the
# standard ones everywhere.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# meson's i18n preset 'glib' (mesonbuild/modules/i18n.py), as `ninja backprop-pot` runs it.
XGETTEXT_GLIB_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format',
    '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]

# The field's terms, per language: an English pattern (matched in the msgid, case-insensitive)
# and the word its translation must contain. A reader who met 轮次 in one label and 周期 in
# the next would think they are two things.
GLOSSARY = {
    'zh_CN': [
        (r'\bepochs?\b', '轮次'),
        (r'\blearning[- ]rate\b', '学习率'),
        (r'\bmini-batch', '小批量'),
        (r'\bregularisation\b', '正则化'),
        (r'\bcross-entropy\b', '交叉熵'),
        (r'\blog-likelihood\b', '对数似然'),
        (r'\bbackpropagation\b', '反向传播'),
        (r'\bmomentum\b', '动量'),
        (r'\bdropout\b', '丢弃法'),
        (r'\bhidden\b', '隐藏'),
        (r'\bneurons?\b', '神经元'),
        (r'\bweights?\b', '权重'),
        (r'\bbias\b', '偏置'),
        (r'\bcost\b', '代价'),
        (r'\baccuracy\b', '准确率'),
        (r'\bactivations?\b', '激活'),
        (r'\bgradient\b', '梯度'),
        (r'\bsaliency\b', '显著性'),
        (r'\bconfusion matrix\b', '混淆矩阵'),
        (r'\btest set\b', '测试集'),
        (r'\bvalidation accuracy\b', '验证集准确率'),
        (r'\bprobabilit(?:y|ies)\b', '概率'),
        # Chapter 2's terms, as the seed's notes have them (the Backprop view).
        (r'\bweighted input\b', '带权输入'),
        (r'\bHadamard product\b', 'Hadamard 乘积'),
        (r'\bfour fundamental equations\b', '反向传播的四个基本方程'),
        (r'\berror δ', '误差'),
    ],
}


def read_linguas(po_dir):
    langs = []
    with open(os.path.join(po_dir, 'LINGUAS'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                langs.extend(line.split())
    return langs


def unquote(text):
    return (text[1:-1].replace('\\n', '\n').replace('\\t', '\t')
            .replace('\\"', '"').replace('\\\\', '\\'))


def parse_po(path):
    """The live messages of a .po file that msgmerge wrote (entries apart by blank lines):
    dicts with msgid, msgid_plural, msgstr (a list, one per plural form) and flags."""
    messages = []
    with open(path, encoding='utf-8') as f:
        blocks = f.read().split('\n\n')
    for block in blocks:
        message = {'msgid': None, 'msgid_plural': None, 'msgstr': [], 'flags': []}
        target = None
        for line in block.splitlines():
            if line.startswith('#,'):
                message['flags'] += [flag.strip() for flag in line[2:].split(',')]
            elif line.startswith('#'):
                continue  # comments, references, and obsolete (#~) entries
            elif line.startswith('"') and target is not None:
                if target == 'msgstr':
                    message['msgstr'][-1] += unquote(line)
                else:
                    message[target] += unquote(line)
            else:
                match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[\d+\])? (".*")$', line)
                if match is None:
                    continue
                target = match.group(1)
                if target == 'msgstr':
                    message['msgstr'].append(unquote(match.group(2)))
                else:
                    message[target] = unquote(match.group(2))
        if message['msgid']:
            messages.append(message)
    return messages


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def main():
    if len(sys.argv) != 2:
        print('usage: check-po.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    po_dir = os.path.join(root, 'po')
    for tool in ('xgettext', 'msgmerge', 'msgfmt', 'msgattrib'):
        if shutil.which(tool) is None:
            print('1..0 # SKIP %s is not installed (build-aux/install-deps.sh installs gettext)' % tool)
            return 0

    langs = read_linguas(po_dir)
    checks_per_lang = 4
    print('1..%d' % (1 + checks_per_lang * len(langs)))
    failures = 0
    number = 0

    def report(ok, description, problems=()):
        nonlocal failures, number
        number += 1
        print(('ok' if ok else 'not ok') + ' %d - %s' % (number, description))
        for problem in problems:
            for line in problem.splitlines():
                print('# ' + line)
        if not ok:
            failures += 1

    with tempfile.TemporaryDirectory(prefix='backprop-check-po-') as tmp:
        pot = os.path.join(tmp, 'backprop.pot')
        result = run(['xgettext', '--package-name=backprop', '--directory=' + root,
                      '--files-from=' + os.path.join(po_dir, 'POTFILES.in'),
                      '--output=' + pot] + XGETTEXT_GLIB_ARGS)
        report(result.returncode == 0 and os.path.exists(pot),
               'xgettext extracts a template from po/POTFILES.in',
               [result.stderr.strip()] if result.stderr.strip() else [])
        if not os.path.exists(pot):
            return 1

        for lang in langs:
            po = os.path.join(po_dir, lang + '.po')
            merged = os.path.join(tmp, lang + '.po')

            result = run(['msgfmt', '--check', '--output-file=/dev/null', po])
            report(result.returncode == 0, '%s.po passes msgfmt --check' % lang,
                   [result.stderr.strip()] if result.returncode != 0 else [])

            result = run(['msgmerge', '--quiet', '--output-file=' + merged, po, pot])
            if result.returncode != 0:
                report(False, '%s.po merges with the fresh template' % lang, [result.stderr.strip()])
                for _ in range(checks_per_lang - 2):
                    report(False, '%s: not checked, the merge failed' % lang)
                continue
            result = run(['msgfmt', '--check', '--statistics', '--output-file=/dev/null', merged],
                         env=dict(os.environ, LC_ALL='C'))
            statistics = result.stderr.strip()
            incomplete = re.search(r'untranslated|fuzzy', statistics) is not None
            problems = [statistics]
            if incomplete:
                for option, what in (('--untranslated', 'untranslated'), ('--only-fuzzy', 'fuzzy')):
                    listing = run(['msgattrib', option, '--no-obsolete', '--no-wrap', merged])
                    ids = [line for line in listing.stdout.splitlines()
                           if line.startswith('msgid "') and line != 'msgid ""']
                    problems += ['%s: %s' % (what, line[6:]) for line in ids]
                problems.append('run `ninja -C BUILDDIR backprop-update-po` and translate them in po/%s.po'
                                % lang)
            report(result.returncode == 0 and not incomplete,
                   '%s translates every message of the code, none fuzzy (%s)'
                   % (lang, statistics.splitlines()[-1] if statistics else 'no statistics'),
                   problems if (incomplete or result.returncode != 0) else [])

            messages = parse_po(merged)
            live = [m for m in messages if 'fuzzy' not in m['flags'] and all(m['msgstr'])]

            lost = []
            for m in live:
                wanted = m['msgid'].count('_') if re.search(r'_[^\s_]', m['msgid']) else 0
                for text in m['msgstr']:
                    if wanted and text.count('_') != wanted:
                        lost.append('%r -> %r' % (m['msgid'], text))
            report(not lost, '%s keeps every mnemonic underscore' % lang, lost)

            glossary = GLOSSARY.get(lang)
            if glossary is None:
                report(True, '%s: no glossary to check # SKIP no glossary for %s' % (lang, lang))
                continue
            stray = []
            for m in live:
                english = m['msgid'] + '\n' + (m['msgid_plural'] or '')
                for pattern, term in glossary:
                    if re.search(pattern, english, re.IGNORECASE):
                        stray += ['%r -> %r: %s should be %s' % (m['msgid'], text, pattern, term)
                                  for text in m['msgstr'] if term not in text]
            report(not stray, '%s uses the glossary\'s terms (%d terms)' % (lang, len(glossary)), stray)

    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
