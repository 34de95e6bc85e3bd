/* bp-dataset.c — strict IDX loading (raw or gzip), the book's MNIST split, views and shifts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every byte read here comes from outside, so the header is validated completely before any
 * size is taken from it, and data is read only as far as the header says the file reaches: the
 * buffer grows as bytes actually arrive, so neither a lying header nor a gzip bomb can make us
 * allocate more than the input really holds (and never more than IDX_MAX_BYTES).
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

#define ZLIB_CONST
#include <zlib.h>

#include "bp-file.h"
#include "bp-memory.h"

/* The largest IDX payload accepted. MNIST's training images are 47 MB, so 2 GiB leaves room for
 * any set of small images while refusing headers that ask for absurd amounts. */
#define IDX_MAX_BYTES ((size_t) 1 << 31)
#define IDX_MAX_DIMS 3
#define IDX_TYPE_UBYTE 0x08

/* Compressed bytes read from a file at a time. */
#define READ_CHUNK ((size_t) 1 << 16)
/* The first allocation for an IDX payload; it doubles as data arrives. */
#define GROW_START ((size_t) 1 << 20)
/* How far past the declared end we keep reading to say how many extra bytes there are. */
#define TRAILING_COUNT_MAX ((size_t) 1 << 26)

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

/* ───────────────────────────── the IDX header ───────────────────────────── */

typedef struct
{
  uint8_t n_dims;
  size_t  dims[IDX_MAX_DIMS];
  size_t  header_len; /* 4 + 4 × n_dims */
  size_t  count;      /* product of dims, at most IDX_MAX_BYTES */
} IdxHeader;

static const char *
type_name (uint8_t type)
{
  switch (type)
    {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "16-bit integer";
    case 0x0C:
      return "32-bit integer";
    case 0x0D:
      return "float";
    case 0x0E:
      return "double";
    default:
      return "not an IDX type";
    }
}

/* "60000×28×28", for messages. */
static void
format_dims (uint8_t       n_dims,
             const size_t *dims,
             char         *buf,
             size_t        size)
{
  size_t used = 0;

  buf[0] = '\0';
  for (uint8_t i = 0; i < n_dims && used < size; i++)
    {
      int n = snprintf (buf + used, size - used, i == 0 ? "%zu" : "×%zu", dims[i]);

      if (n < 0)
        break;
      used += (size_t) n;
    }
}

/* What one byte of the payload is, for messages: the loader only ever sees 3-D image files and
 * 1-D label files, so that is what the header's shape suggests. */
static const char *
unit_name (uint8_t n_dims)
{
  switch (n_dims)
    {
    case 1:
      return "label";
    case 3:
      return "pixel";
    default:
      return "data";
    }
}

/* Check the four-byte prefix (magic, type, number of dimensions). @avail is how many bytes of
 * it exist (fewer than 4 means the file is that short). Fills @hdr->n_dims and ->header_len. */
static bool
check_prefix (const uint8_t *p,
              size_t         avail,
              const char    *name,
              IdxHeader     *hdr,
              BpError       *error)
{
  if (avail == 0)
    return fail (error, BP_ERROR_FORMAT, name, "empty file: 0 bytes, not even an IDX header");
  if (avail < 4)
    return fail (error, BP_ERROR_FORMAT, name,
                 "truncated header: the file has %zu bytes, an IDX header needs at least 4",
                 avail);
  if (p[0] != 0 || p[1] != 0)
    {
      if (p[0] == 0x1f && p[1] == 0x8b)
        return fail (error, BP_ERROR_FORMAT, name,
                     "bad magic: the data starts with 0x1f 0x8b, which is gzip; "
                     "decompress it first");
      return fail (error, BP_ERROR_FORMAT, name,
                   "bad magic: the file starts with 0x%02x 0x%02x, an IDX file with 0x00 0x00",
                   p[0], p[1]);
    }
  if (p[2] != IDX_TYPE_UBYTE)
    return fail (error, BP_ERROR_FORMAT, name,
                 "unsupported data type 0x%02x (%s): only 0x08 (unsigned byte) is supported",
                 p[2], type_name (p[2]));
  if (p[3] < 1 || p[3] > IDX_MAX_DIMS)
    return fail (error, BP_ERROR_FORMAT, name,
                 "unsupported number of dimensions %u: only 1 to %d are supported",
                 p[3], IDX_MAX_DIMS);

  hdr->n_dims = p[3];
  hdr->header_len = 4 + 4 * (size_t) hdr->n_dims;
  return true;
}

