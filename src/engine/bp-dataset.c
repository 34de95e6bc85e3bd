/* bp-dataset.c — data sets from IDX files, the book's MNIST split, views and shifts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The IDX files themselves are read, strictly, in bp-idx.c.
 */
#include "config.h"

#include "bp-dataset.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bp-memory.h"

#define MNIST_CLASSES 10
#define MNIST_VALIDATION 10000
#define MAX_CLASSES 256

static const char *const mnist_names[4] = {
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
};

#define FETCH_HINT \
  "run build-aux/fetch-mnist.sh to download MNIST there, or place the four IDX files " \
  "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " \
  "t10k-labels-idx1-ubyte; raw or .gz) in it"

static bool fail (BpError    *error,
                  BpErrorCode code,
                  const char *name,
                  const char *format,
                  ...) __attribute__ ((format (printf, 4, 5)));

/* Set @error to "@name: <message>". Returns false. */
static bool
fail (BpError    *error,
      BpErrorCode code,
      const char *name,
      const char *format,
      ...)
{
  char message[BP_ERROR_MESSAGE_MAX];
  va_list args;

  if (error == NULL)
    return false;

  va_start (args, format);
  vsnprintf (message, sizeof message, format, args);
  va_end (args);

  return bp_error_set (error, code, "%s: %s", name, message);
}

/* ───────────────────────────── data sets ───────────────────────────── */

/* Pixels of a large set in memory backed by 2 MiB pages where the kernel offers them: the
 * trainer reads images in a random order, and with 4 KiB pages nearly every image of a 47 MB set
 * costs a TLB miss that no prefetch hides (a tenth of a chapter-1 epoch). Freed with free(). */
static uint8_t *
alloc_pixels (size_t size)
{
#if defined(MADV_HUGEPAGE)
  const size_t huge = (size_t) 2 << 20;

  if (size >= 2 * huge && size <= SIZE_MAX - huge)
    {
      size_t rounded = (size + huge - 1) & ~(huge - 1);
      uint8_t *p = aligned_alloc (huge, rounded);

      if (p != NULL)
        madvise (p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
      return p;
    }
#endif
  return malloc (size > 0 ? size : 1);
}

static BpDataset *
dataset_alloc (size_t   n,
               size_t   rows,
               size_t   cols,
               BpError *error)
{
  BpDataset *ds;
  size_t n_pixels = rows * cols; /* both at most BP_DATASET_MAX_SIDE: cannot overflow */

  if (n_pixels != 0 && n > SIZE_MAX / n_pixels)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "data set: %zu images of %zu×%zu pixels overflow size_t",
                    n, rows, cols);
      return NULL;
    }

  {
    char what[128];

    snprintf (what, sizeof what, "a data set of %zu images of %zu×%zu pixels", n, rows, cols);
    if (!bp_memory_check ((uint64_t) n * (n_pixels + 1), what, error))
      return NULL;
  }

  ds = calloc (1, sizeof *ds);
  if (ds == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "data set: out of memory");
      return NULL;
    }
  ds->n = n;
  ds->rows = rows;
  ds->cols = cols;
  ds->n_pixels = n_pixels;
  ds->owns_data = true;
  /* At least one byte, so an empty set still has valid, distinct pointers. */
  ds->pixels = alloc_pixels (n * n_pixels);
  ds->labels = malloc (n > 0 ? n : 1);
  if (ds->pixels == NULL || ds->labels == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM,
                    "data set: out of memory for %zu images of %zu×%zu pixels", n, rows, cols);
      bp_dataset_free (ds);
      return NULL;
    }
  return ds;
}

static bool
check_max_classes (size_t   max_classes,
                   BpError *error)
{
  if (max_classes < 1 || max_classes > MAX_CLASSES)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "max_classes %zu is out of range: it must be 1 to %d",
                         max_classes, MAX_CLASSES);
  return true;
}

