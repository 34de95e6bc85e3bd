/* bp-model-io.h — models as JSON files that network2.py reads and writes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file carries network2.py's fields — "sizes", "weights" (one n_out×n_in nested list per
 * layer), "biases" (n_out×1 nested lists) and "cost" ("QuadraticCost" or "CrossEntropyCost") —
 * so Nielsen's network2.load() reads our files and we read files made by his save(). Our own
 * fields are extra keys, all optional on read:
 *   "format": "backprop-model", "format_version": 1,
 *   "activation", "output", "backprop_cost" (our cost name, which wins over "cost"),
 *   "net": the layer list (bp_arch_format()), only when "sizes" and "activation" do not say it
 *          all (per-layer activations, a fixed dropout, another input shape),
 *   "hyperparameters": {eta, lambda, l1, momentum, dropout, batch_size, epochs, init, expand,
 *                       early_stop, schedule}, "seed", "train_size" — the run's settings, from
 *                       the table of bp-run.h (BpRunField.model_place and model_order),
 *   "history": [{epoch, train_cost, train_accuracy, validation_cost, validation_accuracy,
 *                test_cost, test_accuracy, seconds, eta[, speed]}, …]   (NaN is written as null;
 *               "speed", chapter 5's speed of learning of each hidden layer, only in the
 *               epochs that measured it),
 *   "initial_speed": [s₁, …], the speed of learning before the history's first epoch, only when
 *               it was measured,
 *   "velocity": {"weights": …, "biases": …}, momentum state in the layout of those two.
 * A softmax/log-likelihood model writes "cost": "CrossEntropyCost": network2.py then predicts
 * the same digits (sigmoid and softmax rank the outputs alike) although it cannot train it as
 * we do.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bp-error.h"
#include "bp-network.h"
#include "bp-run.h"
#include "bp-train.h"

G_BEGIN_DECLS

#define BP_MODEL_FORMAT_VERSION 2
/* The first version whose files may have conv and pool layers: files of dense networks are still
 * written as version 1, which older readers (and network2.py, for the fields it knows) read. */
#define BP_MODEL_FORMAT_MAPS    2

/* The largest model file read: about twenty million parameters (784-4096-4096-10), far beyond
 * what trains on a CPU in this program. */
#define BP_MODEL_MAX_FILE_BYTES ((size_t) 256 << 20)

/* Everything besides the parameters. */
typedef struct
{
  bool            has_run;     /* true if the file had (or the caller gives) "hyperparameters" */
  BpRun           run;         /* the run's settings; run.seed and run.train_size (0 = unknown)
                                * also without "hyperparameters". Read: run.arch is the model's.
                                * Written: run.arch is not, the network's own is */
  BpEpochMetrics *history;     /* (n_history), owned */
  size_t          n_history;
  size_t          n_initial_speeds; /* "initial_speed": the speed of learning of each hidden
                                     * layer before the first epoch of the history (epoch 0),
                                     * or 0 when not measured */
  double          initial_speed[BP_MAX_LAYERS];
  float          *velocity;    /* (n_params) or NULL, owned */
} BpModelInfo;

void bp_model_info_clear (BpModelInfo *info);

/* Append the model file of @net (and @info, may be NULL) to @out: its opening brace and every
 * member, but not the closing brace, so that a caller may add members of its own
 * (",\n  \"key\": …") before bp_model_write_end(). Parameters or velocities that are NaN or
 * infinite (JSON has no such numbers) and settings that fail bp_run_check_fields() are refused
 * with BP_ERROR_INVALID, the message starting "@name: not saved: "; @out is then unchanged. */
bool bp_model_write_begin (GString           *out,
                           const BpNetwork   *net,
                           const BpModelInfo *info,
                           const char        *name,
                           BpError           *error);

/* Close the document bp_model_write_begin() opened. */
void bp_model_write_end (GString *out);

/* Write @net (and @info, may be NULL) to @path atomically: bp_model_write_begin() and
 * bp_model_write_end(), then bp_file_replace(): a temporary file in the same folder, flushed,
 * then renamed over @path (a symbolic link is written through, the permissions of an existing
 * file are kept, a device or a FIFO is refused). On failure @path is untouched, no temporary
 * file is left, and the message says why. */
bool bp_model_save (const BpNetwork   *net,
                    const BpModelInfo *info,
                    const char        *path,
                    BpError           *error);

/* Read a model. Checks the JSON syntax (strict JSON as network2.py's json module reads it: one
 * document, no hexadecimal numbers, no comments or single quotes, at most 32 levels deep), every
 * field's type, that "sizes" has 2 … BP_MAX_LAYERS positive entries, that every weight and bias
 * array has exactly the shape the sizes call for, and that every number is finite. Fills @info
 * (may be NULL) with our extra fields. On error returns NULL, @info is zeroed, and the message
 * names @path and the problem (e.g. "weights[1] has 9 rows, expected 10"). Only a regular file
 * is read (a FIFO or a device is refused before a byte is read), files over 256 MiB are
 * refused, and the memory a file needs is estimated and checked against bp_memory_limit()
 * before it is allocated; the numbers of the weights and biases are read straight into floats,
 * so a file costs about twice its size while it is read. Shapes are checked before the network
 * is allocated, so memory stays proportional to the file. */
BpNetwork *bp_model_load (const char  *path,
                          BpModelInfo *info,
                          BpError     *error);

/* The same from bytes in memory; @name stands for the file in messages. */
BpNetwork *bp_model_load_from_data (const char  *data,
                                    size_t       len,
                                    const char  *name,
                                    BpModelInfo *info,
                                    BpError     *error);

/* The document of a model file for readers of its other members (a session file's own): @data
 * checked as bp_model_load_from_data() checks its text, then parsed by @parser with the rows of
 * numbers of "weights" and "biases" (and velocity's) left out as empty arrays, so that the tree
 * costs a fraction of what the whole file would. Returns FALSE with @error set as
 * bp_model_load_from_data() would. */
gboolean bp_model_parse_document (JsonParser *parser,
                                  const char *data,
                                  size_t      len,
                                  const char *name,
                                  BpError    *error);

/* A model file's document read once, for the model and for readers of its other members (a
 * session file's own), so that the file is parsed once. */
typedef struct _BpModelDocument BpModelDocument;

/* @data checked and parsed as bp_model_load_from_data() does it, or NULL with @error set as it
 * would be (a document whose top level is not an object is refused here). */
BpModelDocument *bp_model_document_new (const char *data,
                                        size_t      len,
                                        const char *name,
                                        BpError    *error);
void bp_model_document_free (BpModelDocument *doc);

/* The top-level object, owned by @doc. The rows of numbers of "weights" and "biases" (and
 * velocity's) are empty arrays in it: their numbers were taken out of the text. */
JsonObject *bp_model_document_get_root (BpModelDocument *doc);

/* The model in @doc, read and checked as bp_model_load_from_data() would. */
BpNetwork *bp_model_document_read (BpModelDocument *doc,
                                   BpModelInfo     *info,
                                   BpError         *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpModelDocument, bp_model_document_free)

/* Features of @net that network2.py cannot represent, as a human sentence ("softmax output
 * with log-likelihood cost, ReLU hidden layers") written into @buf (cut to @buf_size like
 * snprintf) and returned, or NULL when network2.py represents it fully. */
const char *bp_model_describe_extensions (const BpNetwork *net,
                                          char            *buf,
                                          size_t           buf_size);

G_END_DECLS
