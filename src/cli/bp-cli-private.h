/* bp-cli-private.h — what the backprop-cli subcommands share: exit codes, errors, options
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-book-presets.h"
#include "bp-dataset.h"
#include "bp-error.h"
#include "bp-model-io.h"
#include "bp-network.h"
#include "bp-train.h"

G_BEGIN_DECLS

/* The exit codes every subcommand uses. */
#define BP_CLI_EXIT_OK          0
#define BP_CLI_EXIT_FAILURE     1   /* a run-time failure: a bad file, divergence, missing data */
#define BP_CLI_EXIT_USAGE       2   /* an unknown subcommand or option, a value out of range */
#define BP_CLI_EXIT_INTERRUPTED 130 /* 128 + SIGINT, as a shell reports a Ctrl+C */
#define BP_CLI_EXIT_TERMINATED  143 /* 128 + SIGTERM */

int bp_cli_train (int    argc,
                  char **argv);
int bp_cli_eval (int    argc,
                 char **argv);
int bp_cli_bench (int    argc,
                  char **argv);
int bp_cli_classify (int    argc,
                     char **argv);
int bp_cli_export (int    argc,
                   char **argv);
int bp_cli_backprop (int    argc,
                     char **argv);
int bp_cli_gradcheck (int    argc,
                      char **argv);

/* Print "backprop-cli: <message>" as ONE line on stderr (newlines in the message become
 * spaces) and return @exit_code, so that `return bp_cli_fail (...)` ends a subcommand. */
int bp_cli_fail (int         exit_code,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

/* The same for a usage error inside a parser: prints the line and returns false. */
bool bp_cli_usage (const char *format,
                   ...) G_GNUC_PRINTF (1, 2);

/* Print an informational line on stderr with the same prefix. */
void bp_cli_note (const char *format,
                  ...) G_GNUC_PRINTF (1, 2);

/* Run @context over the subcommand's arguments (argv[0] is the subcommand's name). On a
 * GOption error or a stray positional argument, prints the one-line error and returns false. */
bool bp_cli_parse_options (GOptionContext *context,
                           int            *argc,
                           char         ***argv);

/* Numbers given as option strings: the message names the option and the text. A double must be
 * finite; range checks are left to the engine's bp_*_check functions, which name the range. */
bool bp_cli_parse_double (const char *option,
                          const char *text,
                          double     *out);
bool bp_cli_parse_unsigned (const char *option,
                            const char *text,
                            guint64     max,
                            guint64    *out);

/* Load MNIST from the folder bp_mnist_find_dir() picks for @data_dir. On failure prints the
 * engine's message (which names the folder and the set-up script) and returns false. */
bool bp_cli_load_mnist (BpMnist    *mnist,
                        const char *data_dir,
                        size_t      train_size);

/* Check `train --extra-repeat` (1 to 1000, and only with --extra-data) before anything is
 * loaded; NULL @repeat_text is fine. On a usage error prints it and returns false. */
bool bp_cli_check_extra_repeat (const char *extra_data,
                                const char *repeat_text);

/* @train followed by the pictures of the folder @dir (bp-digit-folder.h) repeated @repeat_text
 * times (NULL: bp_digit_folder_auto_repeat()), for `train --extra-data`. Notes each skipped
 * picture and what was mixed in on stderr. On failure prints the one-line error and returns
 * NULL. Free with bp_dataset_free(). */
BpDataset *bp_cli_mix_extra_data (const BpDataset *train,
                                  const char      *dir,
                                  const char      *repeat_text);

/* The model in @path, or the embedded default model when @path is NULL, with its extra fields
 * in @info (may be NULL). *@name is what messages call it (@path, or "the embedded default
 * model"). On failure prints the one-line error and returns NULL. */
BpNetwork *bp_cli_load_model (const char   *path,
                              BpModelInfo  *info,
                              const char  **name);

/* Flush standard output. On its first failure (a full disk, a closed descriptor, a pipe with no
 * reader) prints "backprop-cli: standard output: REASON" and returns false, as every later call
 * does: output that did not arrive must not end in exit status 0. */
bool bp_cli_flush_stdout (void);

/* printf's %.4f, but "nan" for a value that was not measured (never "-nan"). */
void bp_cli_format_fixed (char   *buf,
                          size_t  buf_size,
                          int     decimals,
                          double  value);

/* bp-cli-lessons.c: the book's experiments as lessons. */

/* --list-presets: one line per preset, and its variants under a comparison. */
void bp_cli_print_presets (void);
/* The preset called @name; NULL after a usage error that lists the valid names. */
const BpBookPreset *bp_cli_find_preset (const char *name);
/* On stderr: the book's section and its link, the book's figure, what to look for. */
void bp_cli_print_lesson (const BpBookPreset *preset);
/* @path with "-@variant" before its extension: net.json → net-eta-0.25.json. g_free() it. */
char *bp_cli_variant_path (const char *path,
                           const char *variant);
/* On stderr, when @run of @preset (its @variant, or (size_t) -1 to find it from @run) ends
 * after the epochs of @history, trained on @train_size images: the result beside the book's
 * ("you: 95.23 %, the book: 95.42 %"), and why a run that trained as long as the book's and
 * ended far below it is stuck, with another seed to try. @test (may be NULL) is where to look
 * for the digits @net never predicts. */
void bp_cli_report_book (const BpBookPreset   *preset,
                         size_t                variant,
                         const BpRun          *run,
                         const BpEpochMetrics *history,
                         size_t                n_history,
                         size_t                train_size,
                         const BpNetwork      *net,
                         const BpDataset      *test);

/* Whether @path (given as @option) can be written: not a folder, a regular file or none yet, in a
 * folder that can be written; prints the error otherwise. */
bool bp_cli_check_writable (const char *option,
                            const char *path);
/* Whether training @run's network (and saving it, with @save) fits in the memory limit; prints
 * the error otherwise. */
bool bp_cli_check_training_memory (const BpRun *run,
                                   bool         save);

G_END_DECLS
