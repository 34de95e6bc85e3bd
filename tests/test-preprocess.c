/* test-preprocess.c — known answers for the MNIST-like preprocessing of any greyscale image
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "bp-preprocess.h"

#define SIDE BP_PREPROCESS_SIDE
#define N_PIXELS BP_PREPROCESS_N_PIXELS

typedef struct
{
  size_t   width;
  size_t   height;
  uint8_t *pixels; /* stride = width */
} Image;

static Image *
image_new (size_t  width,
           size_t  height,
           uint8_t ground)
{
  Image *img = g_new0 (Image, 1);

  img->width = width;
  img->height = height;
  img->pixels = g_malloc (width * height);
  memset (img->pixels, ground, width * height);
  return img;
}

static void
image_free (Image *img)
{
  g_free (img->pixels);
  g_free (img);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Image, image_free)

/* Fill [x0, x1) × [y0, y1). */
static void
image_rect (Image  *img,
            size_t  x0,
            size_t  y0,
            size_t  x1,
            size_t  y1,
            uint8_t value)
{
  for (size_t y = y0; y < y1; y++)
    for (size_t x = x0; x < x1; x++)
      img->pixels[y * img->width + x] = value;
}

/* Pixels whose centres lie within @r of (@cx, @cy). */
static void
image_disc (Image  *img,
            double  cx,
            double  cy,
            double  r,
            uint8_t value)
{
  for (size_t y = 0; y < img->height; y++)
    for (size_t x = 0; x < img->width; x++)
      if (hypot ((double) x + 0.5 - cx, (double) y + 0.5 - cy) <= r)
        img->pixels[y * img->width + x] = value;
}

static void
image_invert (Image *img)
{
  for (size_t i = 0; i < img->width * img->height; i++)
    img->pixels[i] = (uint8_t) (255 - img->pixels[i]);
}

static BpPreprocessStatus
run (const Image      *img,
     BpPolarity        polarity,
     float            *out,
     BpPreprocessInfo *info)
{
  BpError error = { 0 };
  BpPreprocessStatus status = bp_preprocess_u8 (img->pixels, img->width, img->height, img->width,
                                                polarity, out, info, &error);

  g_assert_cmpint (error.code, ==, BP_ERROR_NONE);
  return status;
}

static void
assert_same (const float *a,
             const float *b,
             double       tolerance)
{
  for (size_t i = 0; i < N_PIXELS; i++)
    if (fabs ((double) a[i] - (double) b[i]) > tolerance)
      g_error ("pixel (%zu, %zu) differs: %g and %g", i % SIDE, i / SIDE, (double) a[i],
               (double) b[i]);
}

/* The intensity centre of mass of a 28×28 output, in pixel indices. */
static void
centre_of_mass (const float *out,
                double      *cx,
                double      *cy)
{
  double m = 0.0, mx = 0.0, my = 0.0;

  for (size_t i = 0; i < N_PIXELS; i++)
    {
      m += out[i];
      mx += out[i] * (double) (i % SIDE);
      my += out[i] * (double) (i / SIDE);
    }
  g_assert_cmpfloat (m, >, 0.0);
  *cx = mx / m;
  *cy = my / m;
}

/* Rows and columns that hold any ink. */
static void
ink_extent (const float *out,
            size_t      *n_cols,
            size_t      *n_rows)
{
  size_t cols = 0, rows = 0;

  for (size_t c = 0; c < SIDE; c++)
    {
      bool any = false;

      for (size_t r = 0; r < SIDE; r++)
        any = any || out[r * SIDE + c] > 0.0f;
      cols += any;
    }
  for (size_t r = 0; r < SIDE; r++)
    {
      bool any = false;

      for (size_t c = 0; c < SIDE; c++)
        any = any || out[r * SIDE + c] > 0.0f;
      rows += any;
    }
  *n_cols = cols;
  *n_rows = rows;
}

