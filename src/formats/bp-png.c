/* bp-png.c — PNG bytes or files to the 8-bit grey image bp-preprocess reads, by libpng
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by `backprop-cli classify`, the app's Draw view and the fuzz-preprocess target, so the
 * fuzzer runs the very code that reads users' files. libpng is used directly rather than
 * through Cairo: Cairo's reader calls every libpng error "out of memory" and stops at 32767
 * pixels a side. The transformations and the arithmetic are Cairo 1.16's (palette and grey to
 * RGB, tRNS to alpha, 16 bits cut to 8, premultiplied alpha rounded as Cairo does, then OVER
 * a white ground as pixman does it), so a picture gives the very bytes it gave through Cairo.
 */
#include "config.h"

#include "bp-png.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-memory.h"

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* What the read callback says when the bytes end before libpng is done. */
#define TRUNCATED "\001truncated"
/* Room for the chunks besides the image's (text, colour profiles) in a file read from disk. */
#define METADATA_MAX ((guint64) 64 << 20)

typedef struct
{
  /* Bytes in memory, or a file. */
  const guint8 *data;
  gsize         len;
  gsize         pos;
  int           fd;
  guint64       limit;   /* for a file: the most that will be read */
  guint8        head[16]; /* for a file: the header's first bytes, read before libpng starts */
  gsize         head_len;
  char         *message; /* why libpng stopped (g_free) */
} Source;

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The IHDR chunk comes first (its length, "IHDR", the width, the height): check the size it
 * claims before libpng reads on, which it would do through every chunk up to the image data.
 * @p is what follows the signature. */
static gboolean
check_claim (const guint8 *p,
             gsize         avail,
             char        **message)
{
  guint64 width, height;

  if (avail < 16 || memcmp (p + 4, "IHDR", 4) != 0)
    return TRUE;
  width = read_be32 (p + 8);
  height = read_be32 (p + 12);
  if (width * height <= BP_PNG_MAX_PIXELS)
    return TRUE;
  *message = g_strdup_printf ("the image is %" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT " pixels, "
                              "more than the %u megapixels classify reads",
                              width, height, BP_PNG_MAX_PIXELS / (1024u * 1024u));
  return FALSE;
}

static void
read_cb (png_structp png,
         png_bytep   out,
         png_size_t  n)
{
  Source *source = png_get_io_ptr (png);
  size_t got;

  if (source->fd < 0)
    {
      if (n > source->len - source->pos)
        png_error (png, TRUNCATED);
      memcpy (out, source->data + source->pos, n);
      source->pos += n;
      return;
    }

  if (source->pos + n > source->limit)
    png_error (png, "\002too long");
  /* First the header's bytes read to check its claim. */
  while (n > 0 && source->pos < sizeof png_signature + source->head_len)
    {
      *out++ = source->head[source->pos - sizeof png_signature];
      source->pos++;
      n--;
    }
  if (!bp_file_read_fd (source->fd, out, n, &got))
    {
      g_free (source->message);
      source->message = g_strdup_printf ("read error: %s", g_strerror (errno));
      png_error (png, "\003read error");
    }
  source->pos += got;
  if (got < n)
    png_error (png, TRUNCATED);
}

/* libpng's error: keep what it says in words a person can act on, then leave through the
 * setjmp() (an error function must not return). */
static void
error_cb (png_structp     png,
          png_const_charp what)
{
  Source *source = png_get_error_ptr (png);
  char *message = NULL;

  if (strcmp (what, TRUNCATED) == 0)
    message = g_strdup ("a damaged PNG file: it is truncated, the file ends before its image "
                        "does");
  else if (strcmp (what, "\002too long") == 0)
    message = g_strdup_printf ("a damaged PNG file: more than %" G_GUINT64_FORMAT " bytes, "
                               "more than an image of its size can take",
                               source->limit);
  else if (strcmp (what, "\003read error") == 0)
    message = NULL; /* read_cb() has said it */
  else if (strstr (what, "CRC error") != NULL)
    message = g_strdup_printf ("a damaged PNG file: a checksum (CRC) does not match its data "
                               "(libpng: %s)", what);
  else if (strstr (what, "emory") != NULL)
    message = g_strdup_printf ("not enough memory to decode it (libpng: %s)", what);
  else if (strstr (what, "nough image data") != NULL || strstr (what, "ncomplete") != NULL)
    message = g_strdup_printf ("a damaged PNG file: its image data is cut short (libpng: %s)",
                               what);
  else if (g_str_has_prefix (what, "IDAT"))
    message = g_strdup_printf ("a damaged PNG file: its compressed image data is corrupt "
                               "(libpng: %s)", what);
  else
    message = g_strdup_printf ("a damaged or unsupported PNG file (libpng: %s)", what);

  if (message != NULL)
    {
      g_free (source->message);
      source->message = message;
    }
  png_longjmp (png, 1);
}