/* Check the big-endian dimensions that follow the prefix and compute their product without
 * overflow. */
static bool
check_dims (const uint8_t *p,
            const char    *name,
            IdxHeader     *hdr,
            BpError       *error)
{
  size_t count = 1;

  for (uint8_t i = 0; i < hdr->n_dims; i++)
    {
      const uint8_t *d = p + 4 * i;

      hdr->dims[i] = ((size_t) d[0] << 24) | ((size_t) d[1] << 16) | ((size_t) d[2] << 8) | d[3];
      if (hdr->dims[i] == 0)
        return fail (error, BP_ERROR_FORMAT, name,
                     "zero dimension: dimension %u of %u is 0, so the file holds no data",
                     i + 1, hdr->n_dims);
    }

  for (uint8_t i = 0; i < hdr->n_dims; i++)
    {
      if (count > IDX_MAX_BYTES / hdr->dims[i])
        {
          char shape[128];

          format_dims (hdr->n_dims, hdr->dims, shape, sizeof shape);
          return fail (error, BP_ERROR_FORMAT, name,
                       "too large: header says %s %s bytes, more than the limit of %zu",
                       shape, unit_name (hdr->n_dims), IDX_MAX_BYTES);
        }
      count *= hdr->dims[i];
    }
  hdr->count = count;
  return true;
}

/* What loading the payload of @hdr will take: the payload, and as much again while an image
 * file's pixels move into the data set (see dataset_from_idx()). Checked before the payload is
 * read, so that a small gzip file that inflates to gigabytes is refused by its header. */
static bool
check_memory (const IdxHeader *hdr,
              const char      *name,
              BpError         *error)
{
  char shape[128], what[256];

  format_dims (hdr->n_dims, hdr->dims, shape, sizeof shape);
  snprintf (what, sizeof what, "%s: loading its %s %s bytes", name, shape, unit_name (hdr->n_dims));
  return bp_memory_check (2 * (uint64_t) hdr->count, what, error);
}

/* Compare the payload the header promises with the @have bytes that follow it (@more: the file
 * goes on beyond @have, which is then a lower bound). */
static bool
check_length (const IdxHeader *hdr,
              size_t           have,
              bool             more,
              const char      *name,
              BpError         *error)
{
  char says[192];
  char shape[128];

  if (have == hdr->count && !more)
    return true;

  format_dims (hdr->n_dims, hdr->dims, shape, sizeof shape);
  if (hdr->n_dims == 1)
    snprintf (says, sizeof says, "%zu %s bytes", hdr->count, unit_name (hdr->n_dims));
  else
    snprintf (says, sizeof says, "%s = %zu %s bytes", shape, hdr->count, unit_name (hdr->n_dims));

  if (have < hdr->count)
    return fail (error, BP_ERROR_FORMAT, name,
                 "truncated: header says %s, file has %zu after the %zu-byte header",
                 says, have, hdr->header_len);

  return fail (error, BP_ERROR_FORMAT, name,
               "trailing bytes: header says %s, file has %s%zu after the %zu-byte header "
               "(%s%zu extra)",
               says, more ? "more than " : "", have, hdr->header_len,
               more ? "more than " : "", have - hdr->count);
}

/* ───────────────────────── a byte source: raw or gzip ───────────────────────── */

typedef struct
{
  const char    *name;
  FILE          *file;        /* NULL when reading gzip data from memory */
  const uint8_t *mem;         /* the whole input when reading from memory */
  size_t         mem_len;
  size_t         mem_pos;
  uint8_t       *in;          /* file input buffer (READ_CHUNK bytes) */
  size_t         in_len;
  size_t         in_pos;      /* raw files: bytes of @in already handed out */
  bool           gzip;
  bool           member_done; /* inflate reached the end of a gzip member */
  z_stream       zs;
} Source;

