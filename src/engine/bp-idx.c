/* bp-idx.c — strict IDX reading, raw or gzip-compressed
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