static void
warning_cb (png_structp     png,
            png_const_charp what)
{
  /* Warnings (an odd colour profile, a bad ancillary chunk that is skipped) change nothing we
   * show. */
}

/* Cairo's premultiplication: c·a/255, rounded. */
static inline guint
multiply_alpha (guint alpha,
                guint color)
{
  guint temp = alpha * color + 0x80;

  return (temp + (temp >> 8)) >> 8;
}

/* One row of RGBA (8 bits each) to grey, composited on white: pixman's OVER of a premultiplied
 * pixel onto white gives premul + (255 − a) exactly, whatever its rounding. */
static void
row_to_grey (const guint8 *rgba,
             guint8       *out,
             gsize         width)
{
  for (gsize x = 0; x < width; x++, rgba += 4)
    {
      guint a = rgba[3], r, g, b;

      if (a == 0)
        r = g = b = 255;
      else if (a == 255)
        {
          r = rgba[0];
          g = rgba[1];
          b = rgba[2];
        }
      else
        {
          r = multiply_alpha (a, rgba[0]) + 255 - a;
          g = multiply_alpha (a, rgba[1]) + 255 - a;
          b = multiply_alpha (a, rgba[2]) + 255 - a;
        }
      /* Rec. 601 luma, the weights a greyscale scanner uses. */
      out[x] = (guint8) ((299 * r + 587 * g + 114 * b + 500) / 1000);
    }
}

/* Everything after the signature: the header, its checks, the image. */
static guint8 *
decode (Source *source,
        int    *width_out,
        int    *height_out)
{
  png_structp png;
  png_infop info;
  guint8 *volatile grey = NULL;
  guint8 *volatile rgba = NULL;
  png_bytep *volatile rows = NULL;
  png_uint_32 width, height;
  int depth, color_type, interlace, passes;
  guint64 pixels, need;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, source, error_cb, warning_cb);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      source->message = g_strdup ("not enough memory to decode it");
      return NULL;
    }
  if (setjmp (png_jmpbuf (png)))
    {
      g_free (grey);
      g_free (rgba);
      g_free (rows);
      png_destroy_read_struct (&png, &info, NULL);
      if (source->message == NULL)
        source->message = g_strdup ("a damaged PNG file");
      return NULL;
    }

  png_set_read_fn (png, source, read_cb);
  png_set_sig_bytes (png, sizeof png_signature);
  /* The sides a PNG may have (2^31 − 1), not libpng's default of a million: the pixel count
   * below is the limit. */
  png_set_user_limits (png, 0x7fffffff, 0x7fffffff);
  png_read_info (png, info);
  png_get_IHDR (png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);

  pixels = (guint64) width * height;
  if (pixels > BP_PNG_MAX_PIXELS)
    {
      source->message = g_strdup_printf ("the image is %u×%u pixels, more than the %u megapixels "
                                         "classify reads", (guint) width, (guint) height,
                                         BP_PNG_MAX_PIXELS / (1024u * 1024u));
      png_longjmp (png, 1);
    }
  /* A file is read no further than the image data a picture of this size can have: 8 bytes a
   * pixel at most and a filter byte a row, deflate's overhead (under 0.1 %), and 12 bytes of
   * chunk around each byte in the worst split into IDAT chunks; and its metadata. */
  if (source->fd >= 0)
    source->limit = source->pos
                    + 13 * ((guint64) height * (1 + (guint64) width * 8) / 1000 * 1001 + 1024)
                    + METADATA_MAX;

  /* Cairo 1.16's transformations, in its order. */
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  if (depth == 16)
    png_set_strip_16 (png);
  if (depth < 8)
    png_set_packing (png);
  if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb (png);
  passes = png_set_interlace_handling (png);
  png_set_filler (png, 0xff, PNG_FILLER_AFTER);
  png_read_update_info (png, info);
  if (png_get_rowbytes (png, info) != (gsize) width * 4)
    {
      source->message = g_strdup ("an unsupported PNG file (its pixels do not convert to RGBA)");
      png_longjmp (png, 1);
    }

  /* The grey image, and the RGBA one: a row at a time, or whole when it is interlaced (each
   * pass adds pixels to every row). */
  need = pixels + (passes > 1 ? pixels * 4 : (guint64) width * 4);
  {
    BpError memory_error = { 0 };

    if (!bp_memory_check (need, "decoding it", &memory_error))
      {
        source->message = g_strdup (memory_error.message);
        png_longjmp (png, 1);
      }
  }
  grey = g_try_malloc (pixels);
  rgba = g_try_malloc (passes > 1 ? pixels * 4 : (gsize) width * 4);
  if (grey == NULL || rgba == NULL)
    {
      source->message = g_strdup ("not enough memory to decode it");
      png_longjmp (png, 1);
    }

  if (passes > 1)
    {
      rows = g_try_new (png_bytep, height);
      if (rows == NULL)
        {
          source->message = g_strdup ("not enough memory to decode it");
          png_longjmp (png, 1);
        }
      for (png_uint_32 y = 0; y < height; y++)
        rows[y] = rgba + (gsize) y * width * 4;
      png_read_image (png, rows);
      for (png_uint_32 y = 0; y < height; y++)
        row_to_grey (rows[y], grey + (gsize) y * width, width);
    }
  else
    for (png_uint_32 y = 0; y < height; y++)
      {
        png_read_row (png, rgba, NULL);
        row_to_grey (rgba, grey + (gsize) y * width, width);
      }
  /* The rest (up to IEND) is only read to check it: a picture whose end is damaged is still
   * refused, as Cairo refused it. */
  png_read_end (png, NULL);

  g_free (rgba);
  g_free (rows);
  png_destroy_read_struct (&png, &info, NULL);
  *width_out = (int) width;
  *height_out = (int) height;
  return grey;
}