/* The profile of a 20-pixel side whose edges fall on pixel middles 4.5 and 24.5: half-covered
 * pixels 4 and 24, full pixels 5 … 23. */
static double
edge_profile (size_t i)
{
  if (i == 4 || i == 24)
    return 0.5;
  return i > 4 && i < 24 ? 1.0 : 0.0;
}

/* A 40×40 black square centred on a 100×100 white page becomes a 20×20 square whose centre of
 * mass is at pixel (14, 14): edges at 4.5 and 24.5, so half-covered border pixels. */
static void
test_centred_square (void)
{
  g_autoptr(Image) img = image_new (100, 100, 255);
  float out[N_PIXELS];
  BpPreprocessInfo info;
  double cx, cy;

  image_rect (img, 30, 30, 70, 70, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);

  g_assert_cmpint (info.polarity, ==, BP_POLARITY_DARK_INK);
  g_assert_cmpfloat (info.ground, ==, 1.0f);
  g_assert_cmpfloat (info.contrast, ==, 1.0f);
  g_assert_cmpuint (info.box_x, ==, 30);
  g_assert_cmpuint (info.box_y, ==, 30);
  g_assert_cmpuint (info.box_width, ==, 40);
  g_assert_cmpuint (info.box_height, ==, 40);
  g_assert_cmpfloat (info.scale, ==, 0.5f);
  g_assert_cmpfloat (info.centre_x, ==, 50.0f);
  g_assert_cmpfloat (info.centre_y, ==, 50.0f);

  for (size_t r = 0; r < SIDE; r++)
    for (size_t c = 0; c < SIDE; c++)
      g_assert_cmpfloat_with_epsilon (out[r * SIDE + c], edge_profile (r) * edge_profile (c),
                                      1e-6);
  centre_of_mass (out, &cx, &cy);
  g_assert_cmpfloat_with_epsilon (cx, 14.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (cy, 14.0, 1e-6);
}

/* A "1" as a 6×120 bar: scaled by 20/120 it is one pixel wide, exactly column 14, and 20
 * pixels tall. Fitting both sides to 20 would have made it a square block. */
static void
test_thin_one (void)
{
  g_autoptr(Image) img = image_new (200, 200, 255);
  g_autoptr(Image) odd = image_new (200, 200, 255);
  float out[N_PIXELS];
  BpPreprocessInfo info;
  size_t n_cols, n_rows;

  image_rect (img, 97, 40, 103, 160, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpuint (info.box_width, ==, 6);
  g_assert_cmpuint (info.box_height, ==, 120);
  for (size_t r = 0; r < SIDE; r++)
    for (size_t c = 0; c < SIDE; c++)
      g_assert_cmpfloat_with_epsilon (out[r * SIDE + c], c == 14 ? edge_profile (r) : 0.0, 1e-5);

  /* A 5-pixel bar off the grid's phase straddles at most two columns, still at full ink. */
  image_rect (odd, 61, 13, 66, 133, 0);
  g_assert_cmpint (run (odd, BP_POLARITY_AUTO, out, NULL), ==, BP_PREPROCESS_OK);
  ink_extent (out, &n_cols, &n_rows);
  g_assert_cmpuint (n_cols, <=, 2);
  g_assert_cmpuint (n_rows, ==, 21);
  {
    float peak = 0.0f;

    for (size_t i = 0; i < N_PIXELS; i++)
      peak = fmaxf (peak, out[i]);
    g_assert_cmpfloat (peak, ==, 1.0f);
  }
}

/* Aspect is kept the other way too: an 80×20 bar becomes 20×5. */
static void
test_wide_bar (void)
{
  g_autoptr(Image) img = image_new (120, 90, 255);
  float out[N_PIXELS];
  size_t n_cols, n_rows;
  double cx, cy;

  image_rect (img, 20, 30, 100, 50, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, NULL), ==, BP_PREPROCESS_OK);
  ink_extent (out, &n_cols, &n_rows);
  g_assert_cmpuint (n_cols, ==, 21);
  g_assert_cmpuint (n_rows, ==, 5);
  centre_of_mass (out, &cx, &cy);
  g_assert_cmpfloat_with_epsilon (cx, 14.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (cy, 14.0, 1e-5);
}

/* A blob near the bottom-left corner comes out exactly as the same blob in the middle, with its
 * centre of mass at pixel (14, 14). */
static void
test_off_centre_blob (void)
{
  g_autoptr(Image) corner = image_new (200, 200, 255);
  g_autoptr(Image) middle = image_new (200, 200, 255);
  float a[N_PIXELS], b[N_PIXELS];
  BpPreprocessInfo info;
  double cx, cy;

  /* An irregular blob (a disc and a bar) so that its centre of mass is not its box's centre. */
  image_disc (corner, 30.0, 165.0, 14.0, 0);
  image_rect (corner, 30, 150, 60, 158, 0);
  image_disc (middle, 110.0, 95.0, 14.0, 0);
  image_rect (middle, 110, 80, 140, 88, 0);

  g_assert_cmpint (run (corner, BP_POLARITY_AUTO, a, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpfloat (fabs (info.centre_x - 30.0f), >, 1.0); /* the bar pulls it right */
  g_assert_cmpint (run (middle, BP_POLARITY_AUTO, b, NULL), ==, BP_PREPROCESS_OK);
  assert_same (a, b, 1e-5);

  centre_of_mass (a, &cx, &cy);
  g_test_message ("centre of mass (%.4f, %.4f)", cx, cy);
  g_assert_cmpfloat_with_epsilon (cx, 14.0, 0.05);
  g_assert_cmpfloat_with_epsilon (cy, 14.0, 0.05);
}

/* Light ink on black, dark ink on grey paper and light ink on a grey ground all give the result
 * of black ink on white, and so does the float entry point. */
static void
test_polarity (void)
{
  g_autoptr(Image) img = image_new (150, 110, 255);
  g_autoptr(Image) grey = image_new (150, 110, 180);
  g_autoptr(Image) dark_grey = image_new (150, 110, 70);
  float ref[N_PIXELS], out[N_PIXELS];
  g_autofree float *as_float = g_new (float, 150 * 110);
  BpPreprocessInfo info;
  BpError error = { 0 };

  image_disc (img, 70.0, 50.0, 25.0, 0);
  image_disc (img, 70.0, 50.0, 15.0, 255); /* a "0" */
  image_rect (img, 95, 40, 100, 90, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, ref, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpint (info.polarity, ==, BP_POLARITY_DARK_INK);

  /* The same drawing in ink 60 on paper 180, and 230 on 70. */
  for (size_t i = 0; i < 150 * 110; i++)
    {
      bool ink = img->pixels[i] == 0;

      grey->pixels[i] = ink ? 60 : 180;
      dark_grey->pixels[i] = ink ? 230 : 70;
    }
  g_assert_cmpint (run (grey, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpint (info.polarity, ==, BP_POLARITY_DARK_INK);
  assert_same (ref, out, 1e-6);
  g_assert_cmpint (run (dark_grey, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpint (info.polarity, ==, BP_POLARITY_LIGHT_INK);
  assert_same (ref, out, 1e-6);

  for (size_t i = 0; i < 150 * 110; i++)
    as_float[i] = img->pixels[i] / 255.0f;
  g_assert_cmpint (bp_preprocess_float (as_float, 150, 110, 150, BP_POLARITY_AUTO, out, NULL,
                                        &error), ==, BP_PREPROCESS_OK);
  assert_same (ref, out, 1e-6);

  image_invert (img);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpint (info.polarity, ==, BP_POLARITY_LIGHT_INK);
  g_assert_cmpfloat (info.ground, ==, 0.0f);
  assert_same (ref, out, 1e-6);

  /* Told the polarity, the result is the same; told the wrong one, the page is empty: white
   * on black has nothing darker than its black ground. */
  g_assert_cmpint (run (img, BP_POLARITY_LIGHT_INK, out, NULL), ==, BP_PREPROCESS_OK);
  assert_same (ref, out, 1e-6);
  g_assert_cmpint (run (img, BP_POLARITY_DARK_INK, out, NULL), ==, BP_PREPROCESS_EMPTY);
}

/* A stride wider than the row: whatever lies in the padding is never read. */
static void
test_stride (void)
{
  g_autoptr(Image) img = image_new (60, 50, 255);
  g_autofree uint8_t *padded = g_malloc (64 * 50);
  g_autofree float *fpadded = g_malloc (sizeof (float) * 64 * 50);
  float ref[N_PIXELS], out[N_PIXELS];
  BpError error = { 0 };

  image_disc (img, 25.0, 20.0, 9.0, 0);
  image_rect (img, 30, 10, 34, 45, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, ref, NULL), ==, BP_PREPROCESS_OK);

  for (size_t y = 0; y < 50; y++)
    for (size_t x = 0; x < 64; x++)
      {
        padded[y * 64 + x] = x < 60 ? img->pixels[y * 60 + x] : (uint8_t) (y * 7 + x);
        fpadded[y * 64 + x] = x < 60 ? img->pixels[y * 60 + x] / 255.0f : NAN;
      }
  g_assert_cmpint (bp_preprocess_u8 (padded, 60, 50, 64, BP_POLARITY_AUTO, out, NULL, &error), ==,
                   BP_PREPROCESS_OK);
  assert_same (ref, out, 0.0);
  g_assert_cmpint (bp_preprocess_float (fpadded, 60, 50, 64, BP_POLARITY_AUTO, out, NULL, &error),
                   ==, BP_PREPROCESS_OK);
  assert_same (ref, out, 1e-6);
}

/* A single pixel is scaled up to fill the 20×20 box. */
static void
test_tiny (void)
{
  g_autoptr(Image) img = image_new (6, 6, 255);
  float out[N_PIXELS];
  BpPreprocessInfo info;

  img->pixels[3 * 6 + 2] = 0;
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpfloat (info.scale, ==, 20.0f);
  for (size_t r = 0; r < SIDE; r++)
    for (size_t c = 0; c < SIDE; c++)
      g_assert_cmpfloat_with_epsilon (out[r * SIDE + c], edge_profile (r) * edge_profile (c),
                                      1e-6);
}

/* Specks fainter than the noise floor move neither the box nor the centre, however far out. */
static void
test_faint_noise (void)
{
  g_autoptr(Image) img = image_new (100, 100, 255);
  float ref[N_PIXELS], out[N_PIXELS];
  BpPreprocessInfo info;

  image_rect (img, 30, 30, 70, 70, 0);
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, ref, NULL), ==, BP_PREPROCESS_OK);
  for (size_t i = 0; i < 100 * 100; i += 37)
    if (img->pixels[i] == 255)
      img->pixels[i] = 255 - 20; /* 20/255 = 0.078 of the strongest ink */
  g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, &info), ==, BP_PREPROCESS_OK);
  g_assert_cmpuint (info.box_width, ==, 40);
  assert_same (ref, out, 0.0);
}

/* Uniform pages, in any shade, and pages whose only variation is a few grey levels of noise
 * are empty, with a zeroed output. */
static void
test_empty (void)
{
  static const uint8_t shades[] = { 0, 128, 255 };
  float out[N_PIXELS];
  BpError error = { 0 };
  float uniform = 0.4f;

  for (size_t s = 0; s < G_N_ELEMENTS (shades); s++)
    {
      g_autoptr(Image) img = image_new (40, 30, shades[s]);

      for (size_t i = 0; i < N_PIXELS; i++)
        out[i] = 0.5f;
      g_assert_cmpint (run (img, BP_POLARITY_AUTO, out, NULL), ==, BP_PREPROCESS_EMPTY);
      for (size_t i = 0; i < N_PIXELS; i++)
        g_assert_cmpfloat (out[i], ==, 0.0f);
      g_assert_cmpint (run (img, BP_POLARITY_LIGHT_INK, out, NULL), ==, BP_PREPROCESS_EMPTY);
      g_assert_cmpint (run (img, BP_POLARITY_DARK_INK, out, NULL), ==, BP_PREPROCESS_EMPTY);
    }

  {
    g_autoptr(Image) noisy = image_new (50, 50, 200);

    for (size_t i = 0; i < 50 * 50; i++)
      noisy->pixels[i] = (uint8_t) (198 + (i * 7919) % 5);
    g_assert_cmpint (run (noisy, BP_POLARITY_AUTO, out, NULL), ==, BP_PREPROCESS_EMPTY);
  }

  g_assert_cmpint (bp_preprocess_float (&uniform, 1, 1, 1, BP_POLARITY_AUTO, out, NULL, &error),
                   ==, BP_PREPROCESS_EMPTY);
  g_assert_cmpint (error.code, ==, BP_ERROR_NONE);
}

static void
test_bad_arguments (void)
{
  uint8_t pixels[16] = { 0 };
  float out[N_PIXELS];
  BpError error = { 0 };

  g_assert_cmpint (bp_preprocess_u8 (NULL, 4, 4, 4, BP_POLARITY_AUTO, out, NULL, &error), ==,
                   BP_PREPROCESS_ERROR);
  g_assert_cmpint (error.code, ==, BP_ERROR_INVALID);
  g_assert_nonnull (strstr (error.message, "no pixels"));

  g_assert_cmpint (bp_preprocess_u8 (pixels, 0, 4, 4, BP_POLARITY_AUTO, out, NULL, &error), ==,
                   BP_PREPROCESS_ERROR);
  g_assert_nonnull (strstr (error.message, "0×4"));

  g_assert_cmpint (bp_preprocess_u8 (pixels, 4, 4, 3, BP_POLARITY_AUTO, out, NULL, &error), ==,
                   BP_PREPROCESS_ERROR);
  g_assert_nonnull (strstr (error.message, "3 pixels apart"));

  g_assert_cmpint (bp_preprocess_u8 (pixels, 4, SIZE_MAX / 2, SIZE_MAX / 4, BP_POLARITY_AUTO, out,
                                     NULL, &error), ==, BP_PREPROCESS_ERROR);
  g_assert_nonnull (strstr (error.message, "overflows"));

  g_assert_cmpint (bp_preprocess_u8 (pixels, 4, 4, 4, (BpPolarity) 9, out, NULL, &error), ==,
                   BP_PREPROCESS_ERROR);
  g_assert_nonnull (strstr (error.message, "polarity"));

  /* NULL for the error is allowed. */
  g_assert_cmpint (bp_preprocess_float (NULL, 4, 4, 4, BP_POLARITY_AUTO, out, NULL, NULL), ==,
                   BP_PREPROCESS_ERROR);
  g_assert_cmpstr (bp_polarity_to_string (BP_POLARITY_DARK_INK), ==, "dark-ink");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/preprocess/centred-square", test_centred_square);
  g_test_add_func ("/preprocess/thin-one", test_thin_one);
  g_test_add_func ("/preprocess/wide-bar", test_wide_bar);
  g_test_add_func ("/preprocess/off-centre-blob", test_off_centre_blob);
  g_test_add_func ("/preprocess/polarity", test_polarity);
  g_test_add_func ("/preprocess/stride", test_stride);
  g_test_add_func ("/preprocess/tiny", test_tiny);
  g_test_add_func ("/preprocess/faint-noise", test_faint_noise);
  g_test_add_func ("/preprocess/empty", test_empty);
  g_test_add_func ("/preprocess/bad-arguments", test_bad_arguments);

  return g_test_run ();
}
