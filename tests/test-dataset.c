/* test-dataset.c — IDX loading, every loader error, views, shifts, gathering and the MNIST split
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The crafted files in tests/data/idx/ come from tests/data/make-idx-fixtures.py; each breaks one
 * rule, and each test asserts the message that rule produces.
 */
#include "config.h"

#include "bp-dataset.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

/* The tiny valid set of make-idx-fixtures.py: 5 images of 3×4, labels 3 1 4 1 5. */
#define TINY_N 5
#define TINY_ROWS 3
#define TINY_COLS 4
static const uint8_t tiny_labels[TINY_N] = { 3, 1, 4, 1, 5 };

static uint8_t
tiny_pixel (size_t i,
            size_t p)
{
  return (uint8_t) ((i * 37 + p * 11) % 256);
}

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("BACKPROP_TEST_DATA");

  if (dir != NULL)
    return g_build_filename (dir, "idx", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "data", "idx", name, NULL);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("expected “%s” in the message “%s”", needle, haystack);
}

/* Load @file, expect failure with @code and a message containing @what and the file's path;
 * then decode the same bytes from memory and expect the very same message. */
static void
assert_idx_error (const char *file,
                  BpErrorCode code,
                  const char *what)
{
  g_autofree char *path = data_path (file);
  g_autofree char *bytes = NULL;
  BpError error = { 0 }, error2 = { 0 };
  BpIdx idx;
  gsize len;

  g_assert_false (bp_idx_load (path, &idx, &error));
  g_test_message ("%s", error.message);
  g_assert_cmpint (error.code, ==, code);
  assert_contains (error.message, path);
  assert_contains (error.message, what);
  g_assert_null (idx.data);
  g_assert_cmpuint (idx.count, ==, 0);

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_false (bp_idx_decode ((const uint8_t *) bytes, len, path, &idx, &error2));
  g_assert_cmpint (error2.code, ==, code);
  g_assert_cmpstr (error2.message, ==, error.message);
  g_assert_null (idx.data);
}

/* bp_dataset_load on two crafted files: expect failure with a message naming @names_file. */
static void
assert_dataset_error (const char *images,
                      const char *labels,
                      size_t      max_classes,
                      const char *names_file,
                      const char *what)
{
  g_autofree char *images_path = data_path (images);
  g_autofree char *labels_path = data_path (labels);
  g_autofree char *named = data_path (names_file);
  BpError error = { 0 };

  g_assert_null (bp_dataset_load (images_path, labels_path, max_classes, &error));
  g_test_message ("%s", error.message);
  g_assert_cmpint (error.code, ==, BP_ERROR_FORMAT);
  assert_contains (error.message, named);
  assert_contains (error.message, what);
}

/* ───────────────────────────── valid files ───────────────────────────── */

static void
check_tiny_images (const BpIdx *idx)
{
  g_assert_cmpuint (idx->n_dims, ==, 3);
  g_assert_cmpuint (idx->dims[0], ==, TINY_N);
  g_assert_cmpuint (idx->dims[1], ==, TINY_ROWS);
  g_assert_cmpuint (idx->dims[2], ==, TINY_COLS);
  g_assert_cmpuint (idx->count, ==, TINY_N * TINY_ROWS * TINY_COLS);
  for (size_t i = 0; i < TINY_N; i++)
    for (size_t p = 0; p < TINY_ROWS * TINY_COLS; p++)
      g_assert_cmpuint (idx->data[i * TINY_ROWS * TINY_COLS + p], ==, tiny_pixel (i, p));
}

static void
test_idx_raw_and_gzip (void)
{
  const char *files[] = {
    "tiny-images-idx3-ubyte",
    "tiny-images-idx3-ubyte.gz",
    "two-members-images-idx3-ubyte.gz",
  };

  for (size_t f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = data_path (files[f]);
      g_autofree char *bytes = NULL;
      BpError error = { 0 };
      BpIdx idx;
      gsize len;

      g_assert_true (bp_idx_load (path, &idx, &error));
      g_assert_cmpint (error.code, ==, BP_ERROR_NONE);
      check_tiny_images (&idx);
      bp_idx_clear (&idx);
      g_assert_null (idx.data);
      g_assert_cmpuint (idx.count, ==, 0);

      /* The same bytes from memory. */
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_assert_true (bp_idx_decode ((const uint8_t *) bytes, len, files[f], &idx, &error));
      check_tiny_images (&idx);
      bp_idx_clear (&idx);
    }
}

static void
test_idx_parse_memory (void)
{
  g_autofree char *path = data_path ("tiny-images-idx3-ubyte");
  g_autofree char *gz_path = data_path ("tiny-images-idx3-ubyte.gz");
  g_autofree char *bytes = NULL;
  g_autofree char *gz_bytes = NULL;
  BpError error = { 0 };
  BpIdx idx;
  gsize len, gz_len;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_true (bp_idx_parse ((const uint8_t *) bytes, len, "tiny", &idx, &error));
  check_tiny_images (&idx);
  bp_idx_clear (&idx);

  /* bp_idx_parse does not gunzip, and says so. */
  g_assert_true (g_file_get_contents (gz_path, &gz_bytes, &gz_len, NULL));
  g_assert_false (bp_idx_parse ((const uint8_t *) gz_bytes, gz_len, "tiny.gz", &idx, &error));
  assert_contains (error.message, "tiny.gz: bad magic");
  assert_contains (error.message, "gzip");

  /* Too short for even the four-byte prefix. */
  g_assert_false (bp_idx_parse ((const uint8_t *) bytes, 3, "short", &idx, &error));
  assert_contains (error.message,
                   "short: truncated header: the file has 3 bytes, an IDX header needs at least 4");

  /* Empty input, even with a NULL pointer. */
  g_assert_false (bp_idx_parse (NULL, 0, "nothing", &idx, &error));
  assert_contains (error.message, "nothing: empty file");
  g_assert_false (bp_idx_decode (NULL, 0, "nothing", &idx, &error));
  assert_contains (error.message, "nothing: empty file");
}