guint8 *
bp_png_to_grey (const guint8 *data,
                gsize         len,
                int          *width,
                int          *height,
                char        **message)
{
  Source source = { data, len, sizeof png_signature, -1, 0, { 0 }, 0, NULL };
  guint8 *grey;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len < sizeof png_signature || memcmp (data, png_signature, sizeof png_signature) != 0)
    {
      *message = g_strdup ("not a PNG file (its first bytes are not PNG's signature)");
      return NULL;
    }
  if (!check_claim (data + sizeof png_signature, len - sizeof png_signature, message))
    return NULL;
  grey = decode (&source, width, height);
  if (grey == NULL)
    *message = g_steal_pointer (&source.message);
  return grey;
}

guint8 *
bp_png_load_grey (const char *path,
                  int        *width,
                  int        *height,
                  char      **message)
{
  Source source = { NULL, 0, 0, -1, 0, { 0 }, 0, NULL };
  guint8 signature[sizeof png_signature];
  struct stat st;
  guint8 *grey;
  size_t got;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = bp_file_open_read (path, &st);
  if (fd == -2)
    {
      *message = g_strdup_printf ("cannot open: it is %s, not a PNG file",
                                  bp_file_type_name (st.st_mode));
      return NULL;
    }
  if (fd < 0)
    {
      *message = g_strdup_printf ("cannot open: %s", g_strerror (errno));
      return NULL;
    }

  if (!bp_file_read_fd (fd, signature, sizeof signature, &got))
    {
      *message = g_strdup_printf ("read error: %s", g_strerror (errno));
      close (fd);
      return NULL;
    }
  if (got < sizeof signature || memcmp (signature, png_signature, sizeof signature) != 0)
    {
      *message = g_strdup ("not a PNG file (its first bytes are not PNG's signature)");
      close (fd);
      return NULL;
    }

  if (!bp_file_read_fd (fd, source.head, 16, &source.head_len))
    {
      *message = g_strdup_printf ("read error: %s", g_strerror (errno));
      close (fd);
      return NULL;
    }
  if (!check_claim (source.head, source.head_len, message))
    {
      close (fd);
      return NULL;
    }

  source.fd = fd;
  source.pos = sizeof signature;
  /* Until the header says how large the image is: its chunk, and any before it. */
  source.limit = source.pos + METADATA_MAX;
  grey = decode (&source, width, height);
  close (fd);
  if (grey == NULL)
    *message = g_steal_pointer (&source.message);
  return grey;
}
