/* fuzz-idx.c — libFuzzer target for the IDX loader: raw and gzip bytes, then the data-set code
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any input must either load into an IDX whose sizes agree with each other, or fail with an
 * error that names the input; nothing may crash, leak, read out of bounds or allocate more than
 * the input justifies. Whatever loads as images is then pushed through views, expansion and
 * gathering, so those see shapes nobody wrote a test for. The seed corpus is corpus-idx/.
 */
#include "config.h"

#include "bp-dataset.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define NAME "fuzz-input"

/* The harness checks invariants; breaking one is a finding, so it aborts. */
static void
check (bool ok)
{
  if (!ok)
    abort ();
}

static void
exercise_images (const BpIdx *idx)
{
  BpError error = { 0 };
  BpDataset *ds, *view, *expanded;
  uint8_t *labels;
  size_t n = idx->dims[0], rows = idx->dims[1], cols = idx->dims[2];
  size_t indices[2];
  float *out;

  if (rows > BP_DATASET_MAX_SIDE || cols > BP_DATASET_MAX_SIDE)
    return;

  labels = malloc (n);
  check (labels != NULL);
  for (size_t i = 0; i < n; i++)
    labels[i] = idx->data[i * rows * cols] % 10;
  ds = bp_dataset_new_from_data (n, rows, cols, idx->data, labels, 10, &error);
  free (labels);
  check (ds != NULL && ds->n == n && ds->n_pixels == rows * cols);

  /* The second half, then its shifted copies; both bounded by the input's size. */
  view = bp_dataset_view (ds, n / 2, n - n / 2, &error);
  check (view != NULL);
  expanded = bp_dataset_expand_shifts (view, &error);
  check (expanded != NULL && expanded->n == 5 * view->n);
  for (size_t i = 0; i < view->n; i++)
    check (memcmp (expanded->pixels + 5 * i * ds->n_pixels, view->pixels + i * ds->n_pixels,
                   ds->n_pixels) == 0);

  indices[0] = expanded->n - 1;
  indices[1] = 0;
  out = malloc (2 * ds->n_pixels * sizeof *out);
  check (out != NULL);
  bp_dataset_gather (expanded, indices, 2, out);
  for (size_t p = 0; p < 2 * ds->n_pixels; p++)
    check (out[p] >= 0.0f && out[p] <= 1.0f);
  free (out);

  check (bp_dataset_view (ds, n, 1, &error) == NULL);
  bp_dataset_free (expanded);
  bp_dataset_free (view);
  bp_dataset_free (ds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  BpError error = { 0 }, raw_error = { 0 };
  BpIdx idx, raw;
  bool ok, raw_ok;

  ok = bp_idx_decode (data, size, NAME, &idx, &error);
  if (!ok)
    {
      check (idx.data == NULL && idx.count == 0);
      check (error.code != BP_ERROR_NONE);
      check (strncmp (error.message, NAME ": ", strlen (NAME ": ")) == 0);
      check (strlen (error.message) > strlen (NAME ": "));
    }
  else
    {
      size_t count = 1;

      check (idx.n_dims >= 1 && idx.n_dims <= 3);
      for (uint8_t i = 0; i < idx.n_dims; i++)
        {
          check (idx.dims[i] > 0);
          count *= idx.dims[i];
        }
      check (count == idx.count && idx.data != NULL);
      /* Touch every byte, so that a buffer shorter than count is an ASan report. */
      {
        volatile uint8_t sum = 0;

        for (size_t i = 0; i < idx.count; i++)
          sum += idx.data[i];
        (void) sum;
      }
      /* Expansion makes 5 copies: keep each run quick even when gzip made the input big. */
      if (idx.n_dims == 3 && idx.count <= ((size_t) 1 << 20))
        exercise_images (&idx);
    }

  /* Without gzip, bp_idx_parse and bp_idx_decode must agree exactly. */
  raw_ok = bp_idx_parse (data, size, NAME, &raw, &raw_error);
  if (size < 2 || data[0] != 0x1f || data[1] != 0x8b)
    {
      check (raw_ok == ok);
      check (strcmp (raw_error.message, error.message) == 0);
      if (ok)
        check (raw.count == idx.count && memcmp (raw.data, idx.data, idx.count) == 0);
    }
  else
    check (!raw_ok);

  bp_idx_clear (&raw);
  bp_idx_clear (&idx);
  return 0;
}
