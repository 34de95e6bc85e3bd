/* bp-dataset.h — MNIST-format (IDX) data sets: strict loading, the book's split, subsets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any IDX image/label pair with 2-D images of up to 64×64 pixels and up to 256 classes loads,
 * so Fashion-MNIST works as well as MNIST. Pixels stay uint8_t (60,000 × 784 = 47 MB); the
 * trainer converts each mini-batch to float in [0, 1] as it gathers it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BP_DATASET_MAX_SIDE 64

typedef struct
{
  size_t   n;         /* number of examples */
  size_t   rows;      /* image height (28 for MNIST) */
  size_t   cols;      /* image width (28 for MNIST) */
  size_t   n_pixels;  /* rows × cols */
  size_t   n_classes; /* 1 + the largest label seen; at least 10 for MNIST-like sets */
  uint8_t *pixels;    /* (n, n_pixels) row-major; 0 background, 255 ink */
  uint8_t *labels;    /* (n) */
  bool     owns_data; /* false for views made by bp_dataset_view() */
} BpDataset;

/* The in-memory result of parsing one IDX file. */
typedef struct
{
  uint8_t  n_dims;
  size_t   dims[4];
  size_t   count;     /* product of dims */
  uint8_t *data;      /* (count) bytes, owned */
} BpIdx;

/* Parse one IDX file already in memory (after any gunzip). Checks the magic (two zero bytes),
 * the type byte (only 0x08, unsigned byte, is accepted), the number of dimensions (1 to 3), that
 * no dimension is zero, and that the header's sizes match the real length of @data exactly;
 * nothing is allocated from an unchecked header. @name is used in error messages.
 * On success fills @out (free its data with bp_idx_clear()) and returns true. */
bool bp_idx_parse (const uint8_t *data,
                   size_t         len,
                   const char    *name,
                   BpIdx         *out,
                   BpError       *error);

/* Like bp_idx_parse(), but @data may also be gzip-compressed (detected by its magic bytes 1f 8b).
 * The stream is inflated only as far as the header says the file reaches (plus whatever is needed
 * to count trailing bytes, at most 64 MiB more), and never beyond 2 GiB, so a gzip bomb cannot
 * exhaust memory. This is what bp_idx_load() does with a file's bytes; the fuzz target uses it. */
bool bp_idx_decode (const uint8_t *data,
                    size_t         len,
                    const char    *name,
                    BpIdx         *out,
                    BpError       *error);

/* Read @path (raw, or gzip-compressed: detected from the content, not the name) and parse it. */
bool bp_idx_load (const char *path,
                  BpIdx      *out,
                  BpError    *error);

void bp_idx_clear (BpIdx *idx);

/* Load an image file (3-D IDX) and a label file (1-D IDX) as one data set. Checks that both
 * hold the same number of examples, that images are at most BP_DATASET_MAX_SIDE pixels on each
 * side, and that labels are below @max_classes (1 to 256; 10 for MNIST). The set's n_classes is
 * 1 + the largest label found. Returns NULL on error. */
BpDataset *bp_dataset_load (const char *images_path,
                            const char *labels_path,
                            size_t      max_classes,
                            BpError    *error);

/* Build a data set from caller-provided arrays (copied). Returns NULL on bad sizes. */
BpDataset *bp_dataset_new_from_data (size_t         n,
                                     size_t         rows,
                                     size_t         cols,
                                     const uint8_t *pixels,
                                     const uint8_t *labels,
                                     size_t         n_classes,
                                     BpError       *error);

/* A view of examples [@offset, @offset + @n) of @src sharing its memory; free it with
 * bp_dataset_free() before @src. Returns NULL if the range does not fit. */
BpDataset *bp_dataset_view (const BpDataset *src,
                            size_t           offset,
                            size_t           n,
                            BpError         *error);

/* expand_mnist.py: a new set holding every image of @src followed by its four one-pixel shifts,
 * so 5 × n examples, in the order image 0, its 4 shifts, image 1, … The shifts come in
 * expand_mnist.py's order: content moved down one row (np.roll by +1 on the rows, row 0 zeroed),
 * up (roll −1, last row zeroed), right (roll +1 on the columns, column 0 zeroed) and left (roll −1,
 * last column zeroed). Labels are copied; nothing is shuffled.
 * Returns NULL on allocation failure. */
BpDataset *bp_dataset_expand_shifts (const BpDataset *src,
                                     BpError         *error);

void bp_dataset_free (BpDataset *dataset);

/* The book's three sets. All four data sets have n_classes = 10. */
typedef struct
{
  BpDataset *all_train;  /* the 60,000 training images, owned */
  BpDataset *train;      /* view: first 50,000 (or the first train_size of those) */
  BpDataset *validation; /* view: last 10,000 of the training file */
  BpDataset *test;       /* t10k, owned */
  char      *dir;        /* the folder the files came from */
} BpMnist;

/* The data folder to use: @explicit_dir if not NULL, else $BACKPROP_DATA_DIR, else
 * $XDG_DATA_HOME/backprop/mnist, else ~/.local/share/backprop/mnist. An empty string counts as
 * unset, and so does a relative $XDG_DATA_HOME (the XDG spec says to ignore it). The folder need
 * not exist. Returns a newly allocated string (free()); never NULL except on allocation failure. */
char *bp_mnist_find_dir (const char *explicit_dir);

/* Load train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte from @dir (each raw, or with a .gz suffix; the raw name wins when both
 * exist). Labels must be below 10; images may have any size up to BP_DATASET_MAX_SIDE, the same in
 * both files. Splits the training file as the book does: the last 10,000 for validation and all
 * before them for training (the first 50,000 of MNIST's 60,000). A training file of 10,000 or
 * fewer examples is all training and the validation set is empty (n = 0), rather than being
 * split into a useless sliver. @train_size > 0 keeps only the first @train_size training
 * examples (all of them if there are fewer, as Python's training_data[:train_size] would).
 * A missing file gives a BP_ERROR_IO that names the folder and the files and says how to get
 * them. On error @out is left zeroed. */
bool bp_mnist_load (BpMnist    *out,
                    const char *dir,
                    size_t      train_size,
                    BpError    *error);

void bp_mnist_clear (BpMnist *mnist);

/* Convert examples to floats in [0, 1] (pixel / 255.0f, bit for bit): @out is (n_idx, n_pixels).
 * Every index must be below dataset->n (asserted). Called once per mini-batch. */
void bp_dataset_gather (const BpDataset *dataset,
                        const size_t    *indices,
                        size_t           n_idx,
                        float           *out);

#ifdef __cplusplus
}
#endif
