/* bp-backprop-notation.c — the notation the Backprop view's text is written in: numbers with a
 * true minus sign, superscript layer numbers, the name of a layer's function
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-backprop-notation.h"

char *
bp_backprop_text_number (double value,
                         int    digits)
{
  char buffer[64];
  GString *s;

  if (value == 0.0)
    return g_strdup ("0");
  g_snprintf (buffer, sizeof buffer, "%.*g", digits, value);
  s = g_string_new (NULL);
  for (const char *p = buffer; *p != '\0'; p++)
    {
      if (*p == '-' && p == buffer)
        g_string_append (s, "−");
      else if (*p == 'e')
        {
          /* 1.2e-05 → 1.2×10⁻⁵ */
          static const char *const sup[] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" };
          gboolean negative = FALSE;

          p++;
          if (*p == '-' || *p == '+')
            negative = *p++ == '-';
          while (*p == '0' && p[1] != '\0')
            p++;
          g_string_append (s, "×10");
          if (negative)
            g_string_append (s, "⁻");
          for (; *p >= '0' && *p <= '9'; p++)
            g_string_append (s, sup[*p - '0']);
          p--;
        }
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

char *
bp_backprop_text_superscript (const char *symbol,
                              guint       layer)
{
  static const char *const digits[] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" };
  GString *s = g_string_new (symbol);
  char number[16];

  g_snprintf (number, sizeof number, "%u", layer);
  for (const char *p = number; *p != '\0'; p++)
    g_string_append (s, digits[*p - '0']);
  return g_string_free (s, FALSE);
}

const char *
bp_backprop_text_function (const BpTrace *trace,
                           int            layer)
{
  const BpTraceLayer *tl = bp_trace_get_layer (trace, (size_t) layer);

  if (tl->is_output)
    return bp_trace_get_network (trace)->arch.output == BP_OUTPUT_SOFTMAX ? "softmax" : "σ";
  switch (tl->activation)
    {
    case BP_ACTIVATION_TANH:
      return "tanh";
    case BP_ACTIVATION_RELU:
      return "ReLU";
    case BP_ACTIVATION_SIGMOID:
    default:
      return "σ";
    }
}