/* Check that @images and @labels make one data set and build it, taking their buffers. */
static BpDataset *
dataset_from_idx (BpIdx      *images,
                  const char *images_name,
                  BpIdx      *labels,
                  const char *labels_name,
                  size_t      max_classes,
                  BpError    *error)
{
  BpDataset *ds;
  size_t n, largest = 0;

  if (images->n_dims != 3)
    {
      fail (error, BP_ERROR_FORMAT, images_name,
            "wrong number of dimensions for images: %u, expected 3 (count × rows × cols)%s",
            images->n_dims, images->n_dims == 1 ? "; is this a label file?" : "");
      return NULL;
    }
  if (labels->n_dims != 1)
    {
      fail (error, BP_ERROR_FORMAT, labels_name,
            "wrong number of dimensions for labels: %u, expected 1 (count)%s",
            labels->n_dims, labels->n_dims == 3 ? "; is this an image file?" : "");
      return NULL;
    }
  if (images->dims[1] > BP_DATASET_MAX_SIDE || images->dims[2] > BP_DATASET_MAX_SIDE)
    {
      fail (error, BP_ERROR_FORMAT, images_name,
            "images too large: %zu×%zu pixels, the limit is %d×%d",
            images->dims[1], images->dims[2], BP_DATASET_MAX_SIDE, BP_DATASET_MAX_SIDE);
      return NULL;
    }
  n = images->dims[0];
  if (labels->dims[0] != n)
    {
      bp_error_set (error, BP_ERROR_FORMAT,
                    "%s: count mismatch: %zu images, but %s has %zu labels",
                    images_name, n, labels_name, labels->dims[0]);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (labels->data[i] >= max_classes)
        {
          fail (error, BP_ERROR_FORMAT, labels_name,
                "label out of range: label %u of example %zu is not below %zu",
                labels->data[i], i, max_classes);
          return NULL;
        }
      if (labels->data[i] > largest)
        largest = labels->data[i];
    }

  ds = calloc (1, sizeof *ds);
  if (ds == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "%s: out of memory", images_name);
      return NULL;
    }
  ds->n = n;
  ds->rows = images->dims[1];
  ds->cols = images->dims[2];
  ds->n_pixels = ds->rows * ds->cols;
  ds->n_classes = largest + 1;
  ds->owns_data = true;
  /* The checked label buffer becomes the data set's; the pixels move once more, into memory
   * with large pages (see alloc_pixels()), which costs 10 ms and saves that much every epoch. */
  ds->pixels = alloc_pixels (images->count);
  if (ds->pixels == NULL)
    {
      free (ds);
      bp_error_set (error, BP_ERROR_NOMEM, "%s: out of memory", images_name);
      return NULL;
    }
  memcpy (ds->pixels, images->data, images->count);
  ds->labels = labels->data;
  labels->data = NULL;
  return ds;
}

BpDataset *
bp_dataset_load (const char *images_path,
                 const char *labels_path,
                 size_t      max_classes,
                 BpError    *error)
{
  BpIdx images = { 0 }, labels = { 0 };
  BpDataset *ds = NULL;

  if (!check_max_classes (max_classes, error))
    return NULL;
  if (bp_idx_load (images_path, &images, error) && bp_idx_load (labels_path, &labels, error))
    ds = dataset_from_idx (&images, images_path, &labels, labels_path, max_classes, error);

  bp_idx_clear (&images);
  bp_idx_clear (&labels);
  return ds;
}