/* Give inflate more compressed input. At the end of the input zs.avail_in stays 0. */
static bool
source_refill (Source  *s,
               BpError *error)
{
  if (s->file == NULL)
    {
      size_t n = s->mem_len - s->mem_pos;

      if (n > UINT_MAX)
        n = UINT_MAX;
      s->zs.next_in = s->mem + s->mem_pos;
      s->zs.avail_in = (uInt) n;
      s->mem_pos += n;
      return true;
    }

  s->in_len = fread (s->in, 1, READ_CHUNK, s->file);
  if (s->in_len < READ_CHUNK && ferror (s->file))
    return fail (error, BP_ERROR_IO, s->name, "read error: %s", strerror (errno));
  s->zs.next_in = s->in;
  s->zs.avail_in = (uInt) s->in_len;
  return true;
}

static bool
source_read_raw (Source  *s,
                 uint8_t *dst,
                 size_t   want,
                 size_t  *got,
                 BpError *error)
{
  size_t done = 0;

  /* Raw bytes in memory never come here: bp_idx_parse() reads them in place. */
  assert (s->file != NULL);

  /* First the bytes read while sniffing for the gzip magic, then straight from the file. */
  if (s->in_pos < s->in_len)
    {
      done = s->in_len - s->in_pos;
      if (done > want)
        done = want;
      memcpy (dst, s->in + s->in_pos, done);
      s->in_pos += done;
    }
  if (done < want)
    {
      done += fread (dst + done, 1, want - done, s->file);
      if (done < want && ferror (s->file))
        return fail (error, BP_ERROR_IO, s->name, "read error: %s", strerror (errno));
    }
  *got = done;
  return true;
}

static bool
source_read_gzip (Source  *s,
                  uint8_t *dst,
                  size_t   want,
                  size_t  *got,
                  BpError *error)
{
  size_t done = 0;

  while (done < want)
    {
      uInt chunk;
      int ret;

      if (s->zs.avail_in == 0)
        {
          if (!source_refill (s, error))
            return false;
          if (s->zs.avail_in == 0)
            {
              if (s->member_done)
                break;
              return fail (error, BP_ERROR_FORMAT, s->name,
                           "truncated gzip data: the compressed stream ends before its end "
                           "marker, after %lu decompressed bytes", s->zs.total_out);
            }
        }

      /* gzip allows several members one after another (what `cat a.gz b.gz` makes). Anything
       * after a member that is not another member fails inflate's header check. */
      if (s->member_done)
        {
          if (inflateReset (&s->zs) != Z_OK)
            return fail (error, BP_ERROR_FORMAT, s->name, "bad gzip data: cannot reset inflate");
          s->member_done = false;
        }

      chunk = want - done > UINT_MAX ? UINT_MAX : (uInt) (want - done);
      s->zs.next_out = dst + done;
      s->zs.avail_out = chunk;
      ret = inflate (&s->zs, Z_NO_FLUSH);
      done += chunk - s->zs.avail_out;

      switch (ret)
        {
        case Z_OK:
          break;
        case Z_STREAM_END:
          s->member_done = true;
          break;
        case Z_MEM_ERROR:
          return fail (error, BP_ERROR_NOMEM, s->name, "out of memory while decompressing");
        default:
          return fail (error, BP_ERROR_FORMAT, s->name, "bad gzip data: %s",
                       s->zs.msg != NULL ? s->zs.msg : "corrupt compressed stream");
        }
    }

  *got = done;
  return true;
}

/* Read up to @want bytes; fewer only at the end of the data. */
static bool
source_read (Source  *s,
             uint8_t *dst,
             size_t   want,
             size_t  *got,
             BpError *error)
{
  if (s->gzip)
    return source_read_gzip (s, dst, want, got, error);
  return source_read_raw (s, dst, want, got, error);
}