/* Content, not the name, decides: raw bytes named .gz and gzip bytes without .gz both load. */
static void
test_idx_detect_by_content (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("backprop-test-XXXXXX", NULL);
  g_autofree char *raw_src = data_path ("tiny-images-idx3-ubyte");
  g_autofree char *gz_src = data_path ("tiny-images-idx3-ubyte.gz");
  g_autofree char *raw_dst = g_build_filename (tmp, "raw.gz", NULL);
  g_autofree char *gz_dst = g_build_filename (tmp, "compressed", NULL);
  g_autofree char *raw = NULL;
  g_autofree char *gz = NULL;
  BpError error = { 0 };
  BpIdx idx;
  gsize raw_len, gz_len;

  g_assert_true (g_file_get_contents (raw_src, &raw, &raw_len, NULL));
  g_assert_true (g_file_get_contents (gz_src, &gz, &gz_len, NULL));
  g_assert_true (g_file_set_contents (raw_dst, raw, raw_len, NULL));
  g_assert_true (g_file_set_contents (gz_dst, gz, gz_len, NULL));

  g_assert_true (bp_idx_load (raw_dst, &idx, &error));
  check_tiny_images (&idx);
  bp_idx_clear (&idx);
  g_assert_true (bp_idx_load (gz_dst, &idx, &error));
  check_tiny_images (&idx);
  bp_idx_clear (&idx);

  g_assert_cmpint (g_remove (raw_dst), ==, 0);
  g_assert_cmpint (g_remove (gz_dst), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

static void
test_dataset_load (void)
{
  const char *pairs[][2] = {
    { "tiny-images-idx3-ubyte", "tiny-labels-idx1-ubyte" },
    { "tiny-images-idx3-ubyte.gz", "tiny-labels-idx1-ubyte.gz" },
    { "two-members-images-idx3-ubyte.gz", "tiny-labels-idx1-ubyte" },
  };

  for (size_t k = 0; k < G_N_ELEMENTS (pairs); k++)
    {
      g_autofree char *images = data_path (pairs[k][0]);
      g_autofree char *labels = data_path (pairs[k][1]);
      BpError error = { 0 };
      BpDataset *ds = bp_dataset_load (images, labels, 10, &error);

      g_assert_nonnull (ds);
      g_assert_cmpuint (ds->n, ==, TINY_N);
      g_assert_cmpuint (ds->rows, ==, TINY_ROWS);
      g_assert_cmpuint (ds->cols, ==, TINY_COLS);
      g_assert_cmpuint (ds->n_pixels, ==, TINY_ROWS * TINY_COLS);
      g_assert_cmpuint (ds->n_classes, ==, 6); /* 1 + the largest label, 5 */
      g_assert_true (ds->owns_data);
      for (size_t i = 0; i < TINY_N; i++)
        {
          g_assert_cmpuint (ds->labels[i], ==, tiny_labels[i]);
          for (size_t p = 0; p < ds->n_pixels; p++)
            g_assert_cmpuint (ds->pixels[i * ds->n_pixels + p], ==, tiny_pixel (i, p));
        }
      bp_dataset_free (ds);
    }

  /* Exactly at the label bound: labels up to 5 pass max_classes 6, not 5. */
  {
    g_autofree char *images = data_path ("tiny-images-idx3-ubyte");
    g_autofree char *labels = data_path ("tiny-labels-idx1-ubyte");
    BpError error = { 0 };
    BpDataset *ds = bp_dataset_load (images, labels, 6, &error);

    g_assert_nonnull (ds);
    bp_dataset_free (ds);
    g_assert_null (bp_dataset_load (images, labels, 5, &error));
    assert_contains (error.message, "label out of range: label 5 of example 4 is not below 5");

    g_assert_null (bp_dataset_load (images, labels, 0, &error));
    g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
    assert_contains (error.message, "max_classes 0 is out of range");
    g_assert_null (bp_dataset_load (images, labels, 257, &error));
    assert_contains (error.message, "max_classes 257 is out of range");
  }
}

/* ───────────────────────────── one test per loader error ───────────────────────────── */

static void
test_error_truncated_images (void)
{
  assert_idx_error ("truncated-images-idx3-ubyte", BP_ERROR_FORMAT,
                    "truncated: header says 5×3×4 = 60 pixel bytes, file has 20 after the "
                    "16-byte header");
  /* The example of the issue: MNIST's header, 1000 bytes of pixels. */
  assert_idx_error ("claims-mnist-idx3-ubyte", BP_ERROR_FORMAT,
                    "truncated: header says 60000×28×28 = 47040000 pixel bytes, file has 1000");
}

static void
test_error_truncated_labels (void)
{
  assert_idx_error ("truncated-labels-idx1-ubyte", BP_ERROR_FORMAT,
                    "truncated: header says 5 label bytes, file has 3 after the 8-byte header");
}

static void
test_error_truncated_header (void)
{
  assert_idx_error ("truncated-header-idx3-ubyte", BP_ERROR_FORMAT,
                    "truncated header: the file has 10 bytes, an IDX header with 3 dimensions "
                    "needs 16");
}

static void
test_error_trailing (void)
{
  assert_idx_error ("trailing-images-idx3-ubyte", BP_ERROR_FORMAT,
                    "trailing bytes: header says 5×3×4 = 60 pixel bytes, file has 67 after the "
                    "16-byte header (7 extra)");
}

static void
test_error_magic (void)
{
  assert_idx_error ("bad-magic-idx3-ubyte", BP_ERROR_FORMAT,
                    "bad magic: the file starts with 0x01 0x00, an IDX file with 0x00 0x00");
}

static void
test_error_type (void)
{
  assert_idx_error ("float-images-idx3-ubyte", BP_ERROR_FORMAT,
                    "unsupported data type 0x0d (float): only 0x08 (unsigned byte) is supported");
}

static void
test_error_dims (void)
{
  assert_idx_error ("four-dims-idx-ubyte", BP_ERROR_FORMAT,
                    "unsupported number of dimensions 4: only 1 to 3 are supported");
  /* A label file given as images, and an image file given as labels. */
  assert_dataset_error ("tiny-labels-idx1-ubyte", "tiny-labels-idx1-ubyte", 10,
                        "tiny-labels-idx1-ubyte",
                        "wrong number of dimensions for images: 1, expected 3 (count × rows × "
                        "cols); is this a label file?");
  assert_dataset_error ("tiny-images-idx3-ubyte", "tiny-images-idx3-ubyte", 10,
                        "tiny-images-idx3-ubyte",
                        "wrong number of dimensions for labels: 3, expected 1 (count); is this an "
                        "image file?");
}

static void
test_error_zero_dim (void)
{
  assert_idx_error ("zero-dim-images-idx3-ubyte", BP_ERROR_FORMAT,
                    "zero dimension: dimension 2 of 3 is 0");
}

static void
test_error_too_large (void)
{
  assert_idx_error ("huge-images-idx3-ubyte", BP_ERROR_FORMAT,
                    "too large: header says 100000×1000×1000 pixel bytes, more than the limit "
                    "of 2147483648");
  assert_dataset_error ("wide-images-idx3-ubyte", "tiny-labels-idx1-ubyte", 10,
                        "wide-images-idx3-ubyte",
                        "images too large: 2×65 pixels, the limit is 64×64");
}

static void
test_error_count_mismatch (void)
{
  assert_dataset_error ("tiny-images-idx3-ubyte", "mismatch-labels-idx1-ubyte", 10,
                        "tiny-images-idx3-ubyte", "count mismatch: 5 images, but ");
  /* The message names both files. */
  assert_dataset_error ("tiny-images-idx3-ubyte", "mismatch-labels-idx1-ubyte", 10,
                        "mismatch-labels-idx1-ubyte", "has 4 labels");
}

static void
test_error_label_range (void)
{
  assert_dataset_error ("tiny-images-idx3-ubyte", "range-labels-idx1-ubyte", 10,
                        "range-labels-idx1-ubyte",
                        "label out of range: label 10 of example 2 is not below 10");
}

static void
test_error_bad_gzip (void)
{
  assert_idx_error ("bad-deflate-idx3-ubyte.gz", BP_ERROR_FORMAT,
                    "bad gzip data: invalid block type");
  assert_idx_error ("bad-crc-idx3-ubyte.gz", BP_ERROR_FORMAT,
                    "bad gzip data: incorrect data check");
}

static void
test_error_truncated_gzip (void)
{
  g_autofree char *path = data_path ("tiny-images-idx3-ubyte.gz");
  g_autofree uint8_t *gz = NULL;
  g_autofree uint8_t *longer = NULL;
  BpError error = { 0 };
  BpIdx idx;
  gsize len;

  assert_idx_error ("truncated-idx3-ubyte.gz", BP_ERROR_FORMAT,
                    "truncated gzip data: the compressed stream ends before its end marker");

  /* Every byte of the IDX is there but the 8-byte trailer (CRC-32 and length) is cut off: still
   * refused, since nothing vouches for those bytes. */
  g_assert_true (g_file_get_contents (path, (char **) &gz, &len, NULL));
  g_assert_false (bp_idx_decode (gz, len - 8, "no-trailer.gz", &idx, &error));
  assert_contains (error.message, "no-trailer.gz: truncated gzip data: the compressed stream ends "
                   "before its end marker, after 76 decompressed bytes");

  /* Bytes after the gzip member that are not another member. */
  longer = g_malloc (len + 4);
  memcpy (longer, gz, len);
  memcpy (longer + len, "junk", 4);
  g_assert_false (bp_idx_decode (longer, len + 4, "junk.gz", &idx, &error));
  assert_contains (error.message, "junk.gz: bad gzip data: incorrect header check");
}

static void
test_error_empty (void)
{
  assert_idx_error ("empty-idx3-ubyte", BP_ERROR_FORMAT, "empty file: 0 bytes");
}

static void
test_error_missing (void)
{
  g_autofree char *path = data_path ("no-such-file-idx3-ubyte");
  g_autofree char *dir = data_path ("");
  BpError error = { 0 };
  BpIdx idx;

  g_assert_false (bp_idx_load (path, &idx, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  assert_contains (error.message, path);
  assert_contains (error.message, "cannot open: No such file or directory");
  g_assert_null (idx.data);

  /* A folder opens but cannot be read. */
  g_assert_false (bp_idx_load (dir, &idx, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  assert_contains (error.message, "read error: Is a directory");
}

/* Compress @len bytes into a new gzip buffer. */
static uint8_t *
gzip_bytes (const uint8_t *data,
            size_t         len,
            size_t        *out_len)
{
  z_stream zs = { 0 };
  size_t cap;
  uint8_t *out;

  g_assert_cmpint (deflateInit2 (&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
  cap = deflateBound (&zs, len);
  out = g_malloc (cap);
  zs.next_in = (Bytef *) data;
  zs.avail_in = (uInt) len;
  zs.next_out = out;
  zs.avail_out = (uInt) cap;
  g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  *out_len = zs.total_out;
  deflateEnd (&zs);
  return out;
}

/* A bomb: a valid 2×3×4 header and payload followed by 80 MiB of zeros that compress to about
 * 80 KB. The loader must stop counting after 64 MiB of extra bytes and report trailing bytes. */
static void
test_error_gzip_bomb (void)
{
  const size_t len = 16 + 24 + ((size_t) 80 << 20);
  g_autofree uint8_t *raw = g_malloc0 (len);
  g_autofree uint8_t *gz = NULL;
  const uint8_t head[16] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 };
  BpError error = { 0 };
  size_t gz_len;
  BpIdx idx;

  memcpy (raw, head, sizeof head);
  gz = gzip_bytes (raw, len, &gz_len);
  g_test_message ("bomb: %zu compressed bytes, %zu decompressed", gz_len, len);
  g_assert_cmpuint (gz_len, <, len / 500);

  g_assert_false (bp_idx_decode (gz, gz_len, "bomb.gz", &idx, &error));
  g_test_message ("%s", error.message);
  assert_contains (error.message,
                   "bomb.gz: trailing bytes: header says 2×3×4 = 24 pixel bytes, file has more "
                   "than ");
  g_assert_null (idx.data);

  /* A header that claims 2 GiB (the limit, so accepted) over a small stream: truncated, and the
   * buffer only ever grew as far as the data went (ASan and the fuzzer's RSS limit watch). */
  {
    const uint8_t big[16] = { 0, 0, 8, 3, 0, 0, 0x08, 0, 0, 0, 0x04, 0, 0, 0, 0x01, 0 };
    g_autofree uint8_t *small = g_malloc0 (16 + 1000);
    g_autofree uint8_t *small_gz = NULL;

    memcpy (small, big, sizeof big);
    small_gz = gzip_bytes (small, 16 + 1000, &gz_len);
    g_assert_false (bp_idx_decode (small_gz, gz_len, "liar.gz", &idx, &error));
    assert_contains (error.message,
                     "liar.gz: truncated: header says 2048×1024×256 = 536870912 pixel bytes, "
                     "file has 1000");
  }
}

/* ───────────────────────────── data sets in memory ───────────────────────────── */

static void
test_new_from_data (void)
{
  uint8_t pixels[2 * 6] = { 0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255 };
  uint8_t labels[2] = { 7, 2 };
  BpError error = { 0 };
  BpDataset *ds;

  ds = bp_dataset_new_from_data (2, 2, 3, pixels, labels, 10, &error);
  g_assert_nonnull (ds);
  /* The arrays were copied. */
  pixels[0] = 99;
  labels[0] = 9;
  g_assert_cmpuint (ds->n, ==, 2);
  g_assert_cmpuint (ds->n_pixels, ==, 6);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_cmpuint (ds->pixels[0], ==, 0);
  g_assert_cmpuint (ds->pixels[11], ==, 255);
  g_assert_cmpuint (ds->labels[0], ==, 7);
  g_assert_true (ds->owns_data);
  bp_dataset_free (ds);

  /* An empty set is fine. */
  ds = bp_dataset_new_from_data (0, 28, 28, NULL, NULL, 10, &error);
  g_assert_nonnull (ds);
  g_assert_cmpuint (ds->n, ==, 0);
  bp_dataset_free (ds);

  g_assert_null (bp_dataset_new_from_data (2, 0, 3, pixels, labels, 10, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  assert_contains (error.message, "images of 0×3 pixels: each side must be 1 to 64");
  g_assert_null (bp_dataset_new_from_data (2, 2, 65, pixels, labels, 10, &error));
  assert_contains (error.message, "images of 2×65 pixels");
  g_assert_null (bp_dataset_new_from_data (2, 2, 3, pixels, labels, 0, &error));
  assert_contains (error.message, "n_classes 0: it must be 1 to 256");
  g_assert_null (bp_dataset_new_from_data (2, 2, 3, pixels, labels, 257, &error));
  assert_contains (error.message, "n_classes 257");
  g_assert_null (bp_dataset_new_from_data (2, 2, 3, pixels, labels, 9, &error));
  assert_contains (error.message, "label 9 of example 0 is not below n_classes 9");
  g_assert_null (bp_dataset_new_from_data (2, 2, 3, NULL, labels, 10, &error));
  assert_contains (error.message, "2 examples but no pixels or labels");
  g_assert_null (bp_dataset_new_from_data (SIZE_MAX / 2, 64, 64, pixels, labels, 256, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_NOMEM);
  assert_contains (error.message, "overflow size_t");
}

static void
test_view (void)
{
  uint8_t pixels[4 * 2];
  uint8_t labels[4] = { 0, 1, 2, 3 };
  BpError error = { 0 };
  BpDataset *ds, *view, *inner;

  for (size_t i = 0; i < sizeof pixels; i++)
    pixels[i] = (uint8_t) i;
  ds = bp_dataset_new_from_data (4, 1, 2, pixels, labels, 4, &error);
  g_assert_nonnull (ds);

  view = bp_dataset_view (ds, 1, 2, &error);
  g_assert_nonnull (view);
  g_assert_false (view->owns_data);
  g_assert_cmpuint (view->n, ==, 2);
  g_assert_cmpuint (view->n_pixels, ==, 2);
  g_assert_cmpuint (view->n_classes, ==, 4);
  g_assert_true (view->pixels == ds->pixels + 2);
  g_assert_true (view->labels == ds->labels + 1);
  g_assert_cmpuint (view->labels[1], ==, 2);

  /* A view of a view. */
  inner = bp_dataset_view (view, 1, 1, &error);
  g_assert_nonnull (inner);
  g_assert_cmpuint (inner->labels[0], ==, 2);
  g_assert_cmpuint (inner->pixels[1], ==, 5);
  bp_dataset_free (inner);
  bp_dataset_free (view);

  /* Bounds: the whole set, an empty view at the very end, and one past it. */
  view = bp_dataset_view (ds, 0, 4, &error);
  g_assert_nonnull (view);
  bp_dataset_free (view);
  view = bp_dataset_view (ds, 4, 0, &error);
  g_assert_nonnull (view);
  g_assert_cmpuint (view->n, ==, 0);
  bp_dataset_free (view);

  g_assert_null (bp_dataset_view (ds, 5, 0, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  assert_contains (error.message, "examples [5, 5 + 0) do not fit in a set of 4");
  g_assert_null (bp_dataset_view (ds, 3, 2, &error));
  assert_contains (error.message, "examples [3, 3 + 2) do not fit");
  /* offset + n overflows size_t: must still be refused. */
  g_assert_null (bp_dataset_view (ds, 2, SIZE_MAX, &error));
  g_assert_null (bp_dataset_view (NULL, 0, 0, &error));

  bp_dataset_free (ds);
  bp_dataset_free (NULL);
}

/* Against numpy: np.roll (img, ±1, axis) with the wrapped row or column zeroed, in
 * expand_mnist.py's order (down, up, right, left). */
static void
test_expand_shifts (void)
{
  static const uint8_t expected[5][12] = {
    { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 },  /* the original */
    { 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 },     /* np.roll (img, 1, 0), row 0 zeroed */
    { 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0 },  /* np.roll (img, -1, 0), row 2 zeroed */
    { 0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11 },   /* np.roll (img, 1, 1), column 0 zeroed */
    { 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0 },  /* np.roll (img, -1, 1), column 3 zeroed */
  };
  uint8_t pixels[2 * 12];
  uint8_t labels[2] = { 7, 3 };
  BpError error = { 0 };
  BpDataset *src, *ds, *empty, *expanded_empty;

  /* Image 0 is 1…12; image 1 is 101…112, so each copy shows where it came from. */
  for (size_t p = 0; p < 12; p++)
    {
      pixels[p] = (uint8_t) (p + 1);
      pixels[12 + p] = (uint8_t) (p + 101);
    }
  src = bp_dataset_new_from_data (2, 3, 4, pixels, labels, 10, &error);
  g_assert_nonnull (src);

  ds = bp_dataset_expand_shifts (src, &error);
  g_assert_nonnull (ds);
  g_assert_cmpuint (ds->n, ==, 10);
  g_assert_cmpuint (ds->rows, ==, 3);
  g_assert_cmpuint (ds->cols, ==, 4);
  g_assert_cmpuint (ds->n_classes, ==, 10);
  g_assert_true (ds->owns_data);
  for (size_t img = 0; img < 2; img++)
    for (size_t k = 0; k < 5; k++)
      {
        g_assert_cmpuint (ds->labels[5 * img + k], ==, labels[img]);
        for (size_t p = 0; p < 12; p++)
          {
            uint8_t want = expected[k][p] == 0 ? 0 : (uint8_t) (expected[k][p] + 100 * img);

            g_assert_cmpuint (ds->pixels[(5 * img + k) * 12 + p], ==, want);
          }
      }
  bp_dataset_free (ds);

  /* One-pixel-high images: shifting down or up leaves nothing. */
  {
    uint8_t row[3] = { 1, 2, 3 }, label = 0;
    static const uint8_t want[5][3] = {
      { 1, 2, 3 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 1, 2 }, { 2, 3, 0 },
    };
    BpDataset *line = bp_dataset_new_from_data (1, 1, 3, row, &label, 1, &error);

    ds = bp_dataset_expand_shifts (line, &error);
    g_assert_nonnull (ds);
    g_assert_cmpmem (ds->pixels, 15, want, 15);
    bp_dataset_free (ds);
    bp_dataset_free (line);
  }

  /* Expanding a view works on the view's examples only, and an empty set expands to empty. */
  empty = bp_dataset_view (src, 1, 0, &error);
  expanded_empty = bp_dataset_expand_shifts (empty, &error);
  g_assert_nonnull (expanded_empty);
  g_assert_cmpuint (expanded_empty->n, ==, 0);
  bp_dataset_free (expanded_empty);
  bp_dataset_free (empty);

  bp_dataset_free (src);
}

static void
test_gather (void)
{
  uint8_t pixels[256];
  uint8_t label = 0;
  BpError error = { 0 };
  BpDataset *ds;
  size_t indices[3] = { 0, 0, 0 };
  float *out;

  /* One 16×16 image holding every byte value once. */
  for (size_t p = 0; p < 256; p++)
    pixels[p] = (uint8_t) p;
  ds = bp_dataset_new_from_data (1, 16, 16, pixels, &label, 10, &error);
  g_assert_nonnull (ds);
  out = g_new (float, 256);
  bp_dataset_gather (ds, indices, 1, out);
  for (size_t p = 0; p < 256; p++)
    g_assert_true (out[p] == (float) p / 255.0f);
  g_assert_true (out[0] == 0.0f);
  g_assert_true (out[255] == 1.0f);
  g_free (out);
  bp_dataset_free (ds);

  /* 5×7 = 35 pixels: two blocks of 16 and a tail of 3 in the fast loop. */
  {
    uint8_t odd[2 * 35];
    uint8_t labels[2] = { 0, 1 };
    float batch[2 * 35];

    for (size_t p = 0; p < sizeof odd; p++)
      odd[p] = (uint8_t) (p * 7 + 3);
    ds = bp_dataset_new_from_data (2, 5, 7, odd, labels, 2, &error);
    indices[0] = 1;
    indices[1] = 0;
    bp_dataset_gather (ds, indices, 2, batch);
    for (size_t i = 0; i < 2; i++)
      for (size_t p = 0; p < 35; p++)
        g_assert_true (batch[i * 35 + p] == (float) odd[indices[i] * 35 + p] / 255.0f);
    bp_dataset_free (ds);
  }

  /* Several images in an arbitrary order, with repeats: row i is image indices[i]. */
  {
    uint8_t three[3 * 4] = { 0, 1, 2, 3, 10, 20, 30, 40, 255, 128, 64, 7 };
    uint8_t labels[3] = { 0, 1, 2 };
    float batch[3 * 4];

    ds = bp_dataset_new_from_data (3, 2, 2, three, labels, 3, &error);
    indices[0] = 2;
    indices[1] = 0;
    indices[2] = 2;
    memset (batch, 0xff, sizeof batch);
    bp_dataset_gather (ds, indices, 3, batch);
    for (size_t i = 0; i < 3; i++)
      for (size_t p = 0; p < 4; p++)
        g_assert_true (batch[i * 4 + p] == (float) three[indices[i] * 4 + p] / 255.0f);

    /* Zero indices write nothing. */
    batch[0] = -1.0f;
    bp_dataset_gather (ds, indices, 0, batch);
    g_assert_true (batch[0] == -1.0f);
    bp_dataset_free (ds);
  }
}

/* ───────────────────────────── MNIST folders ───────────────────────────── */

/* Write an IDX file into @dir, gzip-compressed when @name ends in .gz. */
static void
write_idx (const char    *dir,
           const char    *name,
           const size_t  *dims,
           uint8_t        n_dims,
           const uint8_t *data)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree uint8_t *bytes = NULL;
  size_t count = 1, len;

  for (uint8_t i = 0; i < n_dims; i++)
    count *= dims[i];
  len = 4 + 4 * (size_t) n_dims + count;
  bytes = g_malloc (len);
  bytes[0] = 0;
  bytes[1] = 0;
  bytes[2] = 8;
  bytes[3] = n_dims;
  for (uint8_t i = 0; i < n_dims; i++)
    {
      bytes[4 + 4 * i] = (uint8_t) (dims[i] >> 24);
      bytes[5 + 4 * i] = (uint8_t) (dims[i] >> 16);
      bytes[6 + 4 * i] = (uint8_t) (dims[i] >> 8);
      bytes[7 + 4 * i] = (uint8_t) dims[i];
    }
  memcpy (bytes + 4 + 4 * n_dims, data, count);

  if (g_str_has_suffix (name, ".gz"))
    {
      size_t gz_len;
      g_autofree uint8_t *gz = gzip_bytes (bytes, len, &gz_len);

      g_assert_true (g_file_set_contents (path, (const char *) gz, (gssize) gz_len, NULL));
    }
  else
    g_assert_true (g_file_set_contents (path, (const char *) bytes, (gssize) len, NULL));
}

/* A fake MNIST folder: @n_train training and @n_test test images of @side×@side; image i is
 * filled with the byte i mod 256 and labelled i mod 10. Two files are gzipped, two raw. */
static char *
make_mnist_dir (size_t n_train,
                size_t n_test,
                size_t side)
{
  char *dir = g_dir_make_tmp ("backprop-mnist-XXXXXX", NULL);
  size_t n_max = MAX (n_train, n_test);
  g_autofree uint8_t *pixels = g_malloc (n_max * side * side);
  g_autofree uint8_t *labels = g_malloc (n_max);
  size_t dims[3] = { n_train, side, side };

  g_assert_nonnull (dir);
  for (size_t i = 0; i < n_max; i++)
    {
      memset (pixels + i * side * side, (int) (i % 256), side * side);
      labels[i] = (uint8_t) (i % 10);
    }
  write_idx (dir, "train-images-idx3-ubyte", dims, 3, pixels);
  write_idx (dir, "train-labels-idx1-ubyte.gz", dims, 1, labels);
  dims[0] = n_test;
  write_idx (dir, "t10k-images-idx3-ubyte.gz", dims, 3, pixels);
  write_idx (dir, "t10k-labels-idx1-ubyte", dims, 1, labels);
  return dir;
}

static void
remove_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_dir_close (d);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_mnist_split (void)
{
  /* n training images → expected training and validation sizes. At 10,000 or fewer everything
   * trains and validation is empty; above that the last 10,000 validate. */
  static const struct { size_t n, train, validation; } cases[] = {
    { 12, 12, 0 },
    { 10000, 10000, 0 },
    { 10001, 1, 10000 },
    { 10012, 12, 10000 },
  };

  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *dir = make_mnist_dir (cases[c].n, 3, cases[c].n > 100 ? 2 : 28);
      BpError error = { 0 };
      BpMnist m;

      g_test_message ("%zu training images", cases[c].n);
      g_assert_true (bp_mnist_load (&m, dir, 0, &error));
      g_assert_cmpstr (m.dir, ==, dir);
      g_assert_cmpuint (m.all_train->n, ==, cases[c].n);
      g_assert_cmpuint (m.train->n, ==, cases[c].train);
      g_assert_cmpuint (m.validation->n, ==, cases[c].validation);
      g_assert_cmpuint (m.test->n, ==, 3);
      g_assert_true (m.all_train->owns_data && m.test->owns_data);
      g_assert_false (m.train->owns_data || m.validation->owns_data);
      g_assert_true (m.train->pixels == m.all_train->pixels);
      g_assert_true (m.validation->labels
                     == m.all_train->labels + cases[c].n - cases[c].validation);
      g_assert_cmpuint (m.all_train->n_classes, ==, 10);
      g_assert_cmpuint (m.train->n_classes, ==, 10);
      g_assert_cmpuint (m.validation->n_classes, ==, 10);
      g_assert_cmpuint (m.test->n_classes, ==, 10);
      if (cases[c].validation > 0)
        {
          size_t first = cases[c].n - cases[c].validation;

          g_assert_cmpuint (m.validation->labels[0], ==, first % 10);
          g_assert_cmpuint (m.validation->pixels[0], ==, first % 256);
        }
      bp_mnist_clear (&m);
      g_assert_null (m.all_train);
      g_assert_null (m.dir);

      /* train_size keeps the first examples, and all of them when it asks for more. */
      g_assert_true (bp_mnist_load (&m, dir, 5, &error));
      g_assert_cmpuint (m.train->n, ==, MIN (5, cases[c].train));
      g_assert_cmpuint (m.validation->n, ==, cases[c].validation);
      bp_mnist_clear (&m);
      g_assert_true (bp_mnist_load (&m, dir, 100000, &error));
      g_assert_cmpuint (m.train->n, ==, cases[c].train);
      bp_mnist_clear (&m);

      remove_dir (dir);
    }
}

static void
test_mnist_tiny (void)
{
  g_autofree char *dir = make_mnist_dir (12, 4, 28);
  g_autofree char *with_slash = g_strconcat (dir, "/", NULL);
  BpError error = { 0 };
  BpMnist m;

  g_assert_true (bp_mnist_load (&m, with_slash, 0, &error));
  g_assert_cmpuint (m.train->n, ==, 12);
  g_assert_cmpuint (m.train->rows, ==, 28);
  g_assert_cmpuint (m.train->labels[11], ==, 1);
  g_assert_cmpuint (m.train->pixels[11 * 784 + 500], ==, 11);
  g_assert_cmpuint (m.test->labels[3], ==, 3);
  bp_mnist_clear (&m);
  bp_mnist_clear (&m); /* twice is harmless */

  /* When both the raw file and the .gz exist, the raw one is read: spoil the .gz to prove it. */
  {
    g_autofree char *gz = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);

    g_assert_true (g_file_set_contents (gz, "not gzip", -1, NULL));
    g_assert_true (bp_mnist_load (&m, dir, 0, &error));
    bp_mnist_clear (&m);
  }

  /* A bad training file: the error names it. */
  {
    g_autofree char *images = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
    g_autofree char *saved = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (images, &saved, &len, NULL));
    g_assert_true (g_file_set_contents (images, saved, (gssize) len - 1, NULL));
    g_assert_false (bp_mnist_load (&m, dir, 0, &error));
    assert_contains (error.message, images);
    assert_contains (error.message, "truncated: header says 12×28×28 = 9408 pixel bytes, file has "
                     "9407");
    g_assert_true (g_file_set_contents (images, saved, (gssize) len, NULL));
  }

  /* A bad test file: the error names that file. */
  {
    g_autofree char *labels = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
    const uint8_t bad[4] = { 0, 1, 2, 10 };
    size_t dims[1] = { 4 };

    write_idx (dir, "t10k-labels-idx1-ubyte", dims, 1, bad);
    memset (&m, 0x55, sizeof m);
    g_assert_false (bp_mnist_load (&m, dir, 0, &error));
    assert_contains (error.message, labels);
    assert_contains (error.message, "label out of range: label 10 of example 3 is not below 10");
    /* On error the result is zeroed. */
    g_assert_null (m.all_train);
    g_assert_null (m.train);
    g_assert_null (m.test);
    g_assert_null (m.dir);
  }

  /* Test images of another size than the training images. */
  {
    g_autofree uint8_t *pixels = g_malloc0 (4 * 20 * 20);
    const uint8_t labels[4] = { 0, 1, 2, 3 };
    size_t dims[3] = { 4, 20, 20 };

    write_idx (dir, "t10k-labels-idx1-ubyte", dims, 1, labels);
    write_idx (dir, "t10k-images-idx3-ubyte.gz", dims, 3, pixels);
    g_assert_false (bp_mnist_load (&m, dir, 0, &error));
    assert_contains (error.message, "test images are 20×20 pixels, but ");
    assert_contains (error.message, "has 28×28");
  }

  remove_dir (dir);
}

static void
test_mnist_missing (void)
{
  g_autofree char *dir = make_mnist_dir (12, 3, 4);
  g_autofree char *gone = g_build_filename (dir, "train-labels-idx1-ubyte.gz", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "nowhere", NULL);
  BpError error = { 0 };
  BpMnist m;

  /* One file missing: the message names the folder, that file (and only it) and the remedy. */
  g_assert_cmpint (g_remove (gone), ==, 0);
  g_assert_false (bp_mnist_load (&m, dir, 0, &error));
  g_test_message ("%s", error.message);
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  assert_contains (error.message, dir);
  assert_contains (error.message,
                   "MNIST files missing: train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz);");
  assert_contains (error.message, "run build-aux/fetch-mnist.sh");
  assert_contains (error.message, "place the four IDX files");
  assert_contains (error.message, "raw or .gz");
  g_assert_null (strstr (error.message, "or t10k-images-idx3-ubyte.gz"));
  g_assert_null (m.all_train);

  /* All missing (an empty folder). */
  remove_dir (dir);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_false (bp_mnist_load (&m, dir, 0, &error));
  assert_contains (error.message, "or train-images-idx3-ubyte.gz), train-labels-idx1-ubyte");
  assert_contains (error.message, "t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz); run");

  /* A file where the folder should be. */
  {
    g_autofree char *file = data_path ("tiny-images-idx3-ubyte");

    g_assert_false (bp_mnist_load (&m, file, 0, &error));
    assert_contains (error.message,
                     "tiny-images-idx3-ubyte: MNIST folder not found (not a folder)");
  }

  /* No folder at all. */
  g_assert_false (bp_mnist_load (&m, nowhere, 0, &error));
  g_assert_cmpint (error.code, ==, BP_ERROR_IO);
  assert_contains (error.message, nowhere);
  assert_contains (error.message, "MNIST folder not found (No such file or directory)");
  assert_contains (error.message, "run build-aux/fetch-mnist.sh");
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
set_env (const char *var,
         const char *value)
{
  if (value != NULL)
    g_assert_true (g_setenv (var, value, TRUE));
  else
    g_unsetenv (var);
}

static void
assert_find_dir (const char *explicit_dir,
                 const char *expected)
{
  char *dir = bp_mnist_find_dir (explicit_dir);

  g_assert_cmpstr (dir, ==, expected);
  free (dir);
}

static void
test_mnist_find_dir (void)
{
  g_autofree char *saved_data = g_strdup (g_getenv ("BACKPROP_DATA_DIR"));
  g_autofree char *saved_xdg = g_strdup (g_getenv ("XDG_DATA_HOME"));
  g_autofree char *saved_home = g_strdup (g_getenv ("HOME"));

  set_env ("BACKPROP_DATA_DIR", "/env/data");
  set_env ("XDG_DATA_HOME", "/xdg");
  set_env ("HOME", "/home/someone");

  /* Each source wins over everything after it. */
  assert_find_dir ("/explicit", "/explicit");
  assert_find_dir (NULL, "/env/data");
  set_env ("BACKPROP_DATA_DIR", NULL);
  assert_find_dir (NULL, "/xdg/backprop/mnist");
  set_env ("XDG_DATA_HOME", "/xdg/");
  assert_find_dir (NULL, "/xdg/backprop/mnist");
  set_env ("XDG_DATA_HOME", NULL);
  assert_find_dir (NULL, "/home/someone/.local/share/backprop/mnist");

  /* Empty values count as unset, and a relative $XDG_DATA_HOME is ignored (XDG spec). */
  set_env ("BACKPROP_DATA_DIR", "");
  set_env ("XDG_DATA_HOME", "");
  assert_find_dir ("", "/home/someone/.local/share/backprop/mnist");
  set_env ("XDG_DATA_HOME", "relative/dir");
  assert_find_dir (NULL, "/home/someone/.local/share/backprop/mnist");

  /* No $HOME: the password database's home folder, still an absolute path. */
  set_env ("HOME", NULL);
  {
    char *dir = bp_mnist_find_dir (NULL);

    g_assert_nonnull (dir);
    g_assert_true (dir[0] == '/');
    g_assert_true (g_str_has_suffix (dir, "/.local/share/backprop/mnist"));
    free (dir);
  }

  set_env ("BACKPROP_DATA_DIR", saved_data);
  set_env ("XDG_DATA_HOME", saved_xdg);
  set_env ("HOME", saved_home);
}

static gboolean
has_file (const char *dir,
          const char *name)
{
  g_autofree char *raw = g_build_filename (dir, name, NULL);
  g_autofree char *gz = g_strconcat (raw, ".gz", NULL);

  return g_file_test (raw, G_FILE_TEST_EXISTS) || g_file_test (gz, G_FILE_TEST_EXISTS);
}

static void
test_mnist_real (void)
{
  char *dir = bp_mnist_find_dir (NULL);
  BpError error = { 0 };
  BpMnist m;

  if (!has_file (dir, "train-images-idx3-ubyte") || !has_file (dir, "t10k-labels-idx1-ubyte"))
    {
      g_autofree char *why = g_strdup_printf ("no MNIST in %s", dir);

      free (dir);
      g_test_skip (why);
      return;
    }

  if (!bp_mnist_load (&m, dir, 0, &error))
    g_error ("%s", error.message);
  g_assert_cmpuint (m.all_train->n, ==, 60000);
  g_assert_cmpuint (m.train->n, ==, 50000);
  g_assert_cmpuint (m.validation->n, ==, 10000);
  g_assert_cmpuint (m.test->n, ==, 10000);
  g_assert_cmpuint (m.train->rows, ==, 28);
  g_assert_cmpuint (m.train->cols, ==, 28);
  g_assert_cmpuint (m.train->labels[0], ==, 5);
  g_assert_cmpuint (m.test->labels[0], ==, 7);
  g_assert_cmpuint (m.train->n_classes, ==, 10);
  bp_mnist_clear (&m);
  free (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dataset/idx/raw-and-gzip", test_idx_raw_and_gzip);
  g_test_add_func ("/dataset/idx/parse-memory", test_idx_parse_memory);
  g_test_add_func ("/dataset/idx/detect-by-content", test_idx_detect_by_content);
  g_test_add_func ("/dataset/load", test_dataset_load);
  g_test_add_func ("/dataset/error/truncated-images", test_error_truncated_images);
  g_test_add_func ("/dataset/error/truncated-labels", test_error_truncated_labels);
  g_test_add_func ("/dataset/error/truncated-header", test_error_truncated_header);
  g_test_add_func ("/dataset/error/trailing-bytes", test_error_trailing);
  g_test_add_func ("/dataset/error/magic", test_error_magic);
  g_test_add_func ("/dataset/error/type", test_error_type);
  g_test_add_func ("/dataset/error/dimensions", test_error_dims);
  g_test_add_func ("/dataset/error/zero-dimension", test_error_zero_dim);
  g_test_add_func ("/dataset/error/too-large", test_error_too_large);
  g_test_add_func ("/dataset/error/count-mismatch", test_error_count_mismatch);
  g_test_add_func ("/dataset/error/label-range", test_error_label_range);
  g_test_add_func ("/dataset/error/bad-gzip", test_error_bad_gzip);
  g_test_add_func ("/dataset/error/truncated-gzip", test_error_truncated_gzip);
  g_test_add_func ("/dataset/error/gzip-bomb", test_error_gzip_bomb);
  g_test_add_func ("/dataset/error/empty", test_error_empty);
  g_test_add_func ("/dataset/error/missing", test_error_missing);
  g_test_add_func ("/dataset/new-from-data", test_new_from_data);
  g_test_add_func ("/dataset/view", test_view);
  g_test_add_func ("/dataset/expand-shifts", test_expand_shifts);
  g_test_add_func ("/dataset/gather", test_gather);
  g_test_add_func ("/dataset/mnist/real", test_mnist_real);
  g_test_add_func ("/dataset/mnist/split", test_mnist_split);
  g_test_add_func ("/dataset/mnist/tiny", test_mnist_tiny);
  g_test_add_func ("/dataset/mnist/missing", test_mnist_missing);
  g_test_add_func ("/dataset/mnist/find-dir", test_mnist_find_dir);

  return g_test_run ();
}