BpDataset *
bp_dataset_new_from_data (size_t         n,
                          size_t         rows,
                          size_t         cols,
                          const uint8_t *pixels,
                          const uint8_t *labels,
                          size_t         n_classes,
                          BpError       *error)
{
  BpDataset *ds;

  if (rows < 1 || rows > BP_DATASET_MAX_SIDE || cols < 1 || cols > BP_DATASET_MAX_SIDE)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "data set: images of %zu×%zu pixels: each side must be 1 to %d",
                    rows, cols, BP_DATASET_MAX_SIDE);
      return NULL;
    }
  if (n_classes < 1 || n_classes > MAX_CLASSES)
    {
      bp_error_set (error, BP_ERROR_INVALID, "data set: n_classes %zu: it must be 1 to %d",
                    n_classes, MAX_CLASSES);
      return NULL;
    }
  if (n > 0 && (pixels == NULL || labels == NULL))
    {
      bp_error_set (error, BP_ERROR_INVALID, "data set: %zu examples but no pixels or labels", n);
      return NULL;
    }
  /* Before the labels are read: a count this large cannot describe real arrays. */
  if (n > SIZE_MAX / (rows * cols))
    {
      bp_error_set (error, BP_ERROR_NOMEM, "data set: %zu images of %zu×%zu pixels overflow size_t",
                    n, rows, cols);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    if (labels[i] >= n_classes)
      {
        bp_error_set (error, BP_ERROR_INVALID,
                      "data set: label %u of example %zu is not below n_classes %zu",
                      labels[i], i, n_classes);
        return NULL;
      }

  ds = dataset_alloc (n, rows, cols, error);
  if (ds == NULL)
    return NULL;
  ds->n_classes = n_classes;
  if (n > 0)
    {
      memcpy (ds->pixels, pixels, n * ds->n_pixels);
      memcpy (ds->labels, labels, n);
    }
  return ds;
}

BpDataset *
bp_dataset_view (const BpDataset *src,
                 size_t           offset,
                 size_t           n,
                 BpError         *error)
{
  BpDataset *view;

  if (src == NULL)
    {
      bp_error_set (error, BP_ERROR_INVALID, "data set view: no source data set");
      return NULL;
    }
  if (offset > src->n || n > src->n - offset)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "data set view: examples [%zu, %zu + %zu) do not fit in a set of %zu",
                    offset, offset, n, src->n);
      return NULL;
    }

  view = calloc (1, sizeof *view);
  if (view == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "data set view: out of memory");
      return NULL;
    }
  *view = *src;
  view->n = n;
  view->pixels = src->pixels + offset * src->n_pixels;
  view->labels = src->labels + offset;
  view->owns_data = false;
  return view;
}

BpDataset *
bp_dataset_expand_shifts (const BpDataset *src,
                          BpError         *error)
{
  const size_t rows = src->rows, cols = src->cols, n_pixels = src->n_pixels;
  BpDataset *ds;

  if (src->n > SIZE_MAX / 5)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "expanding data set: 5 × %zu overflows size_t", src->n);
      return NULL;
    }
  ds = dataset_alloc (5 * src->n, rows, cols, error);
  if (ds == NULL)
    return NULL;
  ds->n_classes = src->n_classes;

  for (size_t i = 0; i < src->n; i++)
    {
      const uint8_t *img = src->pixels + i * n_pixels;
      uint8_t *out = ds->pixels + 5 * i * n_pixels;
      uint8_t *down = out + n_pixels;
      uint8_t *up = down + n_pixels;
      uint8_t *right = up + n_pixels;
      uint8_t *left = right + n_pixels;

      memcpy (out, img, n_pixels);

      /* np.roll (img, 1, axis=0), row 0 zeroed: each row moves down one. */
      memset (down, 0, cols);
      memcpy (down + cols, img, (rows - 1) * cols);

      /* np.roll (img, -1, axis=0), last row zeroed: each row moves up one. */
      memcpy (up, img + cols, (rows - 1) * cols);
      memset (up + (rows - 1) * cols, 0, cols);

      for (size_t r = 0; r < rows; r++)
        {
          const uint8_t *src_row = img + r * cols;

          /* np.roll (img, 1, axis=1), column 0 zeroed: each column moves right one. */
          right[r * cols] = 0;
          memcpy (right + r * cols + 1, src_row, cols - 1);

          /* np.roll (img, -1, axis=1), last column zeroed: each column moves left one. */
          memcpy (left + r * cols, src_row + 1, cols - 1);
          left[r * cols + cols - 1] = 0;
        }

      memset (ds->labels + 5 * i, src->labels[i], 5);
    }
  return ds;
}