static bool
source_start_gzip (Source        *s,
                   const uint8_t *first,
                   size_t         first_len,
                   BpError       *error)
{
  int ret;

  s->gzip = true;
  /* 15 + 16: the largest window, gzip wrapper only (its CRC-32 and length are checked). */
  ret = inflateInit2 (&s->zs, 15 + 16);
  if (ret != Z_OK)
    {
      s->gzip = false;
      return fail (error, ret == Z_MEM_ERROR ? BP_ERROR_NOMEM : BP_ERROR_FORMAT, s->name,
                   "cannot start decompressing: %s", s->zs.msg != NULL ? s->zs.msg : zError (ret));
    }
  s->zs.next_in = first;
  s->zs.avail_in = (uInt) first_len;
  return true;
}

static bool
is_gzip (const uint8_t *p,
         size_t         len)
{
  return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static void
source_clear (Source *s)
{
  if (s->gzip)
    inflateEnd (&s->zs);
  free (s->in);
  s->in = NULL;
}

/* Read one IDX file from @s: header, then exactly the payload it declares, then check that
 * nothing follows. */
static bool
read_idx (Source  *s,
          BpIdx   *out,
          BpError *error)
{
  uint8_t head[4 + 4 * IDX_MAX_DIMS];
  uint8_t scratch[4096];
  IdxHeader hdr = { 0 };
  uint8_t *data = NULL;
  size_t got = 0, have = 0, extra = 0, cap;
  bool more = false;

  if (!source_read (s, head, 4, &got, error))
    return false;
  if (!check_prefix (head, got, s->name, &hdr, error))
    return false;
  if (!source_read (s, head + 4, hdr.header_len - 4, &got, error))
    return false;
  if (got < hdr.header_len - 4)
    return fail (error, BP_ERROR_FORMAT, s->name,
                 "truncated header: the file has %zu bytes, an IDX header with %u dimensions "
                 "needs %zu", 4 + got, hdr.n_dims, hdr.header_len);
  if (!check_dims (head + 4, s->name, &hdr, error))
    return false;
  /* Before a byte of the payload is inflated: the payload, and its copy into the data set. */
  if (!check_memory (&hdr, s->name, error))
    return false;

  /* Grow the buffer as data really arrives, so that a short file whose header claims a lot
   * costs what the file holds, not what it claims. */
  cap = hdr.count < GROW_START ? hdr.count : GROW_START;
  data = malloc (cap);
  if (data == NULL)
    return fail (error, BP_ERROR_NOMEM, s->name, "out of memory for %zu bytes", cap);

  while (have < hdr.count)
    {
      size_t want;

      if (have == cap)
        {
          size_t new_cap = cap > hdr.count / 2 ? hdr.count : 2 * cap;
          uint8_t *grown = realloc (data, new_cap);

          if (grown == NULL)
            {
              free (data);
              return fail (error, BP_ERROR_NOMEM, s->name, "out of memory for %zu bytes", new_cap);
            }
          data = grown;
          cap = new_cap;
        }
      want = cap - have;
      if (!source_read (s, data + have, want, &got, error))
        goto fail;
      have += got;
      if (got < want)
        break;
    }

  /* Read on to the end (up to a limit) both to report how many extra bytes there are and so
   * that a gzip stream's CRC and length, which sit at its very end, are checked. */
  if (have == hdr.count)
    for (;;)
      {
        if (!source_read (s, scratch, sizeof scratch, &got, error))
          goto fail;
        extra += got;
        if (got < sizeof scratch)
          break;
        if (extra >= TRAILING_COUNT_MAX)
          {
            more = true;
            break;
          }
      }

  if (!check_length (&hdr, have + extra, more, s->name, error))
    goto fail;

  out->n_dims = hdr.n_dims;
  memset (out->dims, 0, sizeof out->dims);
  memcpy (out->dims, hdr.dims, hdr.n_dims * sizeof hdr.dims[0]);
  out->count = hdr.count;
  out->data = data;
  return true;

fail:
  free (data);
  return false;
}

/* ───────────────────────────── public IDX API ───────────────────────────── */

bool
bp_idx_parse (const uint8_t *data,
              size_t         len,
              const char    *name,
              BpIdx         *out,
              BpError       *error)
{
  IdxHeader hdr = { 0 };
  uint8_t *copy;

  memset (out, 0, sizeof *out);
  if (name == NULL)
    name = "IDX data";

  if (!check_prefix (data, len < 4 ? len : 4, name, &hdr, error))
    return false;
  if (len < hdr.header_len)
    return fail (error, BP_ERROR_FORMAT, name,
                 "truncated header: the file has %zu bytes, an IDX header with %u dimensions "
                 "needs %zu", len, hdr.n_dims, hdr.header_len);
  if (!check_dims (data + 4, name, &hdr, error))
    return false;
  if (!check_length (&hdr, len - hdr.header_len, false, name, error))
    return false;

  copy = malloc (hdr.count);
  if (copy == NULL)
    return fail (error, BP_ERROR_NOMEM, name, "out of memory for %zu bytes", hdr.count);
  memcpy (copy, data + hdr.header_len, hdr.count);

  out->n_dims = hdr.n_dims;
  memcpy (out->dims, hdr.dims, hdr.n_dims * sizeof hdr.dims[0]);
  out->count = hdr.count;
  out->data = copy;
  return true;
}

bool
bp_idx_decode (const uint8_t *data,
               size_t         len,
               const char    *name,
               BpIdx         *out,
               BpError       *error)
{
  Source s = { 0 };
  bool ok;

  if (name == NULL)
    name = "IDX data";
  if (!is_gzip (data, len))
    return bp_idx_parse (data, len, name, out, error);

  memset (out, 0, sizeof *out);
  s.name = name;
  s.mem = data;
  s.mem_len = len;
  if (!source_start_gzip (&s, data, len > UINT_MAX ? UINT_MAX : len, error))
    return false;
  s.mem_pos = s.zs.avail_in;
  ok = read_idx (&s, out, error);
  source_clear (&s);
  return ok;
}

bool
bp_idx_load (const char *path,
             BpIdx      *out,
             BpError    *error)
{
  Source s = { 0 };
  struct stat st;
  bool ok = false;
  int fd;

  memset (out, 0, sizeof *out);
  s.name = path;
  /* A regular file only, opened without blocking: a FIFO would hang the loader for ever and a
   * device such as /dev/zero feed it without end. A folder reads as the error read() gives. */
  fd = bp_file_open_read (path, &st);
  if (fd == -2 && S_ISDIR (st.st_mode))
    return fail (error, BP_ERROR_IO, path, "read error: %s", strerror (EISDIR));
  if (fd == -2)
    return fail (error, BP_ERROR_IO, path, "cannot open: it is %s, not an IDX file",
                 bp_file_type_name (st.st_mode));
  if (fd < 0)
    return fail (error, BP_ERROR_IO, path, "cannot open: %s", strerror (errno));
  /* "e": close-on-exec, so a data file is never leaked into a child process. */
  s.file = fdopen (fd, "rbe");
  if (s.file == NULL)
    {
      int errsv = errno;

      close (fd);
      return fail (error, BP_ERROR_IO, path, "cannot open: %s", strerror (errsv));
    }

  s.in = malloc (READ_CHUNK);
  if (s.in == NULL)
    {
      fail (error, BP_ERROR_NOMEM, path, "out of memory");
      goto out;
    }
  s.in_len = fread (s.in, 1, READ_CHUNK, s.file);
  if (s.in_len < READ_CHUNK && ferror (s.file))
    {
      fail (error, BP_ERROR_IO, path, "read error: %s", strerror (errno));
      goto out;
    }

  /* Decide by content, not by name: a .gz suffix on raw data, or gzip data without one, loads. */
  if (is_gzip (s.in, s.in_len) && !source_start_gzip (&s, s.in, s.in_len, error))
    goto out;

  ok = read_idx (&s, out, error);

out:
  source_clear (&s);
  fclose (s.file);
  return ok;
}

void
bp_idx_clear (BpIdx *idx)
{
  if (idx == NULL)
    return;
  free (idx->data);
  memset (idx, 0, sizeof *idx);
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