void
bp_dataset_free (BpDataset *dataset)
{
  if (dataset == NULL)
    return;
  if (dataset->owns_data)
    {
      free (dataset->pixels);
      free (dataset->labels);
    }
  free (dataset);
}

/* The division must stay (multiplying by 1/255 differs in the last bit for half of the bytes);
 * cloned for AVX-512 and AVX2 so that it runs 16 or 8 lanes wide where the CPU allows. */
BP_TARGET_CLONES
void
bp_dataset_gather (const BpDataset *dataset,
                   const size_t    *indices,
                   size_t           n_idx,
                   float           *out)
{
  const size_t n_pixels = dataset->n_pixels;

  for (size_t i = 0; i < n_idx; i++)
    {
      const uint8_t *restrict src;
      float *restrict dst = out + i * n_pixels;
      size_t p = 0;

      assert (indices[i] < dataset->n);
      src = dataset->pixels + indices[i] * n_pixels;
      /* A division, not a multiply by 1/255, because that is what the contract promises bit for
       * bit. Blocks of a fixed 16 are what GCC's -O2 vectoriser (the "very cheap" cost model)
       * accepts: it turns each into byte-to-float conversions and four vector divides, where
       * the plain loop stays scalar (0.86 against 0.25 ns a pixel). */
      for (; p + 16 <= n_pixels; p += 16)
        for (size_t k = 0; k < 16; k++)
          dst[p + k] = (float) src[p + k] / 255.0f;
      for (; p < n_pixels; p++)
        dst[p] = (float) src[p] / 255.0f;
    }
}

/* ───────────────────────────── MNIST ───────────────────────────── */

/* "@a/@b" (or "@a@b@c" with @c a suffix), newly allocated. */
static char *
path_join (const char *a,
           const char *b,
           const char *suffix)
{
  size_t la = strlen (a), lb = strlen (b), ls = suffix != NULL ? strlen (suffix) : 0;
  bool slash = la > 0 && a[la - 1] != '/';
  char *p = malloc (la + slash + lb + ls + 1);

  if (p == NULL)
    return NULL;
  memcpy (p, a, la);
  if (slash)
    p[la] = '/';
  memcpy (p + la + slash, b, lb);
  if (ls > 0)
    memcpy (p + la + slash + lb, suffix, ls);
  p[la + slash + lb + ls] = '\0';
  return p;
}

static const char *
non_empty_env (const char *var)
{
  const char *value = getenv (var);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

char *
bp_mnist_find_dir (const char *explicit_dir)
{
  const char *value;
  char pw_buf[4096];
  struct passwd pw, *found = NULL;

  if (explicit_dir != NULL && explicit_dir[0] != '\0')
    return strdup (explicit_dir);

  value = non_empty_env ("BACKPROP_DATA_DIR");
  if (value != NULL)
    return strdup (value);

  /* The XDG spec: a relative $XDG_DATA_HOME is invalid and must be ignored. */
  value = non_empty_env ("XDG_DATA_HOME");
  if (value != NULL && value[0] == '/')
    return path_join (value, "backprop/mnist", NULL);

  value = non_empty_env ("HOME");
  if (value == NULL && getpwuid_r (getuid (), &pw, pw_buf, sizeof pw_buf, &found) == 0
      && found != NULL && found->pw_dir != NULL && found->pw_dir[0] != '\0')
    value = found->pw_dir;
  if (value == NULL)
    value = ".";
  return path_join (value, ".local/share/backprop/mnist", NULL);
}

/* Find @name or @name.gz in @dir. Returns the path, NULL if neither exists (or on allocation
 * failure, which @nomem tells apart). */
static char *
find_file (const char *dir,
           const char *name,
           bool       *nomem)
{
  struct stat st;
  char *path = path_join (dir, name, NULL);

  if (path == NULL || stat (path, &st) == 0)
    {
      *nomem = path == NULL;
      return path;
    }
  free (path);

  path = path_join (dir, name, ".gz");
  if (path == NULL || stat (path, &st) == 0)
    {
      *nomem = path == NULL;
      return path;
    }
  free (path);
  *nomem = false;
  return NULL;
}

bool
bp_mnist_load (BpMnist    *out,
               const char *dir,
               size_t      train_size,
               BpError    *error)
{
  char *paths[4] = { NULL };
  char missing[512] = "";
  BpMnist m = { 0 };
  struct stat st;
  size_t n_all, n_validation, n_train;
  bool ok = false;

  memset (out, 0, sizeof *out);

  if (stat (dir, &st) != 0)
    return fail (error, BP_ERROR_IO, dir, "MNIST folder not found (%s): " FETCH_HINT,
                 strerror (errno));
  if (!S_ISDIR (st.st_mode))
    return fail (error, BP_ERROR_IO, dir, "MNIST folder not found (not a folder): " FETCH_HINT);

  for (int i = 0; i < 4; i++)
    {
      bool nomem;

      paths[i] = find_file (dir, mnist_names[i], &nomem);
      if (nomem)
        {
          fail (error, BP_ERROR_NOMEM, dir, "out of memory");
          goto out;
        }
      if (paths[i] == NULL)
        {
          size_t used = strlen (missing);

          snprintf (missing + used, sizeof missing - used, "%s%s (or %s.gz)",
                    used > 0 ? ", " : "", mnist_names[i], mnist_names[i]);
        }
    }
  if (missing[0] != '\0')
    {
      fail (error, BP_ERROR_IO, dir, "MNIST files missing: %s; " FETCH_HINT, missing);
      goto out;
    }

  m.all_train = bp_dataset_load (paths[0], paths[1], MNIST_CLASSES, error);
  if (m.all_train == NULL)
    goto out;
  m.test = bp_dataset_load (paths[2], paths[3], MNIST_CLASSES, error);
  if (m.test == NULL)
    goto out;
  if (m.test->rows != m.all_train->rows || m.test->cols != m.all_train->cols)
    {
      bp_error_set (error, BP_ERROR_FORMAT,
                    "%s: test images are %zu×%zu pixels, but %s has %zu×%zu",
                    paths[2], m.test->rows, m.test->cols,
                    paths[0], m.all_train->rows, m.all_train->cols);
      goto out;
    }
  /* The network has ten outputs whatever labels a small file happens to contain. */
  m.all_train->n_classes = MNIST_CLASSES;
  m.test->n_classes = MNIST_CLASSES;

  n_all = m.all_train->n;
  n_validation = n_all > MNIST_VALIDATION ? MNIST_VALIDATION : 0;
  n_train = n_all - n_validation;
  if (train_size > 0 && train_size < n_train)
    n_train = train_size;

  m.train = bp_dataset_view (m.all_train, 0, n_train, error);
  if (m.train == NULL)
    goto out;
  m.validation = bp_dataset_view (m.all_train, n_all - n_validation, n_validation, error);
  if (m.validation == NULL)
    goto out;
  m.dir = strdup (dir);
  if (m.dir == NULL)
    {
      fail (error, BP_ERROR_NOMEM, dir, "out of memory");
      goto out;
    }

  *out = m;
  memset (&m, 0, sizeof m);
  ok = true;

out:
  bp_mnist_clear (&m);
  for (int i = 0; i < 4; i++)
    free (paths[i]);
  return ok;
}

void
bp_mnist_clear (BpMnist *mnist)
{
  if (mnist == NULL)
    return;
  /* Views first: they point into all_train. */
  bp_dataset_free (mnist->train);
  bp_dataset_free (mnist->validation);
  bp_dataset_free (mnist->all_train);
  bp_dataset_free (mnist->test);
  free (mnist->dir);
  memset (mnist, 0, sizeof *mnist);
}
